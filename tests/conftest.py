"""Shared test helpers."""
import os
import socket

import pytest


def need_tracemalloc():
    """The tracemalloc module, or skip: PyPy has none (its memory is not traced that way)."""
    return pytest.importorskip("tracemalloc", reason="this interpreter has no tracemalloc")


def free_port():
    """A loopback TCP port that was free a moment ago (for a process that must bind it itself)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# A configuration whose extension 9999 hands the call to an outbound socket on 127.0.0.1.
_SOCKET_DIALPLAN = """<?xml version="1.0"?>
<document type="freeswitch/xml">
  <section name="dialplan">
    <context name="default">
      <extension name="outbound">
        <condition field="destination_number" expression="^9999$">
          <action application="socket" data="127.0.0.1:{port} async full"/>
        </condition>
      </extension>
    </context>
  </section>
</document>
"""


def socket_dialplan_conf(conf_dir, port):
    """Write into ``conf_dir`` a freeswitch.xml whose extension 9999 runs ``socket
    127.0.0.1:<port> async full``; returns ``conf_dir`` as a str."""
    with open(os.path.join(str(conf_dir), "freeswitch.xml"), "w") as fh:
        fh.write(_SOCKET_DIALPLAN.format(port=port))
    return str(conf_dir)
