"""An embedded FreeSWITCH event-socket simulator, faithful to the real server on the wire.

Usage::

    with ESL.sim.Simulator() as sim:          # 127.0.0.1, a free port, password ClueCon
        conn = ESL.ESLconnection("127.0.0.1", str(sim.port), "ClueCon")

or from a shell: ``python -m ESL.sim [--conf DIR] [--host H] [--port P] [--heartbeat SECONDS]``.
``conf_dir`` is a FreeSWITCH XML configuration directory (``freeswitch.xml`` and what it
includes); without it the simulator behaves like a stock install.

Layers, each importing only those before it: :mod:`.config` and :mod:`.loop`; the switch model
(:mod:`.core`, then :mod:`.channel`, :mod:`.applications`, :mod:`.originate`); the api
:mod:`.commands`; the connections (:mod:`.subscriptions`, :mod:`.listener`, :mod:`.outbound`);
and this module's :class:`Simulator`, which wires the upper layers into the switch.
"""
import socket
import threading
from typing import Dict, List, Optional, Tuple  # noqa: F401 (type comments)

from .applications import APPLICATIONS
from .caller import Call
from .commands import API
from .config import Config, ConfigError
from .core import Switch
from .listener import Listener
from .originate import inbound_call
from .outbound import start_outbound
from .say import SAY_APPLICATIONS

__all__ = ["Simulator", "Call", "Config", "ConfigError"]


class Simulator:
    """A running simulated FreeSWITCH: one listening socket served by its own thread.

    ``host``/``port`` override the configuration's ``listen-ip``/``listen-port``; ``port=0``
    picks a free port (read it back from :attr:`port`). ``heartbeat_interval`` (seconds)
    overrides ``event-heartbeat-interval``; ``auth_timeout`` the 25-second auth window;
    ``check_ip_interval`` the period of the scheduler's ``check_ip`` task (60 s), whose
    RE_SCHEDULE event follows a HEARTBEAT whenever both fall due together.
    ``max_connections`` caps the open event-socket connections: a client beyond it is
    accepted and closed at once, without a greeting (FreeSWITCH itself has no cap).
    """

    def __init__(self, conf_dir: Optional[str] = None, host: Optional[str] = "127.0.0.1",
                 port: Optional[int] = 0, heartbeat_interval: Optional[float] = None,
                 auth_timeout: float = 25.0, password: Optional[str] = None,
                 check_ip_interval: float = 60.0, max_connections: int = 1000) -> None:
        self.config = Config.load(conf_dir)
        if password is not None:
            self.config.password = password
        self.host = host if host is not None else self.config.listen_ip
        self._want_port = port if port is not None else self.config.listen_port
        self.switch = Switch(self.config, heartbeat_interval, auth_timeout, check_ip_interval)
        self.switch.sim = self
        self.switch.conf_dir = conf_dir
        # The layers above the switch model plug in here, so it never imports them.
        self.switch.api_commands = dict(API)
        self.switch.applications = dict(APPLICATIONS, **SAY_APPLICATIONS)
        self.switch.connect_outbound = (
            lambda chan, targets, async_mode, full, done:
            start_outbound(self, chan, targets, async_mode, full, done))
        self._server = None   # type: Optional[socket.socket]
        self._thread = None   # type: Optional[threading.Thread]
        self._listeners = []  # type: List
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._done = threading.Event()
        self._stopper = None   # type: Optional[threading.Thread]
        self.switch.request_stop = self._stop_soon
        self.port = 0
        self.max_connections = max_connections

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> "Simulator":
        """Bind, start the switch and the accept thread; returns self."""
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        srv = socket.socket(family, socket.SOCK_STREAM)
        srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            srv.bind((self.host, self._want_port))
        except OSError:
            srv.close()
            raise
        srv.listen(64)
        self._server = srv
        self.port = srv.getsockname()[1]
        self.switch.start()
        self._thread = threading.Thread(target=self._accept_loop, daemon=True,
                                        name="esl-sim-accept")
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop accepting, end every connection (shutdown notice) and stop the switch.

        Returns once stopped, also when another thread (a ``shutdown`` api command) began it.
        """
        if self._stopped.is_set():
            if threading.current_thread() is not self._stopper:
                self._done.wait(30)
            return
        self._stopped.set()
        self._stopper = threading.current_thread()
        if self._server is not None:
            try:
                self._server.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self._server.close()
        if self._thread is not None:
            self._thread.join(5)
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            listener.close()
        for listener in listeners:
            listener.thread.join(5)
        self.switch.stop()
        self._done.set()

    def wait(self, timeout: Optional[float] = None) -> bool:
        """Block until the simulator has stopped — by :meth:`stop` or by a ``shutdown`` (or
        ``fsctl shutdown``) api command; True if it has, False on timeout."""
        return self._done.wait(timeout)

    def _stop_soon(self) -> None:
        # A shutdown command runs on the switch loop, which stop() joins: stop from a thread.
        threading.Thread(target=self.stop, name="esl-sim-shutdown", daemon=True).start()

    def __enter__(self) -> "Simulator":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def address(self):
        """``(host, port)`` the simulator listens on."""
        return (self.host, self.port)

    def call(self, extension: str, caller_number: str = "0000000000", caller_name: str = "",
             context: str = "default", variables: Optional[Dict[str, str]] = None,
             apps: Optional[List[Tuple[str, str]]] = None) -> Call:
        """Place an inbound call from a simulated phone to ``extension``; returns its
        :class:`Call` at once (the call is routing).

        The dialplan's ``context`` routes it, unless ``apps`` (a list of
        ``(application, data)``) says what the call runs instead, e.g.
        ``[("socket", "127.0.0.1:8084 async full")]`` to hand it to an outbound handler
        without a configuration. ``variables`` are set on the channel first.
        """
        chan = self.switch.loop.call(lambda: inbound_call(
            self.switch, extension, caller_number, caller_name, context, variables,
            list(apps) if apps is not None else None))
        return Call(self.switch, chan)

    def register(self, user: str, domain: Optional[str] = None) -> None:
        """Count directory user ``user`` (of ``domain``, default the ``domain`` variable) as
        registered, so that ``user/<user>`` reaches a simulated phone that answers instead of
        failing with USER_NOT_REGISTERED."""
        domain = domain or self.switch.global_vars.get("domain", "")
        self.switch.loop.call(lambda: self.switch.registrations.add("%s@%s" % (user, domain)))

    def channel_count(self) -> int:
        """Number of live channels (legs) in the switch."""
        return len(self.switch.channels)

    def connection_count(self) -> int:
        """Number of open event-socket connections (inbound and outbound)."""
        with self._lock:
            return sum(1 for lst in self._listeners if not lst.finished)

    # -- internals -------------------------------------------------------------------------
    def _track(self, listener) -> None:
        with self._lock:
            self._listeners = [lst for lst in self._listeners if not lst.finished]
            self._listeners.append(listener)

    def _accept_loop(self) -> None:
        assert self._server is not None
        while not self._stopped.is_set():
            try:
                sock, peer = self._server.accept()
            except OSError:
                return
            if self._stopped.is_set():
                sock.close()
                return
            if self.connection_count() >= self.max_connections:
                # Difference: FreeSWITCH has no such limit; ours keeps one client from
                # exhausting the process's threads and descriptors. The peer sees the close.
                sock.close()
                continue
            listener = Listener(self, sock, peer)
            self._track(listener)
            listener.start()
