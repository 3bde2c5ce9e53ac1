"""sendMSG(null event) segfaults the reference; ours must raise TypeError (or return 1) and keep running."""
import fsframes as F
from harness import Server, call, reply, send, wait_eof, import_esl

ESL = import_esl()
srv = Server([send(F.AUTH_REQUEST), reply(F.AUTH_ACCEPTED), wait_eof(2)])
c = ESL.ESLconnection("127.0.0.1", srv.port, "ClueCon")
call("connected", c.connected)
call("c.sendMSG(ESL.ESLevent('HEARTBEAT', ''))", lambda: c.sendMSG(ESL.ESLevent('HEARTBEAT', '')))
call("still connected", c.connected)
c.disconnect()
srv.finish()
