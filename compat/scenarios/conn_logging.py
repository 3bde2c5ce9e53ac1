"""DEBUG log lines of the connection code on fd 2 (API.md 9.3): SEND, RECV HEADER, RECV EVENT, RECV MESSAGE, SEND EVENT, sendmsg."""
import fsframes as F
from harness import Server, call, reply, send, wait_eof, import_esl

ESL = import_esl()
ESL.eslSetLogLevel(7)
srv = Server([
    send(F.AUTH_REQUEST), reply(F.AUTH_ACCEPTED),
    reply(F.API_UNKNOWN),
    reply(F.BGAPI_REPLY),
    send(F.BACKGROUND_JOB_PLAIN),
    send(F.BACKGROUND_JOB_JSON),
    reply(F.SENDEVENT_REPLY),
    reply(F.SENDMSG_OK),
    send(F.LOG_DATA),
    send(F.EXIT_NOTICE),
    wait_eof(),
])
con = call("connect", ESL.ESLconnection, "127.0.0.1", srv.port, "ClueCon")
call("api", con.api, "nosuchcmd", "with args")
call("bgapi", con.bgapi, "status")
call("recv plain", con.recvEvent)
call("recv json", con.recvEvent)
ev = ESL.ESLevent("CUSTOM", "log::me")
ev.addHeader("A", "b c")
ev.addBody("body")
call("sendEvent", con.sendEvent, ev)
call("sendMSG", con.sendMSG, ev, "uuid-1")
call("recv log/data", con.recvEvent)
call("recv notice", con.recvEvent)
call("disconnect", con.disconnect)
srv.finish()
