"""The console's link to the switch: connecting with a timeout, why a connect failed, the
command frame fs_cli sends, what counts as a failed reply.

May import :mod:`ESL.connection`, :mod:`ESL.cli.exits` and :mod:`ESL.cli.options`.
"""
import signal
import socket
import threading
from typing import Optional, Tuple

from ..connection import ESLconnection
from .exits import EXIT_AUTH, EXIT_CONNECT
from .options import Profile

RETRY_ATTEMPTS = 120        # fs_cli: each -r adds 120 connection attempts
RECONNECT_ATTEMPTS = 119    # fs_cli: -R restarts its connect loop with 120 (= 119 tries)
RETRY_INTERVAL = 1.0        # seconds between attempts, as fs_cli


def _block_sigint() -> None:
    """Keep SIGINT away from a helper thread, so the kernel delivers Ctrl-C to the main thread
    (Python runs handlers only there; a signal landing elsewhere would not interrupt the
    main thread's blocking read)."""
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})



class ConnectError(Exception):
    """Connecting failed; ``reason`` is a short text, ``status`` the exit status to use."""

    def __init__(self, reason: str, status: int) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


def _diagnose(host: str, port: int, timeout_ms: int) -> Tuple[str, int]:
    """Why did ESLconnection fail? A bare TCP connect tells refused/unreachable from auth.

    Workaround: ESLconnection has no failure reason (the C handle's ``err``); this probe runs
    only after a failure and speaks no protocol.
    """
    try:
        probe = socket.create_connection((host, port), timeout=(timeout_ms or 5000) / 1000.0)
    except socket.gaierror:
        return "Cannot resolve host", EXIT_CONNECT
    except socket.timeout:
        return "Connection timed out", EXIT_CONNECT
    except OSError as exc:
        return exc.strerror or str(exc), EXIT_CONNECT
    probe.close()
    return "Authentication failed", EXIT_AUTH


def open_connection(profile: Profile) -> ESLconnection:
    """Connect and authenticate; return the connection or raise :class:`ConnectError`.

    Honours ``profile.connect_timeout`` (ms, 0 = wait as long as the OS does) for the whole
    connect + greeting + auth exchange. Workaround: ESLconnection's constructor takes no
    timeout, so it runs in a helper thread we stop waiting for; a late connection is closed.
    """
    box = {}
    lock = threading.Lock()

    def run() -> None:
        _block_sigint()
        try:
            if profile.user:
                conn = ESLconnection(profile.host, profile.port, profile.user, profile.password)
            else:
                conn = ESLconnection(profile.host, profile.port, profile.password)
        except (TypeError, ValueError) as exc:   # e.g. a NUL-free host the binding rejects
            box["error"] = exc
            return
        with lock:
            if box.get("abandoned"):
                conn.disconnect()
                return
            box["conn"] = conn

    worker = threading.Thread(target=run, name="esl-connect", daemon=True)
    worker.start()
    timeout = profile.connect_timeout / 1000.0 if profile.connect_timeout > 0 else None
    worker.join(timeout)
    with lock:
        if worker.is_alive():
            box["abandoned"] = True
            raise ConnectError("Connection timed out", EXIT_CONNECT)
    if "error" in box:
        raise ConnectError(str(box["error"]).strip(), EXIT_CONNECT)
    conn = box["conn"]
    if conn.connected():
        return conn
    reason = getattr(conn, "_err", None)   # the hook we asked the integrator for
    if reason:
        if "auth" in reason.lower():   # C: "Authentication Error"
            raise ConnectError("Authentication failed", EXIT_AUTH)
        raise ConnectError(reason, EXIT_CONNECT)
    raise ConnectError(*_diagnose(profile.host, profile.port, profile.connect_timeout))


def _is_failure(text: Optional[str]) -> bool:
    return bool(text) and text.lstrip().upper().startswith(("-ERR", "-USAGE"))


def _api_frame(cmd: str) -> str:
    """What fs_cli sends for a console command: ``api`` with ``console_execute: true``."""
    # A newline inside the command would start a new header; fs_cli cannot send one either.
    cmd = cmd.replace("\r", " ").replace("\n", " ")
    return "api %s\nconsole_execute: true" % cmd
