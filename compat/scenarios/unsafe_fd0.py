"""ESLconnection(host, None, pw), host=None and ESLconnection(-1) close fd 0 in the reference (API.md 4.2, 4.3, 4.4)."""
import gc
import os

from harness import call, import_esl

ESL = import_esl()


def fd0_open():
    try:
        os.fstat(0)
        return True
    except OSError:
        return False


for label, args in [("port None", ("127.0.0.1", None, "pw")), ("port None userauth", ("127.0.0.1", None, "u", "pw")),
                    ("host None", (None, 8021, "pw")), ("fd -1", (-1,))]:
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0) if not fd0_open() else None
    c = call(label, ESL.ESLconnection, *args)
    call(label + ": connected", c.connected)
    call(label + ": socketDescriptor", c.socketDescriptor)
    call(label + ": fd 0 open after ctor", fd0_open)
    call(label + ": disconnect", c.disconnect)
    call(label + ": fd 0 open after disconnect", fd0_open)
    del c
    gc.collect()
    call(label + ": fd 0 open after GC", fd0_open)
