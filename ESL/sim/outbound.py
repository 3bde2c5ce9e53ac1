"""The outbound event socket: the ``socket`` application's connection to a client's server.

:func:`start_outbound` is what the :class:`~ESL.sim.Simulator` installs as the switch's
``connect_outbound`` hook, so the applications below need not import the listener layer.
"""
import socket
import threading
from typing import List

from .calllog import SOCKET_TRYING
from .listener import Listener

__all__ = ["start_outbound"]


def start_outbound(sim, chan, targets: List[str], async_mode: bool, full: bool, done) -> None:
    """Connect the ``socket`` application to the first reachable ``host:port``.

    Runs the connect on a helper thread; ``done`` (a loop Signal) receives the new
    :class:`Listener`, or None if no target answered.
    """
    def work():
        listener = None
        for number, target in enumerate(targets):
            if number:   # the application logged the first one (on the channel's thread)
                sim.switch.log(5, "Trying host: %s" % target, *SOCKET_TRYING, uuid=chan.uuid)
            host, _, port = target.rpartition(":")
            try:
                sock = socket.create_connection((host or "127.0.0.1", int(port)), timeout=5)
            except OSError as exc:
                sim.switch.log(3, "Socket Error: %s" % (exc.strerror or exc), SOCKET_TRYING[0],
                               SOCKET_TRYING[1], 486, chan.uuid)
                continue
            except ValueError:
                continue
            sock.settimeout(None)
            listener = Listener(sim, sock, sock.getpeername(), channel=chan,
                                async_mode=async_mode, full=full)

            def attach(lst=listener, h=host):
                chan.listener = lst
                chan.released_sig = chan.loop.signal()
                chan.setvar("socket_host", h)
                lst.my_uuid = chan.uuid
                lst.start()
                done.set(lst)
            chan.loop.post(attach)
            sim._track(listener)
            return
        chan.loop.post(lambda: done.set(None))
    threading.Thread(target=work, daemon=True, name="esl-sim-outbound").start()
