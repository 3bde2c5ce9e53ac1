"""Adapted from FreeSWITCH libs/esl/python3/server.py (print syntax, socketserver spelling; port 8040 -> 0)."""
import threading

import fsframes as F
from harness import Dialer, reply, send, wait_eof, import_esl

ESL = import_esl()

import socketserver
from ESL import *


class ESLRequestHandler(socketserver.BaseRequestHandler):
    def setup(self):
        print(self.client_address[0], 'connected!')
        fd = self.request.fileno()
        print(fd > 2)  # the original prints the fd number, which differs from run to run
        con = ESLconnection(fd)
        print("Connected: ")
        print(con.connected())
        if con.connected():
            info = con.getInfo()
            uuid = info.getHeader("unique-id")
            print(uuid)
            con.execute("answer", "", uuid)
            con.execute("playback", "/ram/swimp.raw", uuid)


server = socketserver.ThreadingTCPServer(('127.0.0.1', 0), ESLRequestHandler)
server.daemon_threads = True
threading.Thread(target=server.serve_forever, daemon=True).start()
fs = Dialer(server.server_address[1], [reply(F.OUTBOUND_CONNECT), reply(F.EXECUTE_OK), reply(F.EXECUTE_OK), wait_eof()])
fs.finish(10)
server.shutdown()
