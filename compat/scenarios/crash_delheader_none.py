"""delHeader(None) on an event with headers segfaults the reference; ours must not crash."""
from harness import crash_case, import_esl

ESL = import_esl()
crash_case("ESL.ESLevent('CUSTOM').delHeader(None)", lambda: ESL.ESLevent('CUSTOM').delHeader(None))
