"""Adapted from FreeSWITCH libs/esl/python/single_command.py (print syntax ported; options given in argv here)."""
import sys

import fsframes as F
from harness import Server, reply, send, wait_eof, import_esl

ESL = import_esl()
srv = Server([send(F.AUTH_REQUEST), reply(F.AUTH_ACCEPTED), reply(F.API_STATUS), wait_eof()])
sys.argv = ["single_command.py", "-p", str(srv.port), "-c", "status"]

from optparse import OptionParser
from ESL import *


def main(argv):
    try:
        parser = OptionParser()
        parser.add_option("-a", "--auth", dest="auth", default="ClueCon", help="ESL password")
        parser.add_option("-s", "--server", dest="server", default="127.0.0.1", help="FreeSWITCH server IP address")
        parser.add_option("-p", "--port", dest="port", default="8021", help="FreeSWITCH server event socket port")
        parser.add_option("-c", "--command", dest="command", help="command to run, surround mutli word commands in \"'s")
        (options, args) = parser.parse_args()
        con = ESLconnection(options.server, options.port, options.auth)
        if con.connected():
            e = con.api(options.command)
            print(e.getBody())
        else:
            print("Not Connected")
            sys.exit(2)
    except Exception:  # the original has a bare except
        print(parser.get_usage())


main(sys.argv[1:])
srv.finish()
