"""Inbound connect (auth), api, bgapi, sendRecv, events, filter, disconnect; exact wire bytes."""
import fsframes as F
from harness import Server, call, record, reply, send, expect, wait_eof, import_esl

ESL = import_esl()

srv = Server([
    send(F.AUTH_REQUEST), reply(F.AUTH_ACCEPTED),
    reply(F.API_STATUS),                 # api("status")
    reply(F.API_UNKNOWN),                # api("nosuchcmd", "with args")
    reply(F.BGAPI_REPLY),                # bgapi("status")
    reply(F.BGAPI_REPLY_JOB_UUID),       # bgapi("status", None, uuid)
    reply(F.EVENT_OK_PLAIN),             # events("plain", "ALL")
    reply(F.NO_KEYWORDS),                # events("json", "")
    reply(F.FILTER_ADDED),               # filter
    reply(F.FILTER_DELETED),             # filter delete
    reply(F.UNKNOWN_COMMAND),            # sendRecv("foobar")
    reply(F.NOEVENTS_OK),                # sendRecv("noevents")
    wait_eof(),
])
con = call("ESLconnection(host, port:str, password)", ESL.ESLconnection, "127.0.0.1", str(srv.port), "ClueCon")
call("connected", con.connected)
call("socketDescriptor > 2", lambda: con.socketDescriptor() > 2)
call("getInfo inbound", con.getInfo)
call("api status", con.api, "status")
call("api nosuchcmd", con.api, "nosuchcmd", "with args")
call("bgapi status", con.bgapi, "status")
call("bgapi status job", con.bgapi, "status", None, "11111111-2222-3333-4444-555555555555")
call("events plain ALL", con.events, "plain", "ALL")
call("events json ''", con.events, "json", "")
call("filter", con.filter, "Event-Name", "CUSTOM")
call("filter delete", con.filter, "delete", "Event-Name CHANNEL_CREATE")
call("sendRecv foobar", con.sendRecv, "foobar")
call("sendRecv noevents", con.sendRecv, "noevents\n\n")
call("disconnect", con.disconnect)
call("connected after disconnect", con.connected)
call("socketDescriptor after disconnect", con.socketDescriptor)
call("disconnect again", con.disconnect)
call("getInfo after disconnect", con.getInfo)
call("api after disconnect", con.api, "status")
call("send after disconnect", con.send, "x")
call("recvEvent after disconnect", con.recvEvent)
call("recvEventTimed after disconnect", con.recvEventTimed, 10)
srv.finish()
