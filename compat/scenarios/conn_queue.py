"""Reply wait and queueing: events before a reply are queued and delivered in order; send() leaves stale replies (API.md 5.3, 5.4, 6)."""
import fsframes as F
from harness import Background, Server, call, close, expect, gate, reply, send, wait_eof, import_esl

ESL = import_esl()

srv = Server([
    send(F.AUTH_REQUEST), reply(F.AUTH_ACCEPTED),
    # api: an event, a log line, a BACKGROUND_JOB, an auth/request and a linger notice arrive first
    expect(), send(F.CUSTOM_PLAIN + F.LOG_DATA + F.BACKGROUND_JOB_JSON + F.AUTH_REQUEST
                   + b"Content-Type: text/disconnect-notice\nContent-Disposition: linger\nContent-Length: 0\n\n"
                   + F.API_STATUS),
    # send() then api(): the api takes the stale reply of the send
    expect(), send(F.EVENT_OK_PLAIN),
    expect(), send(F.API_UNKNOWN),
    # a reply without Content-Type counts as a reply
    expect(), send(b"Reply-Text: +OK odd\n\n"),
    # a non-linger notice while waiting is queued; then the server closes: the wait fails
    expect(), send(F.EXIT_NOTICE), close(),
])
con = ESL.ESLconnection("127.0.0.1", srv.port, "ClueCon")
call("api with queued packets", con.api, "status")
for i in range(5):
    call("queued %d" % i, con.recvEventTimed, 100)
call("send event plain ALL", con.send, "event plain ALL")
call("api gets the stale reply", con.api, "status")
call("real api reply via recvEventTimed", con.recvEventTimed, 100)
call("sendRecv reply without Content-Type", con.sendRecv, "odd")
call("api while notice queued then close", con.api, "status")
call("connected", con.connected)
call("recvEvent after drop", con.recvEvent)
srv.finish()
