"""sendMSG(None) segfaults the reference; ours must raise TypeError (or return 1) and keep running."""
from harness import crash_connection_case, import_esl

ESL = import_esl()
crash_connection_case('c.sendMSG(None)', lambda c: c.sendMSG(None))
