"""Exact wire bytes of send/sendRecv/api/bgapi/execute/executeAsync/filter/events and their buffer cuts (API.md 5.1-5.13)."""
import fsframes as F
from harness import Server, call, reply, send, expect, wait_eof, import_esl

ESL = import_esl()

R = F.reply("+OK")
calls = [
    ("send plain", "send", ("status",), False),
    ("send ends with blank line", "send", ("status\n\n",), False),
    ("send one newline", "send", ("x\n",), False),
    ("send empty", "send", ("",), False),
    ("send embedded newline", "send", ("api a\nX-H: 1",), False),
    ("send unicode", "send", ("api echo h\u00e9",), False),
    ("sendRecv", "sendRecv", ("api status",), True),
    ("api no arg", "api", ("status",), True),
    ("api empty arg", "api", ("status", ""), True),
    ("api None arg", "api", ("status", None), True),
    ("api with arg", "api", ("show", "calls"), True),
    ("api empty cmd", "api", ("",), True),
    ("api None cmd", "api", (None,), None),
    ("api keyword", "api", (), True),
    ("bgapi", "bgapi", ("status",), True),
    ("bgapi empty arg", "bgapi", ("status", ""), True),
    ("bgapi arg", "bgapi", ("originate", "a b"), True),
    ("bgapi job", "bgapi", ("status", None, "my-uuid"), True),
    ("bgapi arg job", "bgapi", ("status", "x", "my-uuid"), True),
    ("bgapi empty both", "bgapi", ("status", "", ""), True),
    ("bgapi None cmd", "bgapi", (None,), None),
    ("execute", "execute", ("answer",), True),
    ("execute uuid", "execute", ("playback", "f.wav", "uuid1"), True),
    ("execute empty", "execute", ("playback", "", ""), True),
    ("execute None app", "execute", (None,), True),
    ("executeAsync", "executeAsync", ("playback", "f"), True),
    ("executeAsync uuid", "executeAsync", ("park", None, "u2"), True),
    ("filter", "filter", ("Unique-ID", "abc"), True),
    ("filter None value", "filter", ("Event-Name", None), True),
    ("filter None header", "filter", (None, "x"), True),
    ("filter delete", "filter", ("delete", "Unique-ID"), True),
    ("events plain", "events", ("plain", "ALL"), True),
    ("events json", "events", ("json", "CHANNEL_CREATE CUSTOM a::b"), True),
    ("events xml", "events", ("xml", "ALL"), True),
    ("events JSON uppercase is plain", "events", ("JSON", "ALL"), True),
    ("events foo is plain", "events", ("foo", "ALL"), True),
    ("events None value", "events", ("plain", None), True),
    ("filter cut at 1023", "filter", ("H", "v" * 1100), True),
    ("events cut at 1023", "events", ("plain", "E" * 1100), True),
    ("execute uuid cut at 127", "execute", ("a", None, "u" * 200), True),
    ("execute app cut at 511", "execute", ("p" * 600, "x"), True),
    ("execute arg cut at 4095", "execute", ("a", "g" * 5000), True),
    ("api long", "api", ("echo", "z" * 5000), True),
]
script = [send(F.AUTH_REQUEST), reply(F.AUTH_ACCEPTED)]
for label, meth, args, answered in calls:
    if answered:
        script += reply(R)
    elif answered is False:
        script.append(expect())  # send() does not read the reply: send none
script += reply(R) * 3  # the three flag executes below
script += [wait_eof()]
srv = Server(script)
con = ESL.ESLconnection("127.0.0.1", srv.port, "ClueCon")
for label, meth, args, answered in calls:
    if label == "api keyword":
        call(label, lambda: con.api(cmd="status", arg="x"))
        continue
    call(label, getattr(con, meth), *args)
call("setEventLock('1')", con.setEventLock, "1")
call("execute with event lock", con.execute, "x", "y")
call("setAsyncExecute('yes')", con.setAsyncExecute, "yes")
call("execute with both flags", con.execute, "x", "y")
call("executeAsync with both flags", con.executeAsync, "x", "y")
for v in ["no", "0", "2", "on", "ON", "true", "enabled", "active", "allow", "off", "", "  7", "x1", None]:
    call("setEventLock(%r)" % (v,), con.setEventLock, v)
    call("setAsyncExecute(%r)" % (v,), con.setAsyncExecute, v)
call("setEventLock(1) int", con.setEventLock, 1)
call("disconnect", con.disconnect)
srv.finish()
