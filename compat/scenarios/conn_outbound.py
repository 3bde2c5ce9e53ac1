"""Outbound mode: ESLconnection(fd) on a socket FreeSWITCH connected to us (API.md 4.4, getInfo 5.13)."""
import os

import fsframes as F
from harness import call, outbound, pair, reply, send, wait_eof, close, expect, import_esl

ESL = import_esl()


def _fd_closed(n):
    try:
        os.fstat(n)
        return False
    except OSError:
        return True

sock, fs = outbound([
    reply(F.OUTBOUND_CONNECT),
    reply(F.MYEVENTS_OK),
    reply(F.LINGER_OK),
    reply(F.EXECUTE_OK), send(b"".join(F.OUTBOUND_ANSWER_EVENTS)),
    reply(F.EXECUTE_OK),
    send(b"".join(F.OUTBOUND_LINGER_EXIT)),
    wait_eof(),
])
fd = sock.detach()
con = call("ESLconnection(fd)", ESL.ESLconnection, fd)
call("connected", con.connected)
call("socketDescriptor is fd", lambda: con.socketDescriptor() == fd)
info = call("getInfo", con.getInfo)
call("getInfo is a new copy each time", lambda: con.getInfo() is not con.getInfo())
uuid = call("unique-id", info.getHeader, "unique-id")
call("Reply-Text", info.getHeader, "Reply-Text")
call("Event-Name", info.getHeader, "Event-Name")
call("Channel-Name", info.getHeader, "Channel-Name")
call("sendRecv myevents", con.sendRecv, "myevents")
call("sendRecv linger", con.sendRecv, "linger")
call("execute answer", con.execute, "answer", "", uuid)
for i in range(3):
    call("event %d" % i, con.recvEvent)
call("execute playback", con.execute, "playback", "/tmp/sample.wav", uuid)
call("recv +OK bye (not a reply wait)", con.recvEvent)
call("recv linger notice", con.recvEvent)
call("connected after linger notice", con.connected)
call("disconnect", con.disconnect)
call("fd closed by disconnect", lambda: _fd_closed(fd))
fs.finish()


# socketpair: the connect reply, then the peer hangs up without a notice
fd2, peer = pair([reply(F.OUTBOUND_CONNECT), reply(F.EXECUTE_OK), close()])
c2 = call("ESLconnection(socketpair fd)", ESL.ESLconnection, fd2)
call("pair getInfo type", lambda: c2.getInfo().getType())
call("pair sendEvent before any receive", c2.sendEvent, ESL.ESLevent("HEARTBEAT"))
call("pair recvEvent after close", c2.recvEvent)
call("pair connected", c2.connected)
call("pair getInfo after close", c2.getInfo)
call("pair fd still open until disconnect", lambda: not _fd_closed(fd2))
call("pair disconnect", c2.disconnect)
call("pair fd closed", lambda: _fd_closed(fd2))
peer.finish()

# peer closes before answering connect: the adopted fd is closed by the failure
fd3, peer3 = pair([expect(), close()], name="pair3")
c3 = call("ESLconnection(fd) peer closes", ESL.ESLconnection, fd3)
call("c3 connected", c3.connected)
call("c3 fd closed by failed connect", lambda: _fd_closed(fd3))
peer3.finish()

# a pipe is not a socket
r, w = os.pipe()
c4 = call("ESLconnection(pipe write end)", ESL.ESLconnection, w)
call("c4 connected", c4.connected)
call("pipe fd closed", lambda: _fd_closed(w))
os.close(r)
