"""ESLevent: constructors (type, type+subclass, json, take-over, wrap), basic getters."""
from harness import call, record, note, import_esl

ESL = import_esl()

e = call("ESLevent('CUSTOM','a::b')", ESL.ESLevent, "CUSTOM", "a::b")
call("getHeader Event-Subclass", e.getHeader, "Event-Subclass")
call("getHeader event-subclass (case)", e.getHeader, "event-subclass")
call("getHeader missing", e.getHeader, "nope")
call("getBody none", e.getBody)
call("addBody", e.addBody, "héllo")
record("with body", e)
call("serialized_string", lambda: e.serialized_string)
call("mine", lambda: e.mine)
call("thisown", lambda: e.thisown)
call("repr", repr, e)
call("type(e.event).__name__", lambda: type(e.event).__name__)

for args in [("HEARTBEAT",), ("heartbeat",), ("SWITCH_EVENT_HEARTBEAT",), ("XXXXXXXXXXXXXheartbeat",),
             ("foo",), ("foo", "sub"), ("HEARTBEAT", "sub"), ("CLONE",), ("CLONE", "x"), ("ALL",),
             ("CERT_RELOAD",), ("TEXT",), ("SHUTDOWN_REQUESTED",), ("SEND_RTCP_MESSAGE",), ("",),
             ("channel_hangup_complete",), ("CUSTOM",), ("CUSTOM", ""), ("HEARTBEAT", ""),
             ("json",), ("json", ""), ("JSON", "{}"), ("server_disconnected",), ("SOCKET_DATA",),
             ("a\x00b",), ("CUSTOM", "a\x00b")]:
    call("ESLevent%r" % (args,), ESL.ESLevent, *args)

# take over
src = ESL.ESLevent("CUSTOM", "take::over")
src.addHeader("X", "1")
dst = call("ESLevent(src)", ESL.ESLevent, src)
record("src after take-over", src)
call("src.event", lambda: src.event)
call("src.mine", lambda: src.mine)
call("src.serialized_string", lambda: src.serialized_string)
call("dst.nextHeader before firstHeader", ESL.ESLevent(ESL.ESLevent("CUSTOM", "t::o")).nextHeader)

# wrap (shares the C event)
base = ESL.ESLevent("HEARTBEAT")
w = call("ESLevent(base.event)", ESL.ESLevent, base.event)
call("w.mine", lambda: w.mine)
call("w.addHeader", w.addHeader, "Shared", "yes")
record("base sees shared header", base)
w0 = call("ESLevent(base.event, 0)", ESL.ESLevent, base.event, 0)
call("ESLevent(None)", ESL.ESLevent, None)
call("ESLevent(None, 0)", ESL.ESLevent, None, 0)
call("ESLevent(None, 1).mine", lambda: ESL.ESLevent(None, 1).mine)

# setting attributes
n = ESL.ESLevent("CUSTOM")
call("set event None", setattr, n, "event", None)
record("after event=None", n)
call("set mine 'x'", setattr, n, "mine", "x")
call("set custom attribute", setattr, n, "whatever", 5)
call("read custom attribute", lambda: n.whatever)
call("read unknown attribute", lambda: n.nope)
call("set serialized_string", setattr, n, "serialized_string", "abc")
call("get serialized_string", lambda: n.serialized_string)
call("bool(event)", bool, n)
call("eq self", lambda: n == n)
call("eq other", lambda: n == ESL.ESLevent("CUSTOM"))
