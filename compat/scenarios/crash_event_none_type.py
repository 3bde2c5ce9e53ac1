"""ESLevent(None, 'x') segfaults the reference; ours must not crash."""
from harness import crash_case, import_esl

ESL = import_esl()
crash_case("ESL.ESLevent(None, 'x')", lambda: ESL.ESLevent(None, 'x'))
