"""send(None) segfaults the reference (API.md 11); ours must raise TypeError (or return 1) and keep running."""
from harness import crash_connection_case, import_esl

ESL = import_esl()
crash_connection_case('c.send(None)', lambda c: c.send(None))
