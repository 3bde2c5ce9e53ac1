"""recvEvent() of every packet kind (API.md 5.10 table), with real FreeSWITCH frames."""
import fsframes as F
from harness import Server, call, gate, reply, send, wait_eof, import_esl

ESL = import_esl()

XML_BAD = b"Content-Length: 9\nContent-Type: text/event-json\n\n{not json"
JSON_EMPTY = b"Content-Length: 0\nContent-Type: text/event-json\n\n"
PLAIN_EMPTY = b"Content-Length: 0\nContent-Type: text/event-plain\n\n"
PLAIN_NOBODY = b"Content-Type: text/event-plain\n\n"
LINGER_NOTICE = (b"Content-Type: text/disconnect-notice\nContent-Disposition: LINGER\nContent-Length: 20\n\n"
                 b"Lingering a while.\n\n")
NOTICE_NOBODY = b"Content-Type: text/disconnect-notice\n\n"
packets = [
    ("event-plain BACKGROUND_JOB", F.BACKGROUND_JOB_PLAIN),
    ("event-json BACKGROUND_JOB", F.BACKGROUND_JOB_JSON),
    ("event-xml CUSTOM", F.CUSTOM_XML),
    ("event-plain CUSTOM with body", F.CUSTOM_PLAIN_BODY),
    ("event-json CUSTOM with body", F.CUSTOM_JSON_BODY),
    ("event-json invalid", XML_BAD),
    ("event-json empty", JSON_EMPTY),
    ("event-plain Content-Length 0", PLAIN_EMPTY),
    ("event-plain without body", PLAIN_NOBODY),
    ("command/reply", F.UNKNOWN_COMMAND),
    ("api/response", F.API_UNKNOWN),
    ("log/data", F.LOG_DATA),
    ("auth/request", F.AUTH_REQUEST),
    ("rude-rejection", b"Content-Type: text/rude-rejection\nContent-Length: 24\n\nAccess Denied, go away.\n"),
    ("disconnect-notice linger", LINGER_NOTICE),
    ("disconnect-notice without body", NOTICE_NOBODY),
    ("no Content-Type", b"X-Thing: 1\n\n"),
]
script = [send(F.AUTH_REQUEST), reply(F.AUTH_ACCEPTED)]
for i, (_, frame) in enumerate(packets):
    script += [gate("p%d" % i), send(frame)]
script += [gate("notice"), send(F.EXIT_NOTICE), wait_eof()]
srv = Server(script)
con = ESL.ESLconnection("127.0.0.1", srv.port, "ClueCon")
call("connected", con.connected)
for i, (label, _) in enumerate(packets):
    srv.open("p%d" % i)
    call("recv " + label, con.recvEvent)
    call("connected after " + label, con.connected)
srv.open("notice")
call("recv disconnect-notice", con.recvEvent)
call("connected after notice", con.connected)
call("socketDescriptor after notice", con.socketDescriptor)
call("recvEvent after notice", con.recvEvent)
call("recvEventTimed after notice", con.recvEventTimed, 10)
call("api after notice", con.api, "status")
call("send after notice", con.send, "x")
call("events after notice", con.events, "plain", "ALL")
call("disconnect", con.disconnect)
srv.finish()

# The peer closes without a notice.
srv2 = Server([send(F.AUTH_REQUEST), reply(F.AUTH_ACCEPTED), gate("close"), __import__("harness").close()], name="srv2")
con = ESL.ESLconnection("127.0.0.1", srv2.port, "ClueCon")
srv2.open("close")
call("recvEvent on peer close", con.recvEvent)
call("connected after peer close", con.connected)
call("socketDescriptor after peer close", con.socketDescriptor)
srv2.finish()
