"""Before eslSetLogLevel is ever called the library logs nothing (API.md 9.1)."""
from harness import call, import_esl

ESL = import_esl()
call("warning case, silent", ESL.ESLevent, "HEARTBEAT", "sub")
call("error case, silent", ESL.ESLevent("HEARTBEAT", "").getType)
for arg in ["7", None, 7.0, 2 ** 31, True]:
    call("eslSetLogLevel(%r)" % (arg,), ESL.eslSetLogLevel, arg)
call("eslSetLogLevel()", ESL.eslSetLogLevel)
call("eslSetLogLevel(1, 2)", ESL.eslSetLogLevel, 1, 2)
call("after True (=1): error silent", ESL.ESLevent("HEARTBEAT", "").getType)
