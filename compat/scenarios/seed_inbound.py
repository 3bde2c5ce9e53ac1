"""The user's guide inbound example (shared/seed), unchanged but for print(): events("json","all") + 100 recvEvent."""
import fsframes as F
from harness import Server, reply, send, wait_eof, import_esl

ESL = import_esl()
srv = Server([send(F.AUTH_REQUEST), reply(F.AUTH_ACCEPTED), reply(F.EVENT_OK_JSON),
              send(b"".join(F.EVENTS_JSON_ALL)), send(F.EXIT_NOTICE), wait_eof()])

# --- the guide's example (host/port/password from our scripted server) ---
import time
hostIp, port, user = "127.0.0.1", str(srv.port), "ClueCon"
con = ESL.ESLconnection(hostIp, port, user)
con.events("json", "all")
for i in range(100):
    eventData = con.recvEvent()
    print(eventData.getHeader("Event-Name"))
con.disconnect()
# --- end of example ---
srv.finish()
