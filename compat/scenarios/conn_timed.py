"""recvEventTimed(ms): timeouts, queue, blocking forms, argument errors (API.md 5.12).

Partial packets: conn_timed_partial."""
import fsframes as F
from harness import Background, Server, call, close, expect, gate, reply, send, signal, trickle, wait_eof, import_esl

ESL = import_esl()

HB = F.EVENTS_PLAIN_ALL[0]
srv = Server([
    send(F.AUTH_REQUEST), reply(F.AUTH_ACCEPTED),
    gate("one"), send(HB),
    gate("two"), send(HB + HB),
    gate("zero"), send(HB),
    gate("neg"), send(HB),
    gate("trickle"), trickle(F.BACKGROUND_JOB_PLAIN[:200], 0.001), send(F.BACKGROUND_JOB_PLAIN[200:]),
    gate("close"), close(),
])
con = ESL.ESLconnection("127.0.0.1", srv.port, "ClueCon")
call("timeout returns None", con.recvEventTimed, 50)
call("still connected after timeout", con.connected)
srv.open("one")
call("event arrives", con.recvEventTimed, 2000)
srv.open("two")
call("first of two", con.recvEventTimed, 2000)
call("second from buffer", con.recvEventTimed, 1)
b = Background("recvEventTimed(0) blocks", con.recvEventTimed, 0)
b.wait(0.3, "recvEventTimed(0) still waiting")
srv.open("zero")
b.wait(3, "recvEventTimed(0) result")
b = Background("recvEventTimed(-1) blocks", con.recvEventTimed, -1)
b.wait(0.3, "recvEventTimed(-1) still waiting")
srv.open("neg")
b.wait(3, "recvEventTimed(-1) result")
srv.open("trickle")
call("trickled event", con.recvEventTimed, 3000)
for arg in [None, "1", 1.5, 2 ** 31, -2 ** 31 - 1, True]:
    call("recvEventTimed(%r)" % (arg,), con.recvEventTimed, arg)
srv.open("close")
call("after peer close", con.recvEventTimed, 2000)
call("connected after close", con.connected)
call("again", con.recvEventTimed, 10)
srv.finish()
