"""A null ESLevent (no C event): every method, with ERROR log lines on fd 2 (API.md 7.8, 9.3)."""
from harness import call, import_esl

ESL = import_esl()

call("eslSetLogLevel(7)", ESL.eslSetLogLevel, 7)
for make in ["taken-over", "event=None", "HEARTBEAT+empty subclass", "bad json"]:
    if make == "taken-over":
        n = ESL.ESLevent("CUSTOM")
        ESL.ESLevent(n)
    elif make == "event=None":
        n = ESL.ESLevent("CUSTOM")
        n.event = None
    elif make == "HEARTBEAT+empty subclass":
        n = call("construct HEARTBEAT ''", ESL.ESLevent, "HEARTBEAT", "")
    else:
        n = call("construct bad json", ESL.ESLevent, "json", "{")
    p = make + ": "
    call(p + "getType", n.getType)
    call(p + "getHeader", n.getHeader, "Event-Name")
    call(p + "getHeader idx", n.getHeader, "X", 0)
    call(p + "getBody", n.getBody)
    call(p + "serialize", n.serialize)
    call(p + "serialize json", n.serialize, "json")
    call(p + "addHeader", n.addHeader, "A", "b")
    call(p + "pushHeader", n.pushHeader, "A", "b")
    call(p + "unshiftHeader", n.unshiftHeader, "A", "b")
    call(p + "delHeader", n.delHeader, "A")
    call(p + "addBody", n.addBody, "x")
    call(p + "setPriority", n.setPriority)
    call(p + "firstHeader", n.firstHeader)
    call(p + "nextHeader", n.nextHeader)
    call(p + "event", lambda: n.event)
    call(p + "mine", lambda: n.mine)
    call(p + "serialized_string", lambda: n.serialized_string)
call("warning on subclass", ESL.ESLevent, "HEARTBEAT", "sub")
call("eslSetLogLevel(3)", ESL.eslSetLogLevel, 3)
call("no warning at level 3", ESL.ESLevent, "HEARTBEAT", "sub")
call("error still at level 3", ESL.ESLevent("HEARTBEAT", "").getType)
call("eslSetLogLevel(2)", ESL.eslSetLogLevel, 2)
call("no error at level 2", ESL.ESLevent("HEARTBEAT", "").getType)
call("eslSetLogLevel(-1) means 7", ESL.eslSetLogLevel, -1)
call("warning after -1", ESL.ESLevent, "HEARTBEAT", "sub")
call("eslSetLogLevel(0)", ESL.eslSetLogLevel, 0)
call("silent at 0", ESL.ESLevent("HEARTBEAT", "").getType)
call("eslSetLogLevel(99) means 7", ESL.eslSetLogLevel, 99)
call("warning after 99", ESL.ESLevent, "HEARTBEAT", "sub")
