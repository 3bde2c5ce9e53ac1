"""What the console runs with: ``fs_cli.conf`` profiles and the command line.

:func:`parse_config` reads fs_cli.conf (esl_config rules) into :class:`Profile` objects;
the command line (fs_cli's options, via :mod:`argparse`) picks a profile and overrides its
settings. No I/O beyond reading the config file. May import :mod:`ESL.cli.output` (colour
names) and :mod:`ESL.protocol.commands` (fs_cli's number and boolean rules).
"""
import argparse
import os
import socket
from typing import List, Optional

from ..protocol.commands import atoi, is_true
from .output import _color

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8021
DEFAULT_PASSWORD = "ClueCon"

# Default function keys, as fs_cli's set_fn_keys().
DEFAULT_FNKEYS = ("help", "status", "show channels", "show calls", "sofia status", "reloadxml",
                  "/log console", "/log debug", "sofia status profile internal", "fsctl pause",
                  "fsctl resume", "version")
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

