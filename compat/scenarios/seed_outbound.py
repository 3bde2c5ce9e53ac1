"""The user's guide outbound example (shared/seed): socketserver handler with getInfo/execute.

Ported: print(), SocketServer -> socketserver, port 9000 -> 0 (the OS picks); the scripted
FreeSWITCH dials in once and the server is shut down afterwards.
"""
import threading

import fsframes as F
from harness import Dialer, reply, send, wait_eof, import_esl

ESL = import_esl()

# --- the guide's example ---
import socketserver


class ESLRequestHandler(socketserver.BaseRequestHandler):
    def setup(self):
        print(self.client_address[0], 'connected!')
        fd = self.request.fileno()
        con = ESL.ESLconnection(fd)
        if con.connected():
            info = con.getInfo()
            uuid = info.getHeader("unique-id")
            print(uuid)
            con.execute("answer", "", uuid)
            con.execute("playback", "/tmp/sample.wav", uuid)


server = socketserver.ThreadingTCPServer(('127.0.0.1', 0), ESLRequestHandler)
# --- end of example (serve_forever runs in a thread so that the scenario can end) ---
server.daemon_threads = True
t = threading.Thread(target=server.serve_forever, daemon=True)
t.start()
fs = Dialer(server.server_address[1], [reply(F.OUTBOUND_CONNECT), reply(F.EXECUTE_OK), reply(F.EXECUTE_OK),
                                        send(b"".join(F.OUTBOUND_ANSWER_EVENTS)), wait_eof()])
fs.finish(10)
server.shutdown()
