"""The ``esl`` console (ESL.cli) end to end: real processes, real loopback sockets, a pty.

A small fake switch below plays FreeSWITCH's side (greeting, auth, api replies, log and event
frames, drops); it lets tests script failures the simulator does not produce on purpose.
"""
import fcntl
import os
import platform
import pty
import select
import socket
import subprocess
import sys
import termios
import threading
import time

import pytest
from conftest import free_port

from ESL import cli

try:
    import readline as _readline
except ImportError:   # pragma: no cover
    _readline = None

# Key bindings, history recall and Ctrl-C at the prompt are GNU readline features; PyPy's
# readline (pyrepl) and libedit give plain line input, which the other tests cover.
needs_gnu_readline = pytest.mark.skipif(
    _readline is None or platform.python_implementation() != "CPython"
    or "libedit" in (_readline.__doc__ or ""), reason="needs CPython with GNU readline")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STATUS_BODY = ("UP 0 years, 0 days, 0 hours, 0 minutes, 4 seconds, 997 milliseconds, "
               "18 microseconds\nFreeSWITCH (Version 1.11.3-dev  64bit) is ready\n"
               "0 session(s) since startup\n")
DEADLINE = 15.0


# -- a fake switch ------------------------------------------------------------------------

def _reply(text):
    return b"Content-Type: command/reply\nReply-Text: " + text.encode() + b"\n\n"


def _api(body):
    data = body.encode()
    return b"Content-Type: api/response\nContent-Length: %d\n\n" % len(data) + data


def _log(level, text, uuid=""):
    body = text.encode()
    head = ("Content-Type: log/data\nContent-Length: %d\nLog-Level: %d\nText-Channel: 3\n"
            "Log-File: test.c\nLog-Func: f\nLog-Line: 1\nUser-Data: %s\n\n"
            % (len(body), level, uuid))
    return head.encode() + body


def _event(name):
    body = ("Event-Name: %s\nCore-UUID: 1234\nEvent-Info: a%%20b\n\n" % name).encode()
    return b"Content-Length: %d\nContent-Type: text/event-plain\n\n" % len(body) + body


LOG_LINES = [(3, "2026-01-01 00:00:00.000000 [ERR] test.c:1 an error line\n"),
             (4, "2026-01-01 00:00:00.000000 [WARNING] test.c:1 a warning line\n"),
             (6, "2026-01-01 00:00:00.000000 [INFO] test.c:1 an info line\n"),
             (7, "2026-01-01 00:00:00.000000 [DEBUG] test.c:1 a debug line\n")]


class FakeSwitch:
    """Accepts any number of connections on 127.0.0.1; records every command.

    ``drops``: how many connections (first ones first) to close right after answering
    their first ``log`` command, i.e. once the console is fully up. ``mute_api``: never answer ``api`` commands. ``greet``: send the
    auth/request greeting.
    """

    def __init__(self, password="ClueCon", drops=0, mute_api=False, greet=True,
                 close_on_api=False):
        self.password = password
        self.drops = drops
        self.mute_api = mute_api
        self.greet = greet
        self.close_on_api = close_on_api
        self.commands = []
        self.logins = 0
        self.lock = threading.Lock()
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(8)
        self.port = self.listener.getsockname()[1]
        self.socks = []
        self.stopping = False

    def __enter__(self):
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.stopping = True
        self.listener.close()
        for s in self.socks:
            try:
                s.close()
            except OSError:
                pass

    def _accept(self):
        while not self.stopping:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.socks.append(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn):
        buf = b""
        try:
            if self.greet:
                conn.sendall(b"Content-Type: auth/request\n\n")
            while True:
                while b"\n\n" not in buf:
                    data = conn.recv(65536)
                    if not data:
                        return
                    buf += data
                raw, buf = buf.split(b"\n\n", 1)
                cmd = raw.decode()
                with self.lock:
                    self.commands.append(cmd)
                if not self._handle(conn, cmd):
                    conn.close()
                    return
        except OSError:
            return

    def _handle(self, conn, cmd):
        first = cmd.split("\n", 1)[0]
        word, _, arg = first.partition(" ")
        if word in ("auth", "userauth"):
            if arg.split(":", 1)[-1] != self.password:
                conn.sendall(_reply("-ERR invalid"))
                conn.sendall(b"Content-Type: text/disconnect-notice\nContent-Length: 23\n\n"
                             b"Disconnected, goodbye.\n")
                return False
            conn.sendall(_reply("+OK accepted"))
            with self.lock:
                self.logins += 1
            return True
        if word == "api":
            if self.close_on_api:
                return False
            if self.mute_api:
                return True
            conn.sendall(_api(self._api(arg)))
            return True
        if word == "log":
            level = arg or "7"
            conn.sendall(_reply("+OK log level %s [%s]" % (level, level)))
            for lvl, text in LOG_LINES:
                conn.sendall(_log(lvl, text, uuid="uuid-1" if lvl == 3 else "uuid-2"))
            with self.lock:
                drop = self.drops > 0
                self.drops -= 1
            if drop:
                time.sleep(0.2)
            return not drop
        if word == "nolog":
            conn.sendall(_reply("+OK no longer logging"))
            return True
        if word == "event":
            conn.sendall(_reply("+OK event listener enabled plain"))
            conn.sendall(_event("HEARTBEAT"))
            return True
        if word in ("noevents", "nixevent", "filter"):
            conn.sendall(_reply("+OK"))
            return True
        if word == "exit":
            conn.sendall(_reply("+OK bye"))
            return False
        conn.sendall(_reply("-ERR command not found"))
        return True

    @staticmethod
    def _api(arg):
        if arg == "status":
            return STATUS_BODY
        if arg == "switchname":
            return "testswitch"
        if arg == "hostname":
            return "testhost"
        if arg == "version":
            return "FreeSWITCH Version 1.11.3-dev\n"
        return "-ERR %s Command not found!\n" % arg.split(" ")[0]

    def api_commands(self):
        with self.lock:
            return [c for c in self.commands if c.startswith("api ")]


# -- running the CLI ------------------------------------------------------------------------

def _env(home):
    env = dict(os.environ)
    env["HOME"] = str(home)
    env["PYTHONPATH"] = ROOT + os.pathsep + env.get("PYTHONPATH", "")
    env["TERM"] = "xterm"
    for name in ("NO_COLOR", "FS_CLI_COLOR"):
        env.pop(name, None)
    return env


def run_cli(args, home, stdin=None, timeout=DEADLINE):
    return subprocess.run([sys.executable, "-m", "ESL"] + args, input=stdin,
                          capture_output=True, text=True, env=_env(home), timeout=timeout)


class Session:
    """A CLI process on a pseudo-terminal (``tty=True``) or on pipes; read with expect()."""

    def __init__(self, args, home, tty=True):
        self.buf = b""
        self.pos = 0
        argv = [sys.executable, "-m", "ESL"] + args
        if tty:
            master, slave = pty.openpty()
            fcntl.ioctl(slave, termios.TIOCSWINSZ, b"\x00\x32\x00\xa0\x00\x00\x00\x00")

            def controlling_tty():
                os.setsid()
                fcntl.ioctl(0, termios.TIOCSCTTY, 0)

            self.proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave,
                                         env=_env(home), preexec_fn=controlling_tty)
            os.close(slave)
            self.fd_in = self.fd_out = master
        else:
            self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         stderr=subprocess.STDOUT, env=_env(home))
            self.fd_in = self.proc.stdin.fileno()
            self.fd_out = self.proc.stdout.fileno()
        self.tty = tty

    def expect(self, text, timeout=DEADLINE):
        """Wait for ``text`` after the last match; return everything up to and including it."""
        needle = text.encode() if isinstance(text, str) else text
        deadline = time.monotonic() + timeout
        while True:
            at = self.buf.find(needle, self.pos)
            if at >= 0:
                chunk = self.buf[self.pos:at + len(needle)]
                self.pos = at + len(needle)
                return chunk.decode("utf-8", "replace")
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not self._read(remaining):
                raise AssertionError("did not see %r; got:\n%s"
                                     % (text, self.buf[self.pos:].decode("utf-8", "replace")))

    def _read(self, timeout):
        if not select.select([self.fd_out], [], [], timeout)[0]:
            return False
        try:
            data = os.read(self.fd_out, 65536)
        except OSError:   # EIO: the child closed the pty
            return False
        self.buf += data
        return bool(data)

    def send(self, text):
        os.write(self.fd_in, text.encode())

    def line(self, text):
        self.send(text + ("\r" if self.tty else "\n"))

    def wait(self, timeout=DEADLINE):
        """Exit status; drains the output so the child never blocks on a full pty."""
        deadline = time.monotonic() + timeout
        while self.proc.poll() is None and time.monotonic() < deadline:
            self._read(0.05)
        while self._read(0.05):
            pass
        return self.proc.wait(max(0.1, deadline - time.monotonic()))

    def rest(self):
        return self.buf[self.pos:].decode("utf-8", "replace")

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if not self.tty:
            # The pipes belong to the Popen's file objects: closing their descriptors behind
            # their backs would make the objects close a reused number when collected.
            self.proc.stdin.close()
            self.proc.stdout.close()
            return
        try:
            os.close(self.fd_in)   # the pty master (fd_in and fd_out are the same)
        except OSError:
            pass


@pytest.fixture
def home(tmp_path):
    return tmp_path


@pytest.fixture
def session_factory():
    made = []

    def make(args, home, tty=True):
        s = Session(args, home, tty)
        made.append(s)
        return s

    yield make
    for s in made:
        s.close()


# -- -x -------------------------------------------------------------------------------------

def test_execute_prints_status_body_and_exits_0(home):
    with FakeSwitch() as sw:
        res = run_cli(["-H", "127.0.0.1", "-P", str(sw.port), "-x", "status"], home)
    assert res.returncode == 0, res.stderr
    assert res.stdout == STATUS_BODY + "\n"   # fs_cli prints the body and a newline
    assert res.stderr == ""
    # fs_cli's bytes: api with console_execute
    assert sw.api_commands() == ["api status\nconsole_execute: true"]


def test_execute_is_repeatable_and_stops_at_first_failure(home):
    with FakeSwitch() as sw:
        res = run_cli(["-P", str(sw.port), "-x", "version", "-x", "nosuch arg",
                       "-x", "status"], home)
    assert res.returncode == cli.EXIT_COMMAND_FAILED
    assert res.stdout == ("FreeSWITCH Version 1.11.3-dev\n\n"
                          "-ERR nosuch Command not found!\n\n")
    assert [c.split("\n")[0] for c in sw.api_commands()] == ["api version", "api nosuch arg"]


def test_execute_with_user_sends_userauth(home):
    with FakeSwitch(password="pw") as sw:
        res = run_cli(["-P", str(sw.port), "-u", "1000@default", "-p", "pw", "-x", "status"],
                      home)
    assert res.returncode == 0
    assert sw.commands[0] == "userauth 1000@default:pw"


def test_wrong_password_is_one_clear_line(home):
    with FakeSwitch(password="secret") as sw:
        res = run_cli(["-P", str(sw.port), "-p", "wrong", "-x", "status"], home)
    assert res.returncode == cli.EXIT_AUTH
    assert res.stdout == ""
    assert res.stderr == "Error Connecting to 127.0.0.1:%d [Authentication failed]\n" % sw.port
    assert sw.api_commands() == []


def test_refused_port_is_one_clear_line(home):
    port = free_port()
    res = run_cli(["-P", str(port), "-x", "status"], home)
    assert res.returncode == cli.EXIT_CONNECT
    assert res.stderr == "Error Connecting to 127.0.0.1:%d [Connection refused]\n" % port


def test_refused_interactive_also_fails_without_prompt(home):
    port = free_port()
    res = run_cli(["-P", str(port)], home, stdin="status\n")
    assert res.returncode == cli.EXIT_CONNECT
    assert "Connection refused" in res.stderr
    assert "freeswitch@" not in res.stdout


def test_connect_timeout_when_the_server_never_greets(home):
    with FakeSwitch(greet=False) as sw:
        res = run_cli(["-P", str(sw.port), "-T", "300", "-x", "status"], home)
    assert res.returncode == cli.EXIT_CONNECT
    assert res.stderr == "Error Connecting to 127.0.0.1:%d [Connection timed out]\n" % sw.port


def test_api_timeout(home):
    with FakeSwitch(mute_api=True) as sw:
        res = run_cli(["-P", str(sw.port), "-t", "300", "-x", "status"], home)
    assert res.returncode == cli.EXIT_TIMEOUT
    assert res.stdout == "Request timed out.\n"


def test_connection_dropped_during_execute(home):
    with FakeSwitch(close_on_api=True) as sw:
        res = run_cli(["-P", str(sw.port), "-x", "status"], home)
    assert res.returncode == cli.EXIT_LOST
    assert res.stderr == "Connection lost while running [status]\n"


def test_retry_connects_once_the_switch_is_up(home):
    # The first attempt is refused; the switch comes up during the retry pause.
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "ESL", "-P", str(port), "-r", "-x", "status"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=_env(home))
    try:
        deadline = time.monotonic() + DEADLINE
        line = ""
        while "Error Connecting" not in line and time.monotonic() < deadline:
            line = proc.stderr.readline()
        assert "Connection refused" in line
        sw = FakeSwitch()
        sw.listener.close()
        sw.listener = socket.socket()
        sw.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sw.listener.bind(("127.0.0.1", port))
        sw.listener.listen(8)
        with sw:
            out, err = proc.communicate(timeout=DEADLINE)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0
    assert "Retrying" in err
    assert out == STATUS_BODY + "\n"


# -- options, profiles -----------------------------------------------------------------------

def test_bad_port_is_a_usage_error(home):
    res = run_cli(["-P", "0", "-x", "status"], home)
    assert res.returncode == cli.EXIT_USAGE
    assert "ERROR: Port must be in range 1 - 65535" in res.stderr


def test_bad_debug_level_is_a_usage_error(home):
    res = run_cli(["-d", "9", "-x", "status"], home)
    assert res.returncode == cli.EXIT_USAGE
    assert "Debug level should be 0 - 7" in res.stderr


def test_help_lists_fs_cli_options(home):
    res = run_cli(["--help"], home)
    assert res.returncode == 0
    for opt in ("--host", "--port", "--password", "--user", "--execute", "--loglevel",
                "--quiet", "--retry", "--reconnect", "--timeout", "--connect-timeout",
                "--batchmode", "--no-color", "--debug"):
        assert opt in res.stdout


def test_profile_from_home_config(home):
    with FakeSwitch(password="s3cret") as sw:
        (home / ".fs_cli_conf").write_text(
            "[default]\nhost => 192.0.2.1\n\n[lab]\nhost => 127.0.0.1\n"
            "port => %d ;; the lab box\npassword => s3cret\n" % sw.port)
        res = run_cli(["lab", "-x", "status"], home)
    assert res.returncode == 0, res.stderr
    assert res.stdout == STATUS_BODY + "\n"


def test_command_line_overrides_profile(home):
    with FakeSwitch() as sw:
        (home / ".fs_cli_conf").write_text("[default]\nport = 1\npassword = nope\n")
        res = run_cli(["-P", str(sw.port), "-p", "ClueCon", "-x", "status"], home)
    assert res.returncode == 0, res.stderr


def test_unknown_profile_is_a_usage_error(home):
    (home / ".fs_cli_conf").write_text("[default]\nhost => 127.0.0.1\n")
    res = run_cli(["nosuch", "-x", "status"], home)
    assert res.returncode == cli.EXIT_USAGE
    assert "Unknown profile [nosuch]" in res.stderr


def test_parse_config_follows_esl_config_rules():
    profiles = cli.parse_config(
        "host => ignored-before-any-section\n"
        "[default]\n"
        "# comment\n"
        "; comment\n"
        "host => fs1.example.com\n"
        "  port=8022\n"
        "password =>  two words \n"
        "user = 1000@example.com\n"
        "loglevel => info\n"
        "debug => 9\n"
        "quiet => yes\n"
        "key_F2 => show calls ;; comment\n"
        "key_F13 => ignored\n"
        "prompt-color => bold-red\n"
        "[other]\n"
        "port => nonsense\n"
        "__END__\n"
        "[never]\n")
    assert [p.name for p in profiles] == ["default", "other"]
    d, o = profiles
    assert (d.host, d.port, d.password, d.user) == ("fs1.example.com", 8022, "two words ",
                                                     "1000@example.com")
    assert d.loglevel == "info" and d.quiet is True and d.debug == 0
    assert d.fnkeys[1] == "show calls "
    assert d.fnkeys[0] == "help" and len(d.fnkeys) == 12
    assert d.prompt_color == "\033[41m"
    assert (o.host, o.port, o.password) == ("127.0.0.1", 8021, "ClueCon")


def test_home_config_wins_over_etc(tmp_path):
    first = tmp_path / "a.conf"
    second = tmp_path / "b.conf"
    second.write_text("[x]\nhost => b\n")
    assert [p.host for p in cli.load_profiles([str(first), str(second)])] == ["b"]
    first.write_text("[y]\nhost => a\n")
    assert [p.host for p in cli.load_profiles([str(first), str(second)])] == ["a"]
    assert cli.load_profiles([str(tmp_path / "none")]) == []


# -- interactive ------------------------------------------------------------------------------

def _start(session_factory, home, sw, *extra, tty=True):
    s = session_factory(["-P", str(sw.port)] + list(extra), home, tty=tty)
    s.expect("Type /help <enter> to see a list of commands")
    return s


def test_interactive_prompt_help_api_exit(session_factory, home):
    with FakeSwitch() as sw:
        s = _start(session_factory, home, sw, "-q")
        s.expect("freeswitch@testswitch> ")
        s.line("/help")
        out = s.expect("freeswitch@testswitch> ")
        assert "/exit, /quit, /bye, ...    \tExit the program." in out
        assert "/logfilter" in out
        s.line("status")
        out = s.expect("freeswitch@testswitch> ")
        assert "FreeSWITCH (Version 1.11.3-dev  64bit) is ready" in out
        s.line("/exit")
        assert s.wait() == 0
    assert "api status\nconsole_execute: true" in sw.commands
    assert not any(c.startswith("log") for c in sw.commands)   # -q: no log subscription
    # persistent history, one entry per distinct line
    history = (home / ".fs_cli_history").read_text()
    assert "status" in history and "/help" in history


@needs_gnu_readline
def test_interactive_history_is_loaded(session_factory, home):
    (home / ".fs_cli_history").write_text("version\n")
    with FakeSwitch() as sw:
        s = _start(session_factory, home, sw, "-q")
        s.expect("freeswitch@testswitch> ")
        s.send("\x1b[A\r")    # Up arrow recalls the saved line
        out = s.expect("freeswitch@testswitch> ")
        assert "FreeSWITCH Version 1.11.3-dev" in out
        s.line("/exit")
        assert s.wait() == 0


def test_log_lines_are_coloured_by_level(session_factory, home):
    with FakeSwitch() as sw:
        s = _start(session_factory, home, sw, "-q")
        s.expect("freeswitch@testswitch> ")
        s.line("/log 7")
        s.expect("+OK log level 7 [7]")
        s.expect("a debug line")
        s.line("/exit")
        assert s.wait() == 0
        out = s.buf.decode().replace("\r\n", "\n")   # the pty turns \n into \r\n
    assert "\033[31m2026-01-01 00:00:00.000000 [ERR] test.c:1 an error line\n\033[m" in out
    assert "\033[35m2026-01-01 00:00:00.000000 [WARNING] test.c:1 a warning line\n\033[m" in out
    assert "\033[32m2026-01-01 00:00:00.000000 [INFO]" in out
    assert "\033[33m2026-01-01 00:00:00.000000 [DEBUG]" in out


def test_loglevel_option_subscribes_at_start(session_factory, home):
    with FakeSwitch() as sw:
        s = _start(session_factory, home, sw, "-l", "debug", "-n")
        s.expect("+OK log level debug [debug]")
        s.expect("a debug line")
        s.line("/exit")
        assert s.wait() == 0
        out = s.buf.decode()
    assert "log debug" in sw.commands
    assert "\033[3" not in out   # -n: no colour codes


def test_no_colour_when_not_a_terminal(session_factory, home):
    with FakeSwitch() as sw:
        s = _start(session_factory, home, sw, tty=False)
        s.expect("+OK log level")
        s.expect("a debug line")
        s.line("/exit")
        assert s.wait() == 0
        out = s.buf.decode()
    assert "\033[" not in out
    assert "log " in sw.commands   # fs_cli's start-up "log <level>", the level empty here
    assert "[ERR] test.c:1 an error line\n" in out


def test_events_are_printed_readably(session_factory, home):
    with FakeSwitch() as sw:
        s = _start(session_factory, home, sw, "-q")
        s.expect("freeswitch@testswitch> ")
        s.line("/event plain ALL")
        s.expect("+OK event listener enabled plain")
        out = s.expect("Event-Info: a b")
        assert "RECV EVENT" in out and "Event-Name: HEARTBEAT" in out
        s.line("/exit")
        assert s.wait() == 0
    assert "event plain ALL" in sw.commands


def test_uuid_and_logfilter(session_factory, home):
    with FakeSwitch() as sw:
        s = _start(session_factory, home, sw, "-q", "-n")
        s.expect("freeswitch@testswitch> ")
        s.line("/uuid uuid-1")
        s.expect("UUID filtering enabled")
        s.line("/logfilter error")
        s.expect("Logfilter enabled")
        s.line("/log 7")
        s.expect("an error line")
        s.line("/uuid")
        s.expect("UUID filtering disabled")
        s.line("/logfilter")
        s.expect("Logfilter disabled")
        s.line("/log 7")
        s.expect("a debug line")
        s.line("/exit")
        assert s.wait() == 0
        out = s.buf.decode()
    # while filtered, only the error line (uuid-1, contains "error") was shown
    first = out.split("UUID filtering disabled")[0]
    assert "a warning line" not in first and "a debug line" not in first


def test_unknown_slash_command_and_debug(session_factory, home):
    with FakeSwitch() as sw:
        s = _start(session_factory, home, sw, "-q")
        s.expect("freeswitch@testswitch> ")
        s.line("/frobnicate")
        s.expect("Unknown command [frobnicate]")
        s.line("/debug 9")
        s.expect("fs_cli debug level must be 0 - 7")
        s.line("/debug 0")
        s.expect("fs_cli debug level set to 0")
        s.line("nosuch")
        s.expect("-ERR nosuch Command not found!")
        s.line("...")
        assert s.wait() == 0


@needs_gnu_readline
def test_control_c_warns_and_control_d_exits(session_factory, home):
    with FakeSwitch() as sw:
        s = _start(session_factory, home, sw, "-q")
        s.expect("freeswitch@testswitch> ")
        s.send("half typed")
        s.expect("half typed")
        # Let readline get back into its select(): CPython's readline loop only notices a
        # signal that interrupts that call (one landing just before waits for the next key).
        time.sleep(0.3)
        s.send("\x03")
        s.expect("Type control-D or /exit or /quit or /bye to exit.")
        s.expect("freeswitch@testswitch> ")
        s.send("\x04")
        s.expect("/exit")
        assert s.wait() == 0
    assert not any("half typed" in c for c in sw.commands)


def test_batch_mode_reads_stdin_and_prints_prompts(session_factory, home):
    with FakeSwitch() as sw:
        s = _start(session_factory, home, sw, "-b", "-q", tty=False)
        s.line("status")
        s.line("/exit")
        assert s.wait() == 0
        out = s.buf.decode()
    assert "freeswitch@testswitch> " in out
    assert STATUS_BODY in out
    assert "\033[" not in out


def test_piped_stdin_end_exits_cleanly(home):
    with FakeSwitch() as sw:
        res = run_cli(["-P", str(sw.port), "-q"], home, stdin="status\n")
    assert res.returncode == 0
    assert STATUS_BODY in res.stdout


@pytest.mark.parametrize("tty", [True, False])
def test_dropped_connection_exits_non_zero(session_factory, home, tty):
    with FakeSwitch(drops=1) as sw:
        s = session_factory(["-P", str(sw.port)], home, tty=tty)
        s.expect("Disconnected from 127.0.0.1:%d." % sw.port)
        assert s.wait() == cli.EXIT_LOST


def test_reconnect_shows_notice_and_keeps_working(session_factory, home):
    with FakeSwitch(drops=1) as sw:
        s = session_factory(["-P", str(sw.port), "-R", "-n"], home)
        s.expect("a debug line")
        s.expect("Disconnected from 127.0.0.1:%d; reconnecting..." % sw.port)
        s.expect("Reconnected to 127.0.0.1:%d." % sw.port)
        s.expect("a debug line")    # log level re-subscribed on the new connection
        s.line("status")
        s.expect("is ready")
        s.line("/exit")
        assert s.wait() == 0
    assert sw.logins == 2
    assert sw.commands.count("log ") == 2


# -- against the simulator ----------------------------------------------------------------------

@pytest.fixture
def sim():
    import ESL.sim
    with ESL.sim.Simulator() as simulator:
        yield simulator


def test_sim_execute_status(sim, home):
    res = run_cli(["-P", str(sim.port), "-x", "status"], home)
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith("UP 0 years")
    assert "is ready\n" in res.stdout
    assert res.stderr == ""


def test_sim_execute_unknown_command_fails(sim, home):
    res = run_cli(["-P", str(sim.port), "-x", "nosuchcmd"], home)
    assert res.returncode == cli.EXIT_COMMAND_FAILED
    assert res.stdout == "-ERR nosuchcmd Command not found!\n\n"


def test_sim_wrong_password(sim, home):
    res = run_cli(["-P", str(sim.port), "-p", "wrong", "-x", "status"], home)
    assert res.returncode == cli.EXIT_AUTH
    assert res.stdout == ""
    assert res.stderr == "Error Connecting to 127.0.0.1:%d [Authentication failed]\n" % sim.port


def test_sim_interactive_session(sim, session_factory, home):
    s = session_factory(["-P", str(sim.port), "-q"], home)
    s.expect("Type /help <enter> to see a list of commands")
    s.expect("freeswitch@")
    s.expect("> ")
    s.line("/help")
    assert "/event, /noevents, /nixevent\tEvent commands." in s.expect("> ")
    s.line("status")
    assert "is ready" in s.expect("> ")
    s.line("/exit")
    assert s.wait() == 0


def test_sim_log_lines_coloured_by_level(sim, session_factory, home):
    s = session_factory(["-P", str(sim.port), "-q"], home)
    s.expect("Type /help <enter> to see a list of commands")
    s.expect("> ")
    s.line("/log 7")
    s.expect("+OK log level 7 [7]")
    s.expect("> ")
    s.line("log INFO hello-info-line")
    s.expect("[INFO] mod_commands.c:7247 hello-info-line")
    s.expect("> ")
    s.line("log ERR hello-error-line")
    s.expect("[ERR] mod_commands.c:7247 hello-error-line")
    s.line("/exit")
    assert s.wait() == 0
    out = s.buf.decode().replace("\r\n", "\n")
    info = out[out.index("\033[32m"):]
    assert "[INFO]" in info.split("\n")[0] and "hello-info-line" in info.split("\n")[0]
    err = out[out.index("\033[31m"):]
    assert "hello-error-line" in err.split("\n")[0]


def test_sim_events_printed(sim, session_factory, home):
    s = session_factory(["-P", str(sim.port), "-q", "-n"], home)
    s.expect("Type /help <enter> to see a list of commands")
    s.line("/event plain RELOADXML")
    s.expect("+OK event listener enabled plain")
    s.expect("> ")
    s.line("reloadxml")
    out = s.expect("Event-Calling-Function: switch_xml_open_root")
    assert "RECV EVENT\nEvent-Name: RELOADXML\n" in out.replace("\r\n", "\n")
    s.line("/exit")
    assert s.wait() == 0


def test_sim_shutdown_ends_the_session(session_factory, home):
    import ESL.sim
    sim = ESL.sim.Simulator().start()
    try:
        s = session_factory(["-P", str(sim.port), "-q"], home)
        s.expect("Type /help <enter> to see a list of commands")
        s.expect("> ")
    finally:
        sim.stop()
    s.expect("Disconnected from 127.0.0.1:%d." % sim.port)
    assert s.wait() == cli.EXIT_LOST


def test_debug_option_turns_on_the_binding_log(home):
    with FakeSwitch() as sw:
        res = run_cli(["-P", str(sw.port), "-d", "7", "-x", "version"], home)
    assert res.returncode == 0
    assert res.stdout == "FreeSWITCH Version 1.11.3-dev\n\n"
    assert "[DEBUG] esl.c:" in res.stderr and "SEND\napi version\nconsole_execute: true" in res.stderr


@needs_gnu_readline
def test_function_keys_run_their_bound_command(session_factory, home):
    with FakeSwitch() as sw:
        (home / ".fs_cli_conf").write_text("[default]\nport => %d\nkey_F3 => version\n" % sw.port)
        s = session_factory(["-q"], home)
        s.expect("freeswitch@testswitch> ")
        s.send("\x1bOQ")                  # F2: fs_cli's default binding, "status"
        s.expect("is ready")
        s.expect("freeswitch@testswitch> ")
        s.send("\x1b[13~")                # F3, rebound in the profile
        s.expect("FreeSWITCH Version 1.11.3-dev")
        s.expect("freeswitch@testswitch> ")
        s.line("/exit")
        assert s.wait() == 0
    assert [c.split("\n")[0] for c in sw.api_commands()][-2:] == ["api status", "api version"]
