"""pushHeader(None, v) segfaults the reference; ours must not crash."""
from harness import crash_case, import_esl

ESL = import_esl()
crash_case("ESL.ESLevent('CUSTOM').pushHeader(None, 'v')", lambda: ESL.ESLevent('CUSTOM').pushHeader(None, 'v'))
