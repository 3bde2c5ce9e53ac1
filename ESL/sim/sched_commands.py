"""The scheduler's api commands: ``sched_api`` (run an api command later, once or every N
seconds), ``sched_hangup``, ``sched_transfer`` and ``sched_broadcast`` (hang up, transfer or
play to a channel later) and ``sched_del`` (cancel by task id or group), with the
``ADD_SCHEDULE``, ``RE_SCHEDULE`` and ``DEL_SCHEDULE`` events switch_scheduler.c fires.

Dialers use them to cap a call's length (``sched_api +60 none uuid_kill <uuid>``).
"""
import time
from typing import Callable, Dict, Generator, List  # noqa: F401 (type comments)

from ..protocol.commands import atoi
from .channel import cause_from_text
from .core import plain_api

__all__ = ["SCHED_API", "schedule", "schedule_hangup"]

SCHED_USAGE = "-ERR Invalid syntax. USAGE: [+@]<time> <group_name> <command_string>[&]\n"


#: Where switch_scheduler.c creates each event (its Event-Calling-* headers).
_CALLING = {"ADD_SCHEDULE": ("switch_scheduler_add_task_ex", 277),
            "RE_SCHEDULE": ("switch_scheduler_execute", 73),
            "DEL_SCHEDULE": ("task_thread_loop", 151)}


def _event(sw, name: str, task: Dict) -> None:
    function, line = _CALLING[name]
    ev = sw.new_event(name, ("switch_scheduler.c", function, line))
    ev.add("Task-ID", str(task["id"]))
    ev.add("Task-Desc", task["desc"])
    ev.add("Task-Group", task["group"])
    ev.add("Task-Runtime", str(int(task["when"])))
    sw.fire(ev)


def _tasks(sw) -> List[Dict]:
    return sw.sched_tasks


def _run(sw, task: Dict) -> Generator:
    while not task["deleted"]:
        delay = task["when"] - time.time()
        if delay > 0:
            yield delay
            continue
        yield from task["action"]()
        if task["deleted"] or not task["recur"]:
            break
        task["when"] = time.time() + task["recur"]
        _event(sw, "RE_SCHEDULE", task)
    if task in _tasks(sw):
        _tasks(sw).remove(task)
        _event(sw, "DEL_SCHEDULE", task)


@plain_api
def api_sched_api(sw, arg):
    """``sched_api [+@]<time> <group> <command>``: ``+N`` in N seconds, ``@N`` every N
    seconds, else at that epoch time; answers ``+OK Added: <task id>``."""
    parts = arg.split(" ", 2)
    if len(parts) < 3:
        return SCHED_USAGE
    when_text, group, command = parts
    recur = 0
    if when_text.startswith("+"):
        when = time.time() + atoi(when_text[1:])
    elif when_text.startswith("@"):
        recur = atoi(when_text[1:])
        when = time.time() + recur
    else:
        when = float(atoi(when_text))
    if command.endswith("&"):   # "in a thread of its own": every task runs on its own here
        command = command[:-1]
    cmd, _, cmd_arg = command.partition(" ")
    task_id = schedule(sw, when, "sched_api_function", group,
                       lambda: sw.execute_api(cmd, cmd_arg), recur)
    return "+OK Added: %d\n" % task_id


def schedule(sw, when: float, desc: str, group: str, action: Callable[[], Generator],
             recur: int = 0) -> int:
    """Add a scheduler task: at epoch ``when`` (then every ``recur`` seconds) run the
    generator ``action()`` on the switch loop. Returns the task id."""
    task = {"id": sw.new_task_id(), "desc": desc, "group": group, "action": action,
            "when": when, "recur": recur, "deleted": False}
    _tasks(sw).append(task)
    _event(sw, "ADD_SCHEDULE", task)
    sw.loop.spawn(_run(sw, task), "%s %d" % (desc, task["id"]))
    return task["id"]


@plain_api
def api_sched_del(sw, arg):
    """``sched_del <task id>|<group>``: ``+OK Deleted: <count>``."""
    if not arg:
        return "-ERR Invalid syntax\n"
    doomed = [t for t in _tasks(sw) if (str(t["id"]) == arg if arg.isdigit()
                                        else t["group"] == arg)]
    for task in doomed:
        task["deleted"] = True
        _tasks(sw).remove(task)
        _event(sw, "DEL_SCHEDULE", task)
    return "+OK Deleted: %d\n" % len(doomed)


def schedule_hangup(chan, when: float, cause: str) -> int:
    """``switch_ivr_schedule_hangup``: a task (group: the channel's uuid) hangs ``chan`` up
    with ``cause`` at epoch ``when``, unless it hung up before. Returns the task id."""
    def hang_up() -> Generator:
        if not chan.hungup:
            chan.hangup(cause)
        return
        yield  # pragma: no cover
    return schedule(chan.sw, when, "switch_ivr_schedule_hangup", chan.uuid, hang_up)


@plain_api
def api_sched_hangup(sw, arg):
    """``sched_hangup [+]<time> <uuid> [<cause>]``: a task (group: the uuid) hangs the channel
    up then, with ``ALLOTTED_TIMEOUT`` unless a cause is given; ``+0`` hangs up at once."""
    argv = arg.split()
    if not argv:
        return "-USAGE: [+]<time> <uuid> [<cause>]\n"
    chan = sw.channel(argv[1]) if len(argv) > 1 else None
    if chan is None:
        return "-ERR No such channel!\n"
    cause = cause_from_text(argv[2]) if len(argv) > 2 else "ALLOTTED_TIMEOUT"
    seconds = atoi(argv[0][1:])   # as mod_commands reads it, "+" or not
    if seconds == 0:
        chan.hangup(cause)
        return "+OK\n"
    schedule_hangup(chan, _when(argv[0]), cause)
    return "+OK\n"


def _when(text: str) -> float:
    """``+N``: N seconds from now; else an epoch time (atol's reading of it)."""
    if text.startswith("+"):
        return time.time() + atoi(text[1:])
    return float(atoi(text))


@plain_api
def api_sched_transfer(sw, arg):
    """``sched_transfer [+]<time> <uuid> <extension> [<dialplan>] [<context>]``: a task
    (group: the uuid) transfers the channel then, if it still exists, as ``uuid_transfer``."""
    argv = arg.split()
    if not 2 <= len(argv) <= 5:
        return "-USAGE: [+]<time> <uuid> <extension> [<dialplan>] [<context>]\n"
    chan = sw.channel(argv[1])
    if chan is None:
        return "-ERR No such channel!\n"
    uuid, target = argv[1], argv[2:] + [None] * (5 - len(argv))

    def transfer() -> Generator:
        now = sw.channel(uuid)
        # (With no extension FreeSWITCH transfers to a NULL one; nothing happens here.)
        if now is not None and not now.hungup and target[0] is not None:
            now.transfer(target[0], target[1] or "XML", target[2])
        return
        yield  # pragma: no cover
    schedule(sw, _when(argv[0]), "switch_ivr_schedule_transfer", uuid, transfer)
    return "+OK\n"


@plain_api
def api_sched_broadcast(sw, arg):
    """``sched_broadcast [[+]<time>|@<time>] <uuid> <path> [aleg|bleg|both]``: a task (group:
    the uuid) runs ``uuid_broadcast`` then. Answers ``+OK Message scheduled`` whether or not
    the channel exists, as FreeSWITCH does."""
    argv = arg.split(None, 3)
    if len(argv) < 3:
        return "-USAGE: [[+]<time>|@time] <uuid> <path> [aleg|bleg|both]\n"
    when = _when(argv[0][1:] if argv[0].startswith("@") else argv[0])
    # No leg word: the A leg. An unknown word: no leg at all (the flags stay empty).
    legs = argv[3].lower() if len(argv) > 3 else "aleg"
    legs = legs if legs in ("aleg", "bleg", "both") else "none"
    schedule(sw, when, "switch_ivr_schedule_broadcast", argv[1],
             lambda: sw.execute_api("uuid_broadcast", "%s %s %s" % (argv[1], argv[2], legs)))
    return "+OK Message scheduled\n"


SCHED_API = {"sched_api": api_sched_api, "sched_del": api_sched_del,
             "sched_hangup": api_sched_hangup, "sched_transfer": api_sched_transfer,
             "sched_broadcast": api_sched_broadcast}
