"""Adapted from FreeSWITCH libs/esl/python3/events.py (print syntax ported; the endless loop stops at disconnect)."""
import fsframes as F
from harness import Server, reply, send, wait_eof, import_esl

ESL = import_esl()
srv = Server([send(F.AUTH_REQUEST), reply(F.AUTH_ACCEPTED), reply(F.EVENT_OK_PLAIN),
              send(b"".join(F.EVENTS_PLAIN_ALL)), send(b"".join(F.OUTBOUND_LINGER_EXIT)), wait_eof()])

from ESL import *

con = ESLconnection("localhost", str(srv.port), "ClueCon")
# are we connected?
if con.connected:
    con.events("plain", "all")
    while 1:
        e = con.recvEvent()
        if e:
            print(e.serialize())
        if e.getType() == "SERVER_DISCONNECTED" or not con.connected():  # added: the original never ends
            break
con.disconnect()
srv.finish()
