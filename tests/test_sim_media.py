"""File names with a ``{param=value}`` block over real sockets: the simulator plays them as
FreeSWITCH's file handles do (switchio broadcasts ``playback::{loops=-1}tone_stream://...``)."""
from ESL.sim.media import file_params, file_seconds
from ESL.sim.pytest_plugin import esl_sim, esl_sim_factory  # noqa: F401 (fixtures)
from test_sim import Raw
from test_sim_calls import CONF, api, getvar, start_call


def test_a_leading_block_is_the_file_handles_parameters():
    assert file_params("{loops=2,x=y}tone_stream://%(100,0,440)") == (
        {"loops": "2", "x": "y"}, "tone_stream://%(100,0,440)")
    assert file_params("{a=1}{b=2} /tmp/x.wav") == ({"a": "1", "b": "2"}, "/tmp/x.wav")
    assert file_seconds("{loops=3}tone_stream://%(100,100,440)") == 0.6
    # The tone's own ;loops= wins over the block's (mod_tone_stream reads it first).
    assert file_seconds("{loops=3}tone_stream://%(100,100,440);loops=1") == 0.2
    assert file_seconds("{loops=2}silence_stream://300") == 0.3
    assert file_seconds("{loops=2}no/such/file.wav") is None


def test_playback_and_broadcast_of_a_file_with_parameters(esl_sim_factory):
    sim = esl_sim_factory(CONF)
    conn = Raw(sim.port).auth()
    ev, a, _ = start_call(sim, conn, "9998", "PLAYBACK_START PLAYBACK_STOP")
    spec = "{loops=2}tone_stream://%(100,100,440)"
    conn.send(("sendmsg %s\ncall-command: execute\nexecute-app-name: playback\n"
               "execute-app-arg: %s\nevent-lock: true\n\n" % (a, spec)).encode())
    seen = ev.until("PLAYBACK_START", "PLAYBACK_STOP")
    start = [h for h in seen if h.get("Event-Name") == "PLAYBACK_START"][0]
    stop = [h for h in seen if h.get("Event-Name") == "PLAYBACK_STOP"][0]
    assert start["Playback-File-Path"] == spec
    assert start["Playback-File-Type"] == "tone_stream"
    assert stop["Playback-Status"] == "done"
    assert getvar(sim, a, "playback_ms") == "400"
    assert getvar(sim, a, "current_application_response") == "FILE PLAYED"
    # uuid_broadcast's app::args form, as switchio's Session.broadcast sends it.
    assert api(ev, "uuid_broadcast %s playback::%s aleg" % (a, spec)).startswith("+OK")
    seen = ev.until("PLAYBACK_START", "PLAYBACK_STOP")
    assert [h["Playback-File-Path"] for h in seen
            if h.get("Event-Name") == "PLAYBACK_STOP"] == [spec]
