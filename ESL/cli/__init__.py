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

The package: :mod:`~ESL.cli.options` (profiles and the command line),
:mod:`~ESL.cli.connect` (connecting, command frames), :mod:`~ESL.cli.console` (the
interactive loop), :mod:`~ESL.cli.output` (terminal output), :mod:`~ESL.cli.exits`; this
module is the entry point (``main``) and runs ``-x`` commands. May import its submodules and
:mod:`ESL.connection`; they never import this module.
"""
import os
import sys
import threading
import time
from typing import List, Optional

from ..connection import ESLconnection
from ..protocol.commands import is_true
# Some names are imported for users of ESL.cli (exit statuses, profile parsing), not used here.
from .connect import RETRY_ATTEMPTS, RETRY_INTERVAL, ConnectError, _api_frame, _is_failure
from .connect import open_connection
from .console import Console, _set_debug
from .exits import (EXIT_AUTH, EXIT_COMMAND_FAILED, EXIT_CONNECT, EXIT_LOST, EXIT_OK,
                    EXIT_TIMEOUT, EXIT_USAGE)
from .options import Profile, _Usage, _apply_args, _build_parser, _resolve_profile
from .options import config_paths, load_profiles, parse_config
from .output import Output

__all__ = ["main"]


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
