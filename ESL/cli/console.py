"""The interactive console: an input loop on the main thread (line editing, history, slash
commands), a reader thread that shows log lines and events, and reconnection with ``-R``.

May import the other :mod:`ESL.cli` modules, :mod:`ESL.connection` and :mod:`ESL.log`.
"""
import os
import signal
import socket
import sys
import threading
import time
import warnings
from typing import List, Optional

from ..connection import ESLconnection
from ..protocol.commands import atoi
from .connect import RECONNECT_ATTEMPTS, RETRY_INTERVAL, ConnectError, _api_frame
from .connect import _block_sigint, _is_failure, open_connection
from .exits import EXIT_COMMAND_FAILED, EXIT_LOST, EXIT_OK
from .options import Profile
from .output import LEVEL_COLORS, RESET, Output, _event_text

HISTORY_LENGTH = 800
POLL_MS = 50                # reader thread's recvEventTimed slice

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

# Escape sequences of F1..F12 (xterm "\eOP" style, then the "\e[11~" style fs_cli also binds).
_FNKEY_SEQS = (
    ("\\eOP", "\\e[11~"), ("\\eOQ", "\\e[12~"), ("\\eOR", "\\e[13~"), ("\\eOS", "\\e[14~"),
    ("\\e[15~",), ("\\e[17~",), ("\\e[18~",), ("\\e[19~",), ("\\e[20~",), ("\\e[21~",),
    ("\\e[23~",), ("\\e[24~",),
)


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

    def show_pending(self) -> None:
        """Print what arrived with the last reply (log lines, events) before the next command,
        as fs_cli does between two commands; piped input would otherwise outrun the reader."""
        conn = self.conn
        if conn is None:
            return
        with self._count_lock:
            self.io_wanted += 1
        try:
            with self.io_lock:
                pending = []
                event = conn.recvEventTimed(1)   # 0 would wait without limit
                while event is not None:
                    pending.append(event)
                    event = conn.recvEventTimed(1)
        finally:
            with self._count_lock:
                self.io_wanted -= 1
        for event in pending:
            self.show(event)

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
                self.show_pending()
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
    from .. import log as _log
    _log.eslSetLogLevel(level)

