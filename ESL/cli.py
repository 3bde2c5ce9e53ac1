"""``esl`` / ``python -m ESL``: an ``fs_cli`` work-alike built on :class:`ESLconnection`.

Options, profiles (``~/.fs_cli_conf`` or ``/etc/fs_cli.conf``), slash commands, prompt, log
colours and messages follow FreeSWITCH's ``fs_cli``. Where we differ on purpose the line says
``Difference:``. Exit statuses (``fs_cli`` only knows 0 and 255):

====  ======================================================================
0     success
1     a ``-x`` command failed (its reply starts with ``-ERR``/``-USAGE``)
2     usage error (bad option, unknown profile)
3     cannot connect (refused, unreachable, name not found, connect timeout)
4     authentication failed
5     the connection was lost (and was not, or could not be, re-established)
6     a ``-x`` command timed out (``-t``)
====  ======================================================================
"""
import argparse
import os
import signal
import socket
import sys
import threading
import time
import warnings
from typing import Callable, List, Optional, Tuple

from .connection import ESLconnection
from .protocol.commands import atoi, is_true

__all__ = ["main"]

EXIT_OK = 0
EXIT_COMMAND_FAILED = 1
EXIT_USAGE = 2
EXIT_CONNECT = 3
EXIT_AUTH = 4
EXIT_LOST = 5
EXIT_TIMEOUT = 6

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8021
DEFAULT_PASSWORD = "ClueCon"
RETRY_ATTEMPTS = 120        # fs_cli: each -r adds 120 connection attempts
RECONNECT_ATTEMPTS = 119    # fs_cli: -R restarts its connect loop with 120 (= 119 tries)
RETRY_INTERVAL = 1.0        # seconds between attempts, as fs_cli
HISTORY_LENGTH = 800
POLL_MS = 50                # reader thread's recvEventTimed slice

# ESL_SEQ_* escape sequences and fs_cli's colour per log level (0 EMERG .. 7 DEBUG).
RESET = "\033[m"
_FG = {"black": 30, "red": 31, "green": 32, "yellow": 33, "blue": 34, "magenta": 35,
       "cyan": 36, "white": 37}
LEVEL_COLORS = (RESET, "\033[31m", "\033[31m", "\033[31m", "\033[35m", "\033[36m",
                "\033[32m", "\033[33m")
CLEAR_LINE = "\r\033[K"

HELP_TEXT = (
    "Command                    \tDescription\n"
    "-----------------------------------------------\n"
    "/help                      \tHelp\n"
    "/exit, /quit, /bye, ...    \tExit the program.\n"
    "/event, /noevents, /nixevent\tEvent commands.\n"
    "/log, /nolog               \tLog commands.\n"
    "/uuid                      \tFilter logs for a single call uuid\n"
    "/filter                    \tFilter commands.\n"
    "/logfilter                 \tFilter Log for a single string.\n"
    "/debug [0-7]               \tSet debug level.\n"
    "\n"
)

# Default function keys, as fs_cli's set_fn_keys().
DEFAULT_FNKEYS = ("help", "status", "show channels", "show calls", "sofia status", "reloadxml",
                  "/log console", "/log debug", "sofia status profile internal", "fsctl pause",
                  "fsctl resume", "version")
# Escape sequences of F1..F12 (xterm "\eOP" style, then the "\e[11~" style fs_cli also binds).
_FNKEY_SEQS = (
    ("\\eOP", "\\e[11~"), ("\\eOQ", "\\e[12~"), ("\\eOR", "\\e[13~"), ("\\eOS", "\\e[14~"),
    ("\\e[15~",), ("\\e[17~",), ("\\e[18~",), ("\\e[19~",), ("\\e[20~",), ("\\e[21~",),
    ("\\e[23~",), ("\\e[24~",),
)
LOG_UUID_SHORT = 8


# -- profiles and configuration ------------------------------------------------------------

class Profile:
    """One ``[section]`` of fs_cli.conf (or the built-in profile), plus command-line overrides."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.host = DEFAULT_HOST
        self.port = DEFAULT_PORT
        self.user = ""
        self.password = DEFAULT_PASSWORD
        self.debug = 0
        self.loglevel = ""
        self.quiet = False
        self.batch_mode = False
        self.log_uuid = False
        self.log_uuid_length = 0
        self.use_history_file = True
        self.prompt_string = ""
        self.prompt_color = ""
        self.input_text_color = ""
        self.output_text_color = ""
        self.timeout = 0              # ms, for -x commands
        self.connect_timeout = 0      # ms
        self.fnkeys: List[Optional[str]] = list(DEFAULT_FNKEYS)

    def set(self, var: str, val: str) -> None:
        """Apply one ``var => val`` pair; unknown names are ignored, as fs_cli does."""
        var = var.lower()
        if var == "host":
            self.host = val
        elif var == "user":
            self.user = val
        elif var == "password":
            self.password = val
        elif var == "port":
            port = atoi(val)
            if port > 0:
                self.port = port & 0xFFFF
        elif var == "batchmode":
            self.batch_mode = is_true(val)
        elif var == "debug":
            level = atoi(val)
            if 0 <= level <= 7:
                self.debug = level
        elif var == "loglevel":
            self.loglevel = val
        elif var == "log-uuid":
            self.log_uuid = is_true(val)
        elif var == "log-uuid-short":
            self.log_uuid = is_true(val)
            self.log_uuid_length = LOG_UUID_SHORT if self.log_uuid else 0
        elif var == "log-uuid-length":
            length = atoi(val)
            if length > -1:
                self.log_uuid_length = length
        elif var == "quiet":
            self.quiet = is_true(val)
        elif var == "no-history-file":
            self.use_history_file = not is_true(val)
        elif var == "prompt-color":
            self.prompt_color = _color(val)
        elif var == "prompt-string":
            self.prompt_string = val
        elif var == "input-text-color":
            self.input_text_color = _color(val)
        elif var == "output-text-color":
            self.output_text_color = _color(val)
        elif var.startswith("key_f"):
            key = atoi(var[5:])
            if 1 <= key <= 12:
                self.fnkeys[key - 1] = val
        elif var == "timeout":
            # Difference: fs_cli takes timeout/connect-timeout from whichever section it read
            # last; we take them from the profile in use.
            self.timeout = atoi(val)
        elif var == "connect-timeout":
            self.connect_timeout = atoi(val)


def _color(name: str) -> str:
    """fs_cli's colour names (``red``, ``bold-red``, ...); unknown names give the reset code."""
    name = name.strip().lower()
    bold = name.startswith("bold-")
    code = _FG.get(name[5:] if bold else name)
    if code is None:
        return RESET
    # ESL_SEQ_B* are really background colours in esl.h; fs_cli uses them for "bold-*".
    return "\033[%dm" % (code + 10 if bold else code)


def parse_config(text: str) -> List[Profile]:
    """Parse fs_cli.conf text (esl_config rules) into profiles, in file order.

    ``[name]`` starts a profile; ``var => value`` or ``var = value`` set its keys; lines
    starting with ``#`` or ``;`` are comments, and ``;;`` starts a comment anywhere; a line
    ``__END__`` ends the file. Keys before the first section are ignored.
    """
    profiles: List[Profile] = []
    current: Optional[Profile] = None
    for raw in text.splitlines():
        if raw.startswith("[") and "]" in raw:
            name = raw[1:raw.index("]")]
            if name.startswith("+"):   # esl_config "[+section]": not used by fs_cli
                continue
            if current is None or current.name != name:
                current = Profile(name)
                profiles.append(current)
            continue
        if not raw or raw[0] in "#;\r":
            continue
        if raw.startswith("__END__"):
            break
        cut = raw.find(";;")
        line = raw[:cut] if cut >= 0 else raw.rstrip("\r")
        line = line.lstrip(" \t")
        eq = line.find("=")
        if eq < 0 or current is None:
            continue
        var = line[:eq].rstrip(" \t")
        val = line[eq + 1:]
        if val.startswith(">"):
            val = val[1:]
        current.set(var, val.lstrip(" \t"))
    return profiles


def config_paths(home: Optional[str]) -> List[str]:
    """The files fs_cli reads, first that exists wins: ``~/.fs_cli_conf``, ``/etc/fs_cli.conf``."""
    paths = []
    if home:
        paths.append(os.path.join(home, ".fs_cli_conf"))
    paths.append("/etc/fs_cli.conf" if os.name != "nt" else "fs_cli.conf")
    return paths


def load_profiles(paths: List[str]) -> List[Profile]:
    """Profiles from the first readable file of ``paths``; [] if none is readable."""
    for path in paths:
        try:
            with open(path, encoding="utf-8", errors="surrogateescape") as fh:
                return parse_config(fh.read())
        except OSError:
            continue
    return []


# -- command line ---------------------------------------------------------------------------

def _build_parser(prog: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=prog, add_help=False,
        usage="%(prog)s [-H <host>] [-P <port>] [-p <secret>] [-d <level>] [-x command] "
              "[-t <timeout_ms>] [profile]",
        description="FreeSWITCH event-socket console (fs_cli work-alike).")
    a = p.add_argument
    a("-h", "-?", "--help", action="help", help="Usage Information")
    a("-H", "--host", help="Host to connect")
    a("-P", "--port", help="Port to connect (1 - 65535)")
    a("-u", "--user", help="user@domain")
    a("-p", "--password", help="Password")
    a("-i", "--interrupt", action="store_true", help="Allow Control-c to interrupt")
    a("-x", "--execute", action="append", metavar="COMMAND",
      help="Execute Command and Exit (repeatable: run in order, stop at the first failure)")
    a("-l", "--loglevel", help="Log Level")
    a("-U", "--log-uuid", action="store_true", help="Include UUID in log output")
    a("-S", "--log-uuid-short", action="store_true", help="Include shortened UUID in log output")
    a("-q", "--quiet", action="store_true", help="Disable logging")
    a("-Q", "--no-history-file", action="store_true", help="Don't load or save the history file")
    a("-r", "--retry", action="count", default=0, help="Retry connection on failure")
    a("-R", "--reconnect", action="store_true", help="Reconnect if disconnected")
    a("-d", "--debug", help="Debug Level (0 - 7)")
    a("-b", "--batchmode", action="store_true", help="Batch mode")
    a("-t", "--timeout", help="Timeout for API commands (in milliseconds)")
    a("-T", "--connect-timeout", help="Timeout for socket connection (in milliseconds)")
    a("-n", "--no-color", action="store_true", help="Disable color")
    a("-s", "--set-log-uuid", metavar="UUID", help="Set UUID to filter log events")
    a("profile", nargs="?", help="profile name from ~/.fs_cli_conf or /etc/fs_cli.conf")
    return p


class _Usage(Exception):
    pass


def _resolve_profile(args, profiles: List[Profile]) -> Profile:
    """fs_cli's choice: the named profile, else ``default``, else the first, else built-in."""
    by_name = {}
    for prof in profiles:
        by_name.setdefault(prof.name, prof)
    if args.profile is not None:
        if args.profile not in by_name:
            # Difference: fs_cli silently falls back to the default profile.
            known = ", ".join(sorted(by_name)) or "none configured"
            raise _Usage("Unknown profile [%s] (profiles: %s)" % (args.profile, known))
        return by_name[args.profile]
    if "default" in by_name:
        return by_name["default"]
    if profiles:
        return profiles[0]
    return Profile(socket.gethostname())


def _apply_args(args, profile: Profile) -> None:
    if args.host is not None:
        profile.host = args.host
    if args.port is not None:
        port = atoi(args.port)
        if not 0 < port < 65536:
            raise _Usage("ERROR: Port must be in range 1 - 65535")
        profile.port = port
    if args.user is not None:
        profile.user = args.user
    if args.password is not None:
        profile.password = args.password
    if args.debug is not None:
        level = atoi(args.debug)
        if not 0 <= level <= 7:
            raise _Usage("ERROR: Debug level should be 0 - 7.")
        profile.debug = level
    if args.batchmode:
        profile.batch_mode = True
    if args.no_history_file:
        profile.use_history_file = False
    if args.loglevel:
        profile.loglevel = args.loglevel
        profile.quiet = False
    if args.quiet:
        profile.quiet = True
    if args.log_uuid:
        profile.log_uuid = True
    if args.log_uuid_short:
        profile.log_uuid = True
        profile.log_uuid_length = LOG_UUID_SHORT
    if args.timeout is not None:
        profile.timeout = atoi(args.timeout)
    if args.connect_timeout is not None:
        profile.connect_timeout = atoi(args.connect_timeout)


def _block_sigint() -> None:
    """Keep SIGINT away from a helper thread, so the kernel delivers Ctrl-C to the main thread
    (Python runs handlers only there; a signal landing elsewhere would not interrupt the
    main thread's blocking read)."""
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})


# -- connecting -----------------------------------------------------------------------------

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


# -- output ---------------------------------------------------------------------------------

class Output:
    """Serialises writes from the input and reader threads; keeps the prompt line intact.

    While the input thread sits at the prompt (``at_prompt``), asynchronous text first clears
    the prompt line and afterwards redraws prompt and typed text, as fs_cli does on a terminal.
    """

    def __init__(self, out, err, color: bool, redraw: bool) -> None:
        self.out = out
        self.err = err
        self.color = color
        self.redraw = redraw
        self.lock = threading.RLock()
        self.at_prompt = False
        self.prompt = ""
        self.line_buffer: Callable[[], str] = lambda: ""

    def write(self, text: str, stream=None) -> None:
        stream = stream or self.out
        with self.lock:
            redraw = self.redraw and self.at_prompt
            if redraw:
                self.out.write(CLEAR_LINE)
                self.out.flush()
            stream.write(text)
            stream.flush()
            if redraw:
                typed = self.line_buffer()
                if isinstance(typed, bytes):   # PyPy's readline
                    typed = typed.decode("utf-8", "replace")
                self.out.write(self.prompt + typed)
                self.out.flush()

    def error(self, text: str) -> None:
        self.write(text + "\n", self.err)


def _event_text(event) -> str:
    """Readable text of an event: ``Name: value`` lines, then the body (values not encoded)."""
    lines = []
    name = event.firstHeader()
    while name is not None:
        value = event.getHeader(name)
        lines.append("%s: %s\n" % (name, "" if value is None else value))
        name = event.nextHeader()
    body = event.getBody()
    text = "".join(lines)
    if body:
        text += "Content-Length: %d\n\n%s" % (len(body.encode("utf-8", "surrogateescape")), body)
    return text


# -- the console ----------------------------------------------------------------------------

class Console:
    """The interactive session: an input loop on the main thread, a reader thread for
    log lines and events, and (with ``-R``) reconnection."""

    def __init__(self, profile: Profile, conn: ESLconnection, out: Output, args) -> None:
        self.profile = profile
        self.conn: Optional[ESLconnection] = conn
        self.out = out
        self.reconnect = bool(args.reconnect)
        self.allow_ctl_c = bool(args.interrupt)
        self.filter_uuid: Optional[str] = args.set_log_uuid or None
        self.logfilter: Optional[str] = None
        self.stop = threading.Event()
        self.lost = False          # disconnected for good: the input loop must end
        self.in_input = False
        self.warn_stop = False
        self.replay: List[str] = []   # subscription commands to repeat after a reconnect
        self.switchname = ""
        self.switch_hostname = ""
        self.prompt = ""
        self.readline = None
        self._hooked = False
        self.history_file: Optional[str] = None
        self.conn_lock = threading.Lock()
        # fs_cli's MUTEX: one exchange at a time between the reader and the command threads.
        # Without it the reader can see the socket readable, lose the data to a command's
        # reply wait, then block in ESLconnection's read holding the connection lock.
        self.io_lock = threading.Lock()
        self.io_wanted = 0          # commands waiting for io_lock (the reader yields to them)
        self._count_lock = threading.Lock()
        self._main_ident = threading.get_ident()

    # -- helpers ---------------------------------------------------------------------------

    def _c(self, seq: str) -> str:
        return seq if (self.out.color and seq) else ""

    def _say(self, text: str) -> None:
        """fs_cli's output_printf: output text colour (if configured), then the text."""
        self.out.write(self._c(self.profile.output_text_color) + text)

    def _api_body(self, cmd: str) -> str:
        # sendRecv, not api(): fs_cli sends "api switchname" without api()'s trailing blank.
        reply = self._send_recv("api " + cmd, quiet=True)
        body = reply.getBody() if reply is not None else ""
        return (body or "").strip()

    def setup_prompt(self) -> None:
        """``freeswitch@<switchname>> `` or the profile's prompt-string, like fs_cli."""
        name = self._api_body("switchname")
        # Difference: fs_cli shows an -ERR reply as the switch name; we fall back instead.
        self.switchname = name if name and not _is_failure(name) else self.profile.name
        host = self._api_body("hostname")
        self.switch_hostname = host if host and not _is_failure(host) else self.profile.name
        if self.profile.prompt_string:
            bare = "%s> " % self._expand_prompt(self.profile.prompt_string)
        else:
            bare = "freeswitch@%s> " % self.switchname
        pcolor = self._c(self.profile.prompt_color)
        icolor = self._c(self.profile.input_text_color)
        if self.readline is not None and (pcolor or icolor):
            # \001..\002 tell readline these bytes take no room on the line.
            prompt = "\001%s\002%s\001%s\002" % (pcolor, bare, icolor)
        else:
            prompt = pcolor + bare + icolor
        self.prompt = prompt
        self.out.prompt = prompt.replace("\001", "").replace("\002", "")

    def _expand_prompt(self, text: str) -> str:
        values = {"s": self.switchname, "h": socket.gethostname(), "H": self.switch_hostname,
                  "p": self.profile.name, "o": self.profile.host, "P": str(self.profile.port),
                  "%": "%"}
        out, i = [], 0
        while i < len(text):
            ch = text[i]
            if ch == "%" and i + 1 < len(text):
                out.append(values.get(text[i + 1], ""))
                i += 2
                continue
            out.append(ch)
            i += 1
        return "".join(out)

    def banner(self) -> None:
        # Our own banner; the line fs_cli users look for is kept verbatim.
        yellow = self._c("\033[33m")
        self.out.write("%sFreeSWITCH console (esl-python) connected to %s:%d%s\n\n"
                       "Type /help <enter> to see a list of commands\n\n\n"
                       % (yellow, self.profile.host, self.profile.port, self._c(RESET)))

    def start_logging(self) -> None:
        """Send ``log <level>`` unless quiet, and show the reply, as fs_cli does at start."""
        if not self.profile.quiet:
            self._subscription(self._log_command(), record=False)

    def _log_command(self) -> str:
        # fs_cli's bytes: "log <level>", so "log " (trailing blank) when no level is set.
        return "log %s" % self.profile.loglevel

    # -- reading from the switch -----------------------------------------------------------

    def reader(self) -> None:
        _block_sigint()
        while not self.stop.is_set():
            conn = self.conn
            if conn is None:
                time.sleep(POLL_MS / 1000.0)
                continue
            if self.io_wanted:
                time.sleep(0.005)   # let the waiting command have the connection
                continue
            with self.io_lock:
                event = conn.recvEventTimed(POLL_MS)
            if event is not None:
                self.show(event)
            elif not conn.connected():
                if self.stop.is_set():
                    break
                self.on_disconnect(conn)
            if self.warn_stop:
                self.warn_stop = False
                self._say("Type control-D or /exit or /quit or /bye to exit.\n\n")

    def show(self, event) -> None:
        """Print one packet from the switch the way fs_cli's message thread does."""
        if event.getType() != "SOCKET_DATA":
            self._say("RECV EVENT\n%s\n" % _event_text(event))
            return
        ctype = (event.getHeader("Content-Type") or "").lower()
        if ctype == "log/data":
            self.show_log(event)
        elif ctype == "text/disconnect-notice":
            pass   # a lingering connection's notice; the close that follows is what counts
        else:
            body = event.getBody() or ""
            self._say("INCOMING DATA [%s]\n%s\n" % (event.getHeader("Content-Type"), body))

    def show_log(self, event) -> None:
        body = event.getBody()
        if not body or body == "\n":
            return
        userdata = event.getHeader("User-Data") or ""
        if userdata and self.filter_uuid and self.filter_uuid.lower() != userdata.lower():
            return
        if self.logfilter and self.logfilter not in body:
            return
        level = atoi(event.getHeader("Log-Level") or "0")
        # Difference: fs_cli indexes its colour table with any level; we clamp to 0..7.
        color = self._c(LEVEL_COLORS[min(max(level, 0), 7)])
        prefix = ""
        if self.profile.log_uuid and userdata:
            length = self.profile.log_uuid_length
            prefix = (userdata[:length] if length else userdata) + " "
        text = color + prefix + body
        if not body.endswith("\n"):
            text += "\n"
        self.out.write(text + self._c(RESET))

    def on_disconnect(self, conn: ESLconnection) -> None:
        """Called once per lost connection, from either thread."""
        with self.conn_lock:
            if self.conn is not conn:
                return   # already handled
            self.conn = None
        conn.disconnect()
        where = "%s:%d" % (self.profile.host, self.profile.port)
        if not self.reconnect:
            self.out.error("Disconnected from %s." % where)
            self._lose()
            return
        self.out.error("Disconnected from %s; reconnecting..." % where)
        threading.Thread(target=self._reconnect, name="esl-reconnect", daemon=True).start()

    def _reconnect(self) -> None:
        _block_sigint()
        where = "%s:%d" % (self.profile.host, self.profile.port)
        reason = ""
        for attempt in range(RECONNECT_ATTEMPTS):
            if self.stop.is_set():
                return
            if attempt:
                time.sleep(RETRY_INTERVAL)
            try:
                conn = open_connection(self.profile)
            except ConnectError as exc:
                reason = exc.reason
                continue
            with self.conn_lock:
                if self.stop.is_set():   # the user left while we were connecting
                    conn.disconnect()
                    return
                self.conn = conn
            self.out.error("Reconnected to %s." % where)
            if not self.profile.quiet:
                self._subscription(self._log_command(), record=False)
            for cmd in list(self.replay):
                self._subscription(cmd, record=False)
            return
        self.out.error("Could not reconnect to %s [%s]" % (where, reason))
        self._lose()

    def _lose(self) -> None:
        self.lost = True
        self.stop.set()
        self._wake_main()

    def _wake_main(self) -> None:
        """Interrupt the input thread's blocking read so it sees ``lost``.

        Repeated while it still waits: a signal landing just before readline's select() is
        only noticed at the next key press.
        """
        if not hasattr(signal, "pthread_kill"):
            return   # Windows: the input loop notices at the next line
        for _ in range(50):
            if not self.in_input:
                return
            try:
                signal.pthread_kill(self._main_ident, signal.SIGINT)
            except (OSError, ValueError):
                return
            time.sleep(0.2)

    # -- commands --------------------------------------------------------------------------

    def _send_recv(self, cmd: str, quiet: bool = False):
        """sendRecv on the current connection; None if there is none or it broke."""
        conn = self.conn
        if conn is None:
            if not quiet:
                self.out.error("Not connected%s."
                               % ("; reconnecting" if self.reconnect else ""))
            return None
        with self._count_lock:
            self.io_wanted += 1
        try:
            with self.io_lock:
                reply = conn.sendRecv(cmd)
        finally:
            with self._count_lock:
                self.io_wanted -= 1
        if reply is None:
            self.on_disconnect(conn)
        return reply

    def _subscription(self, cmd: str, record: bool = True) -> None:
        """event/nixevent/noevents/log/nolog/filter: send it and print the Reply-Text."""
        reply = self._send_recv(cmd)
        if reply is None:
            return
        if record:
            self.replay.append(cmd)
        self.out.write("%s\n" % (reply.getHeader("Reply-Text") or ""))

    def process(self, line: str) -> bool:
        """Run one console line. Returns False when the session should end."""
        cmd = line.lstrip(" ")
        if cmd.startswith("/") or cmd[:3].lower() == "...":
            if cmd.startswith("/"):
                cmd = cmd[1:]
            return self._slash(cmd)
        if cmd[:17].lower() == "console loglevel ":
            self._subscription("log %s" % cmd[17:], record=False)
        reply = self._send_recv(_api_frame(cmd))
        if reply is None:
            return not self.lost
        body = reply.getBody()
        if body:
            self._say("%s\n" % body)
        else:
            err = reply.getHeader("Reply-Text") or ""
            if err[:4].lower() == "-err":
                self._say("Error: %s!\n" % err[4:])
        return True

    def _slash(self, cmd: str) -> bool:
        low = cmd.lower()
        if low == "help":
            self._say(HELP_TEXT)
        elif low in ("exit", "quit", "...", "bye"):
            return False
        elif low.startswith("logfilter"):
            arg = cmd[9:].lstrip(" ")
            self.logfilter = arg or None
            self._say("Logfilter %s\n" % ("enabled" if self.logfilter else "disabled"))
        elif low.startswith("uuid"):
            arg = cmd[4:].lstrip(" ")
            self.filter_uuid = arg or None
            self._say("UUID filtering %s\n" % ("enabled" if self.filter_uuid else "disabled"))
        elif low.startswith(("event", "noevents", "nixevent", "log", "nolog", "filter")):
            self._subscription(cmd)
        elif low.startswith("debug"):
            level = atoi(cmd[6:]) if len(cmd) > 6 else 0
            if 0 <= level <= 7:
                _set_debug(level)
                self._say("fs_cli debug level set to %d\n" % level)
            else:
                self._say("fs_cli debug level must be 0 - 7\n")
        else:
            self._say("Unknown command [%s]\n" % cmd)
        return True

    # -- input -----------------------------------------------------------------------------

    def _on_sigint(self, signum, frame) -> None:
        if self.lost:
            raise KeyboardInterrupt
        if self.allow_ctl_c:
            self.out.write("Interrupted.\n")
            raise SystemExit(EXIT_COMMAND_FAILED)
        if self.in_input:
            raise KeyboardInterrupt   # abandon the half-typed line
        self.warn_stop = True         # a command is running: don't break the exchange

    def setup_readline(self, home: Optional[str]) -> None:
        """Line editing and history when stdin and stdout are terminals (not in batch mode)."""
        if self.profile.batch_mode or not (sys.stdin.isatty() and sys.stdout.isatty()):
            return
        try:
            import readline
        except ImportError:
            return   # no line editing on this platform: plain input still works
        self.readline = readline
        if hasattr(readline, "set_auto_history"):
            readline.set_auto_history(False)   # we skip repeated lines, like fs_cli
        readline.set_history_length(HISTORY_LENGTH)
        if home and self.profile.use_history_file:
            self.history_file = os.path.join(home, ".fs_cli_history")
            try:
                readline.read_history_file(self.history_file)
            except (OSError, UnicodeDecodeError):
                pass
        if "libedit" not in (readline.__doc__ or ""):
            readline.parse_and_bind("set enable-bracketed-paste off")
            # F1..F12 type their bound command and Enter (key_F<n> in the profile).
            for seqs, command in zip(_FNKEY_SEQS, self.profile.fnkeys):
                if not command:
                    continue
                macro = command.replace("\\", "\\\\").replace('"', '\\"')
                for seq in seqs:
                    readline.parse_and_bind('"%s": "\\C-a\\C-k%s\\n"' % (seq, macro))
        self.out.line_buffer = readline.get_line_buffer
        if hasattr(readline, "set_pre_input_hook"):
            # Redraw around asynchronous output only once readline has printed the prompt.
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                readline.set_pre_input_hook(self._prompt_shown)
            self._hooked = not caught   # PyPy's readline warns "not implemented"

    def _prompt_shown(self) -> None:
        self.out.at_prompt = True

    def save_history(self) -> None:
        if self.readline is not None and self.history_file:
            try:
                self.readline.write_history_file(self.history_file)
            except OSError:
                pass

    def _read_line(self) -> Optional[str]:
        """One line from the user; None at end of input."""
        if self.readline is not None:
            try:
                line = input(self.prompt)
            except EOFError:
                return None
            if line.strip():
                n = self.readline.get_current_history_length()
                if not n or self.readline.get_history_item(n) != line:
                    self.readline.add_history(line)
            return line
        if self.profile.batch_mode or sys.stdin.isatty():
            self.out.write(self.prompt)
        line = sys.stdin.readline()
        if not line:
            return None
        return line.rstrip("\r\n")

    def run(self, home: Optional[str]) -> int:
        """The interactive session; returns the exit status."""
        self.setup_readline(home)
        self.setup_prompt()
        self.banner()
        self.start_logging()
        self.out.redraw = self.readline is not None
        reader = threading.Thread(target=self.reader, name="esl-reader", daemon=True)
        reader.start()
        old_handler = None
        if threading.current_thread() is threading.main_thread():
            old_handler = signal.signal(signal.SIGINT, self._on_sigint)
        status = EXIT_OK
        try:
            while True:
                try:
                    self.in_input = True
                    if self.readline is None or not self._hooked:
                        self.out.at_prompt = True
                    if self.lost:
                        break
                    line = self._read_line()
                except KeyboardInterrupt:
                    if self.lost:
                        break
                    self.out.at_prompt = False
                    self.out.write("\nType control-D or /exit or /quit or /bye to exit.\n\n")
                    continue
                finally:
                    self.in_input = False
                    self.out.at_prompt = False
                if line is None:
                    if self.readline is not None or sys.stdin.isatty():
                        self.out.write("/exit\n\n")
                    break
                if not line.strip():
                    continue
                if not self.process(line):
                    break
                if self.lost:
                    break
        finally:
            self.stop.set()
            if old_handler is not None:
                signal.signal(signal.SIGINT, old_handler)
            self.save_history()
            with self.conn_lock:
                conn, self.conn = self.conn, None
            if conn is not None:
                conn.disconnect()
            reader.join(2.0)
        if self.lost:
            status = EXIT_LOST
        return status


def _set_debug(level: int) -> None:
    """The binding's debug log (fs_cli's esl_global_set_default_logger) on stderr."""
    from . import log as _log
    _log.eslSetLogLevel(level)


# -- -x -------------------------------------------------------------------------------------

def _execute(conn: ESLconnection, commands: List[str], timeout_ms: int, out) -> int:
    """Run each ``-x`` command in order; stop at the first failure. Returns the exit status."""
    for cmd in commands:
        frame = _api_frame(cmd)
        if timeout_ms > 0:
            box = {}
            worker = threading.Thread(target=lambda: box.setdefault("r", conn.sendRecv(frame)),
                                      name="esl-execute", daemon=True)
            worker.start()
            worker.join(timeout_ms / 1000.0)
            if worker.is_alive():
                out.write("Request timed out.\n")
                out.flush()
                conn.disconnect()
                return EXIT_TIMEOUT
            reply = box.get("r")
        else:
            reply = conn.sendRecv(frame)
        if reply is None:
            sys.stderr.write("Connection lost while running [%s]\n" % cmd)
            return EXIT_LOST
        body = reply.getBody()
        if body:
            out.write("%s\n" % body)
            out.flush()
            if _is_failure(body):
                return EXIT_COMMAND_FAILED
        else:
            err = reply.getHeader("Reply-Text") or ""
            if err[:4].lower() == "-err":
                out.write("Error: %s!\n" % err[4:])
                out.flush()
                return EXIT_COMMAND_FAILED
    return EXIT_OK


# -- entry point ----------------------------------------------------------------------------

def _want_color(args, profile: Profile) -> bool:
    """Colour only on a terminal, not with -n / batch mode / NO_COLOR / FS_CLI_COLOR=false."""
    # Difference: fs_cli colours log lines even when stdout is a file or a pipe.
    if args.no_color or profile.batch_mode or os.environ.get("NO_COLOR"):
        return False
    env = os.environ.get("FS_CLI_COLOR")
    if env is not None and not is_true(env):
        return False
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


def main(argv: Optional[List[str]] = None, prog: Optional[str] = None) -> int:
    """Run the console; returns the exit status (the console script exits with it)."""
    try:
        return _main(argv, prog)
    except KeyboardInterrupt:
        # Only reachable before connecting or during -x: fs_cli's "Interrupted." exit.
        sys.stdout.write("Interrupted.\n")
        return EXIT_COMMAND_FAILED


def _main(argv: Optional[List[str]], prog: Optional[str]) -> int:
    if argv is None:
        argv = sys.argv[1:]
    parser = _build_parser(prog or os.path.basename(sys.argv[0] or "esl"))
    args = parser.parse_args(argv)   # exits with 2 on unknown options, as argparse does
    home = os.environ.get("HOME") or os.path.expanduser("~") or None
    if home == "~":
        home = None
    try:
        profile = _resolve_profile(args, load_profiles(config_paths(home)))
        _apply_args(args, profile)
    except _Usage as exc:
        sys.stderr.write("%s\n\n" % exc)
        parser.print_usage(sys.stderr)
        return EXIT_USAGE
    if profile.debug:
        _set_debug(profile.debug)
    if profile.debug >= 7:
        sys.stderr.write("[DEBUG] Using profile %s [%s]\n" % (profile.name, profile.host))

    attempts = 1 + RETRY_ATTEMPTS * args.retry
    conn = None
    for attempt in range(attempts):
        try:
            conn = open_connection(profile)
            break
        except ConnectError as exc:
            sys.stderr.write("Error Connecting to %s:%d [%s]\n"
                             % (profile.host, profile.port, exc.reason))
            sys.stderr.flush()
            if attempt + 1 >= attempts:
                return exc.status
            time.sleep(RETRY_INTERVAL)
            sys.stderr.write("Retrying\n")

    if args.execute:
        try:
            return _execute(conn, args.execute, profile.timeout, sys.stdout)
        finally:
            conn.disconnect()

    color = _want_color(args, profile)
    out = Output(sys.stdout, sys.stderr, color, redraw=False)
    console = Console(profile, conn, out, args)
    try:
        return console.run(home)
    except KeyboardInterrupt:
        return EXIT_LOST if console.lost else EXIT_COMMAND_FAILED


if __name__ == "__main__":   # pragma: no cover
    sys.exit(main())
