"""ESLconnection constructors: overloads, port parsing, auth/userauth bytes, auth failures (API.md 4)."""
import gc

import fsframes as F
from harness import Server, call, close, expect, gate, reply, send, signal, trickle, wait_eof, import_esl

ESL = import_esl()

# After the constructor returns: is the socket already closed (EOF now) or only at GC?
TAIL = [gate("ctor"), wait_eof(0.1), signal("checked"), gate("gone"), wait_eof()]
OK = [send(F.AUTH_REQUEST), reply(F.AUTH_ACCEPTED), TAIL]


def attempt(label, make_args, script):
    srv = Server(script, name=label.replace(" ", "_"))
    con = call(label, ESL.ESLconnection, *make_args(srv.port))
    call(label + ": connected", con.connected)
    call(label + ": socketDescriptor>=0", lambda: con.socketDescriptor() >= 0)
    call(label + ": getInfo", con.getInfo)
    srv.open("ctor")
    if ("signal", "checked") in srv.scripts[0]:
        srv.reached("checked", 2.0)
    del con
    gc.collect()
    srv.open("gone")
    srv.finish()


attempt("int port", lambda p: ("127.0.0.1", p, "ClueCon"), OK)
attempt("str port", lambda p: ("127.0.0.1", str(p), "ClueCon"), OK)
attempt("str port leading space", lambda p: ("127.0.0.1", " %d" % p, "ClueCon"), OK)
attempt("str port plus sign", lambda p: ("127.0.0.1", "+%d" % p, "ClueCon"), OK)
attempt("str port trailing junk", lambda p: ("127.0.0.1", "%dxyz" % p, "ClueCon"), OK)
attempt("int port + 65536", lambda p: ("127.0.0.1", p + 65536, "ClueCon"), OK)
attempt("str port + 65536", lambda p: ("127.0.0.1", str(p + 65536), "ClueCon"), OK)
attempt("localhost", lambda p: ("localhost", p, "ClueCon"), OK)
attempt("userauth int port", lambda p: ("127.0.0.1", p, "esluser@esl.local", "eslpass"),
        [send(F.AUTH_REQUEST), reply(F.USERAUTH_ACCEPTED), TAIL])
attempt("userauth str port", lambda p: ("127.0.0.1", str(p), "u", "p"), OK)
attempt("empty user means auth", lambda p: ("127.0.0.1", p, "", "pw"), OK)
attempt("None user means auth", lambda p: ("127.0.0.1", p, None, "pw"), OK)
attempt("None password", lambda p: ("127.0.0.1", p, None), OK)
attempt("long password cut at 255", lambda p: ("127.0.0.1", p, "x" * 300), [send(F.AUTH_REQUEST), reply(F.AUTH_ACCEPTED), TAIL])
attempt("password with newline", lambda p: ("127.0.0.1", p, "a\nb"), OK)
attempt("bad password", lambda p: ("127.0.0.1", p, "wrong"),
        [send(F.AUTH_REQUEST), expect(), send(F.AUTH_INVALID + F.DISCONNECT_NOTICE), close()])
attempt("bad password, server keeps socket", lambda p: ("127.0.0.1", p, "wrong"),
        [send(F.AUTH_REQUEST), reply(F.AUTH_INVALID), TAIL])
attempt("rude rejection", lambda p: ("127.0.0.1", p, "ClueCon"),
        [send(b"Content-Type: text/rude-rejection\nContent-Length: 35\n\nAccess Denied, go away.\n\n\n\n\n\n\n\n\n\n\n\n"), close()])
attempt("CRLF greeting", lambda p: ("127.0.0.1", p, "ClueCon"),
        [send(b"Content-Type: auth/request\r\n\r\n"), TAIL])
attempt("AUTH/REQUEST uppercase", lambda p: ("127.0.0.1", p, "ClueCon"),
        [send(b"Content-Type: AUTH/REQUEST\n\n"), reply(F.AUTH_ACCEPTED), TAIL])
attempt("+ok ACCEPTED any case", lambda p: ("127.0.0.1", p, "ClueCon"),
        [send(F.AUTH_REQUEST), reply(b"Content-Type: command/reply\nReply-Text: +ok ACCEPTED\n\n"), TAIL])
attempt("reply text with trailing space", lambda p: ("127.0.0.1", p, "ClueCon"),
        [send(F.AUTH_REQUEST), reply(b"Content-Type: command/reply\nReply-Text: +OK accepted \n\n"), TAIL])
attempt("close before greeting", lambda p: ("127.0.0.1", p, "ClueCon"), [close()])
attempt("close after greeting", lambda p: ("127.0.0.1", p, "ClueCon"), [send(F.AUTH_REQUEST), expect(), close()])
attempt("trickled greeting and reply", lambda p: ("127.0.0.1", p, "ClueCon"),
        [trickle(F.AUTH_REQUEST), expect(), trickle(F.AUTH_ACCEPTED), TAIL])
attempt("event before the auth reply", lambda p: ("127.0.0.1", p, "ClueCon"),
        [send(F.AUTH_REQUEST), expect(), send(F.BACKGROUND_JOB_PLAIN + F.AUTH_ACCEPTED), TAIL])
attempt("api/response as auth reply", lambda p: ("127.0.0.1", p, "ClueCon"),
        [send(F.AUTH_REQUEST), reply(F.API_STATUS), TAIL])
attempt("auth reply without Content-Type", lambda p: ("127.0.0.1", p, "ClueCon"),
        [send(F.AUTH_REQUEST), reply(b"Reply-Text: +OK accepted\n\n"), TAIL])

# A refused port: bind, learn the port, close the listener.
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
refused = s.getsockname()[1]
s.close()
c = call("refused", ESL.ESLconnection, "127.0.0.1", refused, "ClueCon")
call("refused: connected", c.connected)
call("refused: socketDescriptor", c.socketDescriptor)
call("refused: api", c.api, "status")
call("refused: recvEvent", c.recvEvent)
call("refused: disconnect", c.disconnect)
c = call("port 0", ESL.ESLconnection, "127.0.0.1", 0, "ClueCon")
call("port 0: connected", c.connected)

for args in [("5",), (), ("127.0.0.1",), ("127.0.0.1", 1), ("127.0.0.1", 1, "a", "b", "c"),
             ("127.0.0.1", 2 ** 31, "pw"), ("127.0.0.1", 1.5, "pw"), (b"127.0.0.1", 1, "pw"),
             ("127.0.0.1", 1, 2), (1, 2, 3), (2 ** 31,), (1.0,), (None,)]:
    call("overload %r" % (args,), ESL.ESLconnection, *args)
call("keyword ctor", lambda: ESL.ESLconnection(host="127.0.0.1", port=1, password="x"))
