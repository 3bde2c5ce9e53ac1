"""recvEventTimed(ms) while a packet has only partly arrived (mid-header, mid-body).

The reference reads on past ms until the rest comes; ours returns None on time and the next
call returns the packet intact (an expected difference).
"""
import fsframes as F
from harness import Background, Server, call, close, gate, reply, send, import_esl

ESL = import_esl()

HB = F.EVENTS_PLAIN_ALL[0]
JOB = F.BACKGROUND_JOB_PLAIN
CUTS = [("mid-header", HB, 30), ("mid-body", JOB, len(JOB) - 20)]
script = [send(F.AUTH_REQUEST), reply(F.AUTH_ACCEPTED)]
for name, frame, at in CUTS:
    script += [gate(name), send(frame[:at]), gate(name + " rest"), send(frame[at:])]
srv = Server(script + [gate("close"), close()])
con = ESL.ESLconnection("127.0.0.1", srv.port, "ClueCon")
for name, _frame, _at in CUTS:
    srv.open(name)
    b = Background(name, con.recvEventTimed, 300)
    b.wait(0.6, name + ": after 0.6 s")
    srv.open(name + " rest")
    b.wait(3, name + ": first call once complete")
    call(name + ": next call", con.recvEventTimed, 300)
    call(name + ": connected", con.connected)
srv.open("close")
call("after peer close", con.recvEventTimed, 2000)
call("connected after close", con.connected)
srv.finish()
