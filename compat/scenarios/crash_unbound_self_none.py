"""an unbound method with self=None segfaults the reference; ours must not crash."""
from harness import crash_case, import_esl

ESL = import_esl()
crash_case('ESL.ESLevent.getType(None)', lambda: ESL.ESLevent.getType(None))
