"""Channel api commands that ordinary call-control programs send (IVR daemons interrupting a
prompt, dialers setting several variables at once), over real sockets."""
import os
import re
import time
import wave

from test_sim import CONF, Raw, body
from test_sim_api import _call, _events, _watcher

import ESL
from ESL.sim.pytest_plugin import esl_sim_factory  # noqa: F401 (fixture)

NO_CHANNEL = "00000000-0000-0000-0000-000000000000"


def test_uuid_break_stops_the_prompt_being_played(esl_sim_factory):
    sim = esl_sim_factory(CONF)
    raw = Raw(sim.port).auth()
    uuid = _call(raw)
    watcher = _watcher(sim, "PLAYBACK_START PLAYBACK_STOP CHANNEL_EXECUTE_COMPLETE")
    raw.cmd("api uuid_broadcast %s silence_stream://600000" % uuid)   # ten minutes
    assert _events(watcher, 1)[0][0] == "PLAYBACK_START"
    # mod_commands prints nothing on success, which mod_event_socket sends as "-ERR no reply"
    assert body(raw.cmd("api uuid_break %s" % uuid)) == "-ERR no reply\n"
    (stop, headers, _), (done, app, _) = _events(watcher, 2, timeout=10)
    assert (stop, headers["Playback-Status"]) == ("PLAYBACK_STOP", "break")
    assert (done, app["Application"]) == ("CHANNEL_EXECUTE_COMPLETE", "playback")
    assert body(raw.cmd("api uuid_exists %s" % uuid)) == "true"   # the call goes on


def test_uuid_break_all_also_drops_the_queued_prompts(esl_sim_factory):
    sim = esl_sim_factory(CONF)
    raw = Raw(sim.port).auth()
    uuid = _call(raw)
    watcher = _watcher(sim, "PLAYBACK_START CHANNEL_EXECUTE_COMPLETE")
    for _ in range(3):
        raw.cmd("api uuid_broadcast %s silence_stream://600000" % uuid)
    assert _events(watcher, 1)[0][0] == "PLAYBACK_START"
    raw.cmd("api uuid_break %s all" % uuid)
    assert _events(watcher, 1, timeout=10)[0][0] == "CHANNEL_EXECUTE_COMPLETE"
    assert _events(watcher, 1, timeout=1.0) == []   # the other two never start


def test_uuid_break_errors(esl_sim_factory):
    sim = esl_sim_factory(CONF)
    raw = Raw(sim.port).auth()
    assert body(raw.cmd("api uuid_break")) == "-USAGE: <uuid> [all]\n"
    assert body(raw.cmd("api uuid_break %s" % NO_CHANNEL)) == "-ERR No Such Channel!\n"


def test_uuid_setvar_multi_sets_and_unsets(esl_sim_factory):
    sim = esl_sim_factory(CONF)
    raw = Raw(sim.port).auth()
    uuid = _call(raw)
    raw.cmd("api uuid_setvar %s gone before" % uuid)
    assert body(raw.cmd("api uuid_setvar_multi %s campaign=7;lead=a=b;gone" % uuid)) == "+OK\n"
    assert body(raw.cmd("api uuid_getvar %s campaign" % uuid)) == "7"
    assert body(raw.cmd("api uuid_getvar %s lead" % uuid)) == "a=b"
    assert body(raw.cmd("api uuid_getvar %s gone" % uuid)) == "_undef_"
    assert body(raw.cmd("api uuid_setvar_multi %s =1;ok=1" % uuid)) == \
        "-ERR No variable specified\n+OK\n"
    usage = "-USAGE: <uuid> <var>=<value>;<var>=<value>...\n"
    assert body(raw.cmd("api uuid_setvar_multi %s" % uuid)) == usage
    assert body(raw.cmd("api uuid_setvar_multi %s a=1" % NO_CHANNEL)) == \
        "-ERR No Such Channel!\n" + usage


def test_uuid_pre_answer_and_uuid_flush_dtmf(esl_sim_factory):
    sim = esl_sim_factory(CONF)
    raw = Raw(sim.port).auth()
    uuid = _call(raw)
    assert body(raw.cmd("api uuid_pre_answer %s" % uuid)) == "+OK\n"
    assert body(raw.cmd("api uuid_pre_answer %s" % NO_CHANNEL)) == "-ERR No such channel!\n"
    assert body(raw.cmd("api uuid_flush_dtmf %s" % uuid)) == "+OK\n"
    assert body(raw.cmd("api uuid_flush_dtmf %s" % NO_CHANNEL)) == "-ERR no such session\n"


def _client(sim):
    conn = ESL.ESLconnection("127.0.0.1", str(sim.port), "ClueCon")
    assert conn.connected()
    return conn


def test_record_session_records_in_the_background_until_stopped(esl_sim_factory, tmp_path):
    sim = esl_sim_factory(CONF)
    raw = Raw(sim.port).auth()
    uuid = _call(raw)
    conn = _client(sim)
    watcher = _watcher(sim, "RECORD_START RECORD_STOP CHANNEL_EXECUTE_COMPLETE")
    stopped, at_hangup = str(tmp_path / "agent.wav"), str(tmp_path / "rest.wav")
    conn.execute("record_session", stopped, uuid)
    (done, app, _), (start, rec, _) = sorted(_events(watcher, 2), key=lambda e: e[0])
    assert (done, app["Application"]) == ("CHANNEL_EXECUTE_COMPLETE", "record_session")
    assert (start, rec["Record-File-Path"]) == ("RECORD_START", stopped)
    time.sleep(0.3)
    conn.execute("stop_record_session", stopped, uuid)
    names = [n for n, _, _ in _events(watcher, 2)]
    assert sorted(names) == ["CHANNEL_EXECUTE_COMPLETE", "RECORD_STOP"]
    with wave.open(stopped, "rb") as wav:
        assert 0.2 <= wav.getnframes() / 8000.0 < 5
    conn.execute("record_session", at_hangup + " 600", uuid)
    _events(watcher, 2)
    raw.cmd("api uuid_kill %s" % uuid)
    assert "RECORD_STOP" in [n for n, _, _ in _events(watcher, 2)]   # and park's COMPLETE
    assert os.path.getsize(at_hangup) >= 44   # a WAV header at least


def test_multiset_multiunset_and_set_global(esl_sim_factory):
    sim = esl_sim_factory(CONF)
    raw = Raw(sim.port).auth()
    uuid = _call(raw)
    conn = _client(sim)
    watcher = _watcher(sim, "CHANNEL_EXECUTE_COMPLETE")
    conn.execute("multiset", "queue=sales agent=1001", uuid)
    conn.execute("multiset", "^^;note=a b;tier=2", uuid)
    conn.execute("multiunset", "agent tier", uuid)
    conn.execute("set_global", "campaign_open=true", uuid)
    assert [h["Application"] for _, h, _ in _events(watcher, 4)] == [
        "multiset", "multiset", "multiunset", "set_global"]
    got = {name: body(raw.cmd("api uuid_getvar %s %s" % (uuid, name)))
           for name in ("queue", "note", "agent", "tier")}
    assert got == {"queue": "sales", "note": "a b", "agent": "_undef_", "tier": "_undef_"}
    assert body(raw.cmd("api global_getvar campaign_open")) == "true"


def test_hash_api_and_application_share_one_table(esl_sim_factory):
    sim = esl_sim_factory(CONF)
    raw = Raw(sim.port).auth()

    def api(arg):
        return body(raw.cmd("api hash " + arg))

    assert api("insert/agents/1001/available") == "+OK\n"
    assert api("select/agents/1001") == "available"
    assert api("select/agents/1002") == "-ERR no reply\n"   # nothing printed, as mod_hash
    assert api("insert_ifempty/agents/1001/busy") == "-ERR key already exists\n"
    assert api("delete_ifmatch/agents/1001/busy") == "-ERR Doesn't match\n"
    assert api("delete_ifmatch/agents/1001/available") == "+OK\n"
    assert api("delete/agents/1001") == "-ERR Not found\n"
    assert api("insert/agents").startswith("-ERR Usage: hash insert|")
    uuid = _call(raw)
    conn = _client(sim)
    watcher = _watcher(sim, "CHANNEL_EXECUTE_COMPLETE")
    conn.execute("hash", "insert/queue/last_caller/%s" % uuid, uuid)
    _events(watcher, 1)
    assert api("select/queue/last_caller") == uuid


def test_sched_api_runs_a_command_later_and_sched_del_cancels(esl_sim_factory):
    sim = esl_sim_factory(CONF)
    raw = Raw(sim.port).auth()
    capped, kept = _call(raw), _call(raw)
    watcher = _watcher(sim, "ADD_SCHEDULE DEL_SCHEDULE RE_SCHEDULE CHANNEL_HANGUP")
    # A dialer's cap on a call's length, and one it calls off.
    reply = body(raw.cmd("api sched_api +1 cap_%s uuid_kill %s" % (capped, capped)))
    assert reply.startswith("+OK Added: ")
    task_id = reply.split(": ")[1].strip()
    body(raw.cmd("api sched_api +1 cap_kept uuid_kill %s" % kept))
    added = _events(watcher, 2)
    assert [(n, h["Task-ID"], h["Task-Desc"], h["Task-Group"]) for n, h, _ in added][0] == (
        "ADD_SCHEDULE", task_id, "sched_api_function", "cap_" + capped)
    assert body(raw.cmd("api sched_del cap_kept")) == "+OK Deleted: 1\n"
    # Both calls' loopback legs, the deletions: wait for as many events as can come.
    seen = [(n, h.get("Task-ID"), h.get("Unique-ID"))
            for n, h, _ in _events(watcher, 6, timeout=3)]
    assert ("CHANNEL_HANGUP", None, capped) in seen
    assert ("DEL_SCHEDULE", task_id, None) in seen
    assert ("CHANNEL_HANGUP", None, kept) not in seen
    assert len(seen) == 4   # DEL_SCHEDULE twice, the capped call's two legs
    assert body(raw.cmd("api uuid_exists %s" % kept)) == "true"

    reply = body(raw.cmd("api sched_api @1 poll hash insert/poll/last/x"))
    task_id = reply.split(": ")[1].strip()
    _events(watcher, 1)   # ADD_SCHEDULE
    (name, headers, _), = _events(watcher, 1, timeout=5)
    assert (name, headers["Task-ID"]) == ("RE_SCHEDULE", task_id)
    assert body(raw.cmd("api hash select/poll/last")) == "x"
    assert body(raw.cmd("api sched_del %s" % task_id)) == "+OK Deleted: 1\n"
    assert body(raw.cmd("api sched_del 99999")) == "+OK Deleted: 0\n"
    assert body(raw.cmd("api sched_api +1 lonely")).startswith("-ERR Invalid syntax. USAGE:")


def test_sched_hangup_ends_the_call_with_allotted_timeout(esl_sim_factory):
    sim = esl_sim_factory(CONF)
    raw = Raw(sim.port).auth()
    uuid = _call(raw)
    conn = _client(sim)
    watcher = _watcher(sim, "ADD_SCHEDULE CHANNEL_HANGUP")
    conn.execute("sched_hangup", "+1", uuid)
    (name, task, _), = _events(watcher, 1)
    assert (name, task["Task-Desc"], task["Task-Group"]) == (
        "ADD_SCHEDULE", "switch_ivr_schedule_hangup", uuid)
    hangups = {h["Unique-ID"]: h["Hangup-Cause"] for _, h, _ in _events(watcher, 2, timeout=8)}
    assert hangups[uuid] == "ALLOTTED_TIMEOUT"


def test_the_sched_hangup_api_command(esl_sim_factory):
    # switchio's Session.sched_hangup: "sched_hangup +<s> <uuid> <cause>", sched_del by uuid.
    sim = esl_sim_factory(CONF)
    raw = Raw(sim.port).auth()
    later, kept, now = _call(raw), _call(raw), _call(raw)
    watcher = _watcher(sim, "ADD_SCHEDULE DEL_SCHEDULE CHANNEL_HANGUP")
    assert body(raw.cmd("api sched_hangup +1 %s USER_BUSY" % later)) == "+OK\n"
    assert body(raw.cmd("api sched_hangup +1 %s" % kept)) == "+OK\n"
    added = _events(watcher, 2)
    assert [(n, h["Task-Desc"], h["Task-Group"]) for n, h, _ in added] == [
        ("ADD_SCHEDULE", "switch_ivr_schedule_hangup", later),
        ("ADD_SCHEDULE", "switch_ivr_schedule_hangup", kept)]
    assert body(raw.cmd("api sched_del %s" % kept)) == "+OK Deleted: 1\n"
    assert body(raw.cmd("api sched_hangup +0 %s" % now)) == "+OK\n"   # at once
    seen = [(n, h.get("Unique-ID"), h.get("Hangup-Cause"))
            for n, h, _ in _events(watcher, 6, timeout=4)]
    assert ("CHANNEL_HANGUP", now, "ALLOTTED_TIMEOUT") in seen
    assert ("CHANNEL_HANGUP", later, "USER_BUSY") in seen
    assert not [s for s in seen if s[1] == kept]
    assert body(raw.cmd("api sched_hangup +1 %s" % NO_CHANNEL)) == "-ERR No such channel!\n"
    assert body(raw.cmd("api sched_hangup")) == "-USAGE: [+]<time> <uuid> [<cause>]\n"


def test_uuid_audio_answers_as_mod_commands(esl_sim_factory):
    # switchio's Session.mute/unmute; there is no audio, but the checks and answers are
    # FreeSWITCH's.
    sim = esl_sim_factory(CONF)
    raw = Raw(sim.port).auth()
    uuid = _call(raw)
    usage = "-USAGE: <uuid> [start [read|write] [mute|level <level>]|stop]\n"
    assert body(raw.cmd("api uuid_audio %s start write mute 1" % uuid)) == "+OK\n"
    assert body(raw.cmd("api uuid_audio %s start read level -2" % uuid)) == "+OK\n"
    assert body(raw.cmd("api uuid_audio %s stop" % uuid)) == "+OK\n"
    assert body(raw.cmd("api uuid_audio %s start both mute 1" % uuid)) == usage
    assert body(raw.cmd("api uuid_audio %s start write mute" % uuid)) == usage
    assert body(raw.cmd("api uuid_audio %s" % uuid)) == usage
    assert body(raw.cmd("api uuid_audio %s stop" % NO_CHANNEL)) == "-ERR No such channel!\n"


def test_uuid_recv_dtmf_is_heard_by_the_channel_itself(esl_sim_factory):
    sim = esl_sim_factory(CONF)
    raw = Raw(sim.port).auth()
    a_leg = _call(raw)
    watcher = _watcher(sim, "DTMF")
    # Unlike uuid_send_dtmf (out to the far end), the digits arrive on this very channel.
    assert body(raw.cmd("api uuid_recv_dtmf %s 3#" % a_leg)) == "-ERR no reply\n"
    heard = [(h["Unique-ID"], h["DTMF-Digit"], h["DTMF-Source"]) for _, h, _ in
             _events(watcher, 2)]
    assert heard == [(a_leg, "3", "APP"), (a_leg, "%23", "APP")]
    assert body(raw.cmd("api uuid_recv_dtmf %s" % a_leg)) == "-USAGE: <uuid> <dtmf_data>\n"
    assert body(raw.cmd("api uuid_recv_dtmf %s 1" % NO_CHANNEL)) == \
        "-ERR Cannot locate session!\n"


def test_sched_transfer_routes_the_channel_again_later(esl_sim_factory):
    sim = esl_sim_factory(CONF)
    raw = Raw(sim.port).auth()
    uuid, gone = _call(raw), _call(raw)
    watcher = _watcher(sim, "ADD_SCHEDULE CHANNEL_EXECUTE")
    started = time.monotonic()
    assert body(raw.cmd("api sched_transfer +1 %s 9997 XML default" % uuid)) == "+OK\n"
    assert body(raw.cmd("api sched_transfer +1 %s 9997" % gone)) == "+OK\n"
    assert body(raw.cmd("api sched_del %s" % gone)) == "+OK Deleted: 1\n"
    (name, task, _), (name2, _, _) = _events(watcher, 2)
    assert (name, task["Task-Desc"], task["Task-Group"]) == (
        "ADD_SCHEDULE", "switch_ivr_schedule_transfer", uuid)
    executed = [(h["Unique-ID"], h["Application"], h["Caller-Destination-Number"])
                for _, h, _ in _events(watcher, 2, timeout=5)]
    assert time.monotonic() - started >= 0.9
    assert executed == [(uuid, "answer", "9997"), (uuid, "playback", "9997")]
    assert body(raw.cmd("api sched_transfer +1 %s 1" % NO_CHANNEL)) == "-ERR No such channel!\n"
    assert body(raw.cmd("api sched_transfer +1")) == \
        "-USAGE: [+]<time> <uuid> <extension> [<dialplan>] [<context>]\n"


def test_sched_broadcast_plays_to_the_legs_later(esl_sim_factory):
    sim = esl_sim_factory(CONF)
    raw = Raw(sim.port).auth()
    uuid = _call(raw)
    watcher = _watcher(sim, "ADD_SCHEDULE CHANNEL_EXECUTE")
    assert body(raw.cmd("api sched_broadcast +1 %s silence_stream://100" % uuid)) == \
        "+OK Message scheduled\n"
    (name, task, _), = _events(watcher, 1)
    assert (name, task["Task-Desc"], task["Task-Group"]) == (
        "ADD_SCHEDULE", "switch_ivr_schedule_broadcast", uuid)
    assert _events(watcher, 1, timeout=0.5) == []          # not yet
    (name, played, _), = _events(watcher, 1, timeout=3)
    assert (name, played["Unique-ID"], played["Application"]) == (
        "CHANNEL_EXECUTE", uuid, "playback")
    # No check of the uuid, as in FreeSWITCH; an unknown leg word plays to no leg.
    assert body(raw.cmd("api sched_broadcast +0 %s silence_stream://100" % NO_CHANNEL)) == \
        "+OK Message scheduled\n"
    assert body(raw.cmd("api sched_broadcast +0 %s silence_stream://100 neither" % uuid)) == \
        "+OK Message scheduled\n"
    assert [n for n, _, _ in _events(watcher, 3, timeout=1.5)] == ["ADD_SCHEDULE"] * 2
    assert body(raw.cmd("api sched_broadcast +1 %s" % uuid)).startswith("-USAGE: [[+]<time>")


def test_text_commands_answer_as_mod_commands(esl_sim_factory):
    sim = esl_sim_factory(CONF)
    raw = Raw(sim.port).auth()
    assert body(raw.cmd("api md5 hello world")) == "5eb63bbbe01eeed093cb22bb8f5acdc3"
    assert body(raw.cmd("api md5")) == "!err!"
    assert body(raw.cmd("api url_encode a b&c=%41é")) == "a%20b%26c%3D%41%C3%A9"
    assert body(raw.cmd("api url_decode a%20b+%C3%A9%zz")) == "a b+é%zz"
    assert body(raw.cmd("api module_exists mod_sofia")) == "true"
    assert body(raw.cmd("api module_exists mod_conference")) == "false"
    assert body(raw.cmd("api strftime 86400|x%Y-%m-%d")) == time.strftime(
        "%Y-%m-%d", time.localtime(86400))              # (the character after | is skipped)
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", body(raw.cmd("api strftime")))
    assert body(raw.cmd("api strftime %Y%Q")) == "-ERR no reply\n"   # not a conversion
