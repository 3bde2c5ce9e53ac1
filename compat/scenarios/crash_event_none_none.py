"""ESLevent(None, None) segfaults the reference; ours must not crash."""
from harness import crash_case, import_esl

ESL = import_esl()
crash_case('ESL.ESLevent(None, None)', lambda: ESL.ESLevent(None, None))
