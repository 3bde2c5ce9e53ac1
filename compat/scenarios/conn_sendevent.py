"""sendEvent / sendMSG: wire bytes (unencoded serialization) and return values (API.md 5.8, 5.9)."""
import fsframes as F
from harness import Server, call, gate, reply, send, wait_eof, expect, import_esl

ESL = import_esl()

srv = Server([
    send(F.AUTH_REQUEST), reply(F.AUTH_ACCEPTED),
    reply(F.SENDEVENT_REPLY),            # sendEvent custom with body
    reply(F.SENDEVENT_REPLY),            # sendEvent body ending in blank line
    reply(F.SENDEVENT_REPLY),            # sendEvent CLONE
    reply(F.SENDEVENT_REPLY),            # sendEvent json-built, unknown name
    reply(F.SENDEVENT_REPLY),            # sendEvent with array + newline value
    send(F.CUSTOM_PLAIN),                # an event for recvEvent
    reply(F.SENDEVENT_REPLY),            # sendEvent after recvEvent
    reply(F.SENDMSG_OK),                 # sendMSG no uuid
    reply(F.SENDMSG_INVALID),            # sendMSG uuid -> -ERR
    reply(F.SENDMSG_OK),                 # sendMSG empty uuid
    reply(F.SENDMSG_OK),                 # sendMSG keyword
    wait_eof(),
])
con = ESL.ESLconnection("127.0.0.1", srv.port, "ClueCon")
e = ESL.ESLevent("custom", "my::sub")
e.addHeader("X-A", "b c:d")
e.addBody("hello\nworld")
call("sendEvent custom", con.sendEvent, e)
e2 = ESL.ESLevent("HEARTBEAT")
e2.addBody("ends\n\n")
call("sendEvent body ends with blank line", con.sendEvent, e2)
call("sendEvent CLONE", con.sendEvent, ESL.ESLevent("CLONE"))
call("sendEvent json unknown name", con.sendEvent, ESL.ESLevent("json", '{"Event-Name":"NOPE","A":"1"}'))
e3 = ESL.ESLevent("CUSTOM", "arr::ay")
e3.pushHeader("Arr", "a")
e3.pushHeader("Arr", "b")
e3.addHeader("NL", "x%y")
call("sendEvent arrays and percent (not encoded)", con.sendEvent, e3)
call("recvEvent", con.recvEvent)
call("sendEvent after recvEvent", con.sendEvent, ESL.ESLevent("HEARTBEAT"))
m = ESL.ESLevent("CUSTOM", "m::sg")
m.addHeader("call-command", "execute")
m.addHeader("execute-app-name", "playback")
m.addHeader("execute-app-arg", "/tmp/a b.wav")
call("sendMSG no uuid", con.sendMSG, m)
call("sendMSG uuid (-ERR reply)", con.sendMSG, m, "00000000-0000-0000-0000-000000000000")
call("sendMSG empty uuid", con.sendMSG, m, "")
call("sendMSG keyword", lambda: con.sendMSG(send_me=m, uuid=None))  # answered by the 4th SENDMSG_OK
call("sendEvent not an event", con.sendEvent, "x")
call("sendMSG not an event", con.sendMSG, 5)
null = ESL.ESLevent("HEARTBEAT", "")
call("sendEvent null event", con.sendEvent, null)
call("connected", con.connected)
call("disconnect", con.disconnect)
call("sendEvent after disconnect", con.sendEvent, ESL.ESLevent("HEARTBEAT"))
call("sendMSG after disconnect", con.sendMSG, m)
srv.finish()
