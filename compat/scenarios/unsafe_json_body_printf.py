"""A received JSON event whose _body has a % conversion: the reference uses the body as a printf format (API.md 7.2)."""
import fsframes as F
from harness import Server, call, reply, send, wait_eof, import_esl

ESL = import_esl()
srv = Server([send(F.AUTH_REQUEST), reply(F.AUTH_ACCEPTED), send(F.CUSTOM_JSON), wait_eof()])
con = ESL.ESLconnection("127.0.0.1", srv.port, "ClueCon")
call("recv json with '% a' in _body", con.recvEvent)
call("the same text built locally", ESL.ESLevent, "json", '{"_body":"with % and %% and %s"}')
con.disconnect()
srv.finish()
