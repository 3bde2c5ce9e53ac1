"""FreeSWITCH's fs_cli as a client of the simulator: every command it sends at start-up, for its
function keys, Tab completion and the /log, /event commands, byte for byte as fs_cli.c writes
them, gets FreeSWITCH's answer."""
import re
import socket
import subprocess
import sys

import pytest
from test_sim import CONF, Raw, body, reply

from ESL.sim.pytest_plugin import esl_sim, esl_sim_factory  # noqa: F401 (fixtures)


def api(raw, command, console=True):
    """Send an api command as fs_cli does (interactive commands carry console_execute)."""
    extra = "\nconsole_execute: true" if console else ""
    return body(raw.cmd("api %s%s" % (command, extra)))


@pytest.fixture
def fs_cli(esl_sim_factory):
    """A connection that has done fs_cli's start-up: auth, switchname, hostname, log."""
    sim = esl_sim_factory(CONF)
    raw = Raw(sim.port).auth()
    raw.sim = sim
    return raw


def test_start_up_gives_the_prompt_its_switch_name(fs_cli):
    name = api(fs_cli, "switchname", console=False)
    assert name == socket.gethostname() and not name.startswith("-ERR")
    assert api(fs_cli, "hostname", console=False) == socket.gethostname()
    # fs_cli's default profile has no log level: it sends "log " and shows the reply.
    assert fs_cli.cmd("log ") == reply("+OK log level  [7]")


def test_function_key_commands(fs_cli):
    help_text = api(fs_cli, "help")
    assert help_text.startswith("\nValid Commands:\n\n")
    assert "\nstatus,,Show current status,mod_commands\n" in help_text
    assert "\nsofia,<cmd> <args>,Sofia Controls,mod_sofia\n" in help_text
    assert api(fs_cli, "status").startswith("UP 0 years")
    assert api(fs_cli, "show channels") == "\n0 total.\n"
    assert api(fs_cli, "show calls") == "\n0 total.\n"
    assert "RUNNING (0)" in api(fs_cli, "sofia status")
    assert api(fs_cli, "reloadxml") == "+OK [Success]\n"
    assert api(fs_cli, "sofia status profile internal").startswith("=" * 97 + "\nName")
    assert api(fs_cli, "fsctl pause") == "+OK\n"
    assert api(fs_cli, "fsctl resume") == "+OK\n"
    assert api(fs_cli, "version").startswith("FreeSWITCH Version 1.11")


def test_show_api_lists_the_commands_with_their_descriptions(fs_cli):
    lines = api(fs_cli, "show api").split("\n")
    assert lines[0] == "name,description,syntax,ikey"
    assert "msleep,Sleep N milliseconds,<milliseconds>,mod_commands" in lines
    assert not any(line.startswith("console_complete,") for line in lines)   # no description
    assert re.match(r"^\d+ total\.$", lines[-2])


def test_tab_completion(fs_cli):
    # One match: the word is completed (with a blank); several: their common start.
    one = api(fs_cli, "console_complete uptim", console=False)
    assert one == "\n\n[%20s]\t\n\nwrite=5:uptime " % "uptime"
    several = api(fs_cli, "console_complete sh", console=False)
    assert "[%20s]\t" % "show" in several and "[%20s]\t" % "shutdown" in several
    assert several.endswith("\n\nwrite=2:sh")
    # c=<cursor>: only the text before the cursor counts.
    assert api(fs_cli, "console_complete c=2;upXYZ", console=False).endswith("write=2:uptime ")
    nothing = api(fs_cli, "console_complete zzz", console=False)
    assert nothing == "\n\n\n\n"
    uuid = api(fs_cli, "originate loopback/9998/default &park")[4:].strip()
    listed = api(fs_cli, "console_complete uuid_kill ", console=False)
    legs = re.findall(r"\[([0-9a-f-]{36})\]", listed)
    assert "[%20s]\t" % uuid in listed and len(legs) == 2   # both legs
    common = legs[0][:next((i for i, (x, y) in enumerate(zip(*legs)) if x != y), 36)]
    # Completed only to what the two random uuids happen to share (usually nothing).
    assert listed.endswith("\n\nwrite=0:%s" % common if common else "\t\n\n")
    assert uuid[:8] in api(fs_cli, "console_complete uuid_kill %s" % uuid[:8], console=False)


def test_console_loglevel_and_settings(fs_cli):
    # fs_cli turns "console loglevel X" into "log X" first, then runs the api command.
    assert fs_cli.cmd("log debug") == reply("+OK log level debug [7]")
    assert api(fs_cli, "console loglevel debug") == "+OK console log level set to DEBUG\n"
    assert api(fs_cli, "console loglevel 3") == "+OK console log level set to ERR\n"
    assert api(fs_cli, "console loglevel loud") == "-ERR Invalid console loglevel (loud)!\n\n"
    assert api(fs_cli, "console colorize on") == "+OK console color enabled\n"
    assert api(fs_cli, "console").startswith("USAGE:\n")


def test_slash_commands_and_the_log_view(fs_cli):
    assert fs_cli.cmd("log info") == reply("+OK log level info [6]")
    frames = fs_cli.cmd("api log NOTICE shown to fs_cli\nconsole_execute: true", count=2)
    assert body(frames[0]) == "+OK\n"
    assert frames[1].startswith(b"Content-Type: log/data\n")
    assert b"Log-Level: 5\n" in frames[1]
    assert re.search(rb"\n\n\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6} [\d.]+% \[NOTICE\] "
                     rb"mod_commands\.c:\d+ shown to fs_cli\n$", frames[1])
    frames = fs_cli.cmd("api log DEBUG below the level\nconsole_execute: true", count=2)
    assert len(frames) == 1
    assert fs_cli.cmd("nolog") == reply("+OK no longer logging")
    assert fs_cli.cmd("event plain CUSTOM") == reply("+OK event listener enabled plain")
    assert fs_cli.cmd("nixevent CUSTOM") == reply("+OK events nixed")
    assert fs_cli.cmd("noevents") == reply("+OK no longer listening for events")
    assert fs_cli.cmd("noevents") == reply("-ERR not listening for events")
    assert fs_cli.cmd("filter Unique-ID x") == reply("+OK filter added. [Unique-ID]=[x]")
    fs_cli.send(b"exit\n\n")
    assert fs_cli.frame() == reply("+OK bye")


def test_the_esl_console_shows_the_log_view_even_with_piped_input(esl_sim_factory):
    sim = esl_sim_factory(CONF)
    commands = "/log debug\nlog NOTICE first-line\nmsleep 50\nlog INFO second-line\n/exit\n"
    out = subprocess.run([sys.executable, "-m", "ESL.cli", "-H", "127.0.0.1", "-P",
                          str(sim.port), "-b"], input=commands.encode(), stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, timeout=60).stdout.decode()
    assert "freeswitch@%s> " % socket.gethostname() in out
    first = out.index("[NOTICE] mod_commands.c:7247 first-line\n")
    second = out.index("[INFO] mod_commands.c:7247 second-line\n")
    # Each line shows up right after the command that caused it, before the next prompt's
    # command output, as in fs_cli.
    assert first < out.index("+OK", first) < second


def test_the_esl_console_shows_a_calls_log_lines(esl_sim_factory):
    sim = esl_sim_factory(CONF)
    commands = ("/log debug\noriginate loopback/9998/default &log(NOTICE from-the-call)\n"
                "msleep 300\n/exit\n")
    out = subprocess.run([sys.executable, "-m", "ESL.cli", "-H", "127.0.0.1", "-P",
                          str(sim.port), "-b"], input=commands.encode(), stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, timeout=60).stdout.decode()
    assert re.search(r"\[NOTICE\] \S+:\d+ from-the-call\n", out), out
