"""The simulated switch's calls over real sockets: DTMF, applications, endpoints, originate."""
import os
import time

from ESL.sim.pytest_plugin import esl_sim, esl_sim_factory  # noqa: F401 (fixtures)
from test_sim import Raw, body, reply

HERE = os.path.dirname(os.path.abspath(__file__))
CONF = os.path.join(HERE, "data", "sim", "fs-conf")


def headers(frame):
    """The url-decoded headers of a plain event frame, as a dict (first value wins)."""
    from urllib.parse import unquote
    out = {}
    for line in body(frame).split("\n\n")[0].split("\n"):
        name, _, value = line.partition(": ")
        out.setdefault(name, unquote(value))
    return out


class Events:
    """The events one connection receives, read frame by frame (none lost between reads)."""

    def __init__(self, conn):
        self.conn = conn
        self.pending = []
        self.raw = []   # every frame read, in order

    def next(self, timeout=10.0):
        """The next frame, or None after ``timeout`` seconds."""
        if not self.pending:
            self.pending = self.conn.frames(1, timeout)
        frame = self.pending.pop(0) if self.pending else None
        if frame is not None:
            self.raw.append(frame)
        return frame

    def until(self, *names, timeout=10.0):
        """Read events until ``names`` were all seen in that order; returns every header dict
        read. Fails the test if one is missing after ``timeout`` seconds."""
        seen = []
        want = list(names)
        while want:
            frame = self.next(timeout)
            assert frame is not None, "missing %s after %s" % (
                want, [h.get("Event-Name") for h in seen])
            h = headers(frame)
            seen.append(h)
            if h.get("Event-Name") == want[0]:
                want.pop(0)
        return seen


def api(ev, command):
    """Send ``api <command>`` on the Events reader's connection; returns the reply body (events
    read meanwhile stay in ``ev.raw``)."""
    ev.conn.send(("api %s\n\n" % command).encode())
    while True:
        frame = ev.next()
        assert frame is not None, "no reply to " + command
        if frame.startswith(b"Content-Type: api/response"):
            return body(frame)


def test_dtmf_sent_to_a_loopback_leg_is_heard_by_its_partner(esl_sim_factory):
    sim = esl_sim_factory(CONF)
    conn = Raw(sim.port).auth()
    assert conn.cmd("event plain DTMF") == reply("+OK event listener enabled plain")
    a_uuid = body(conn.cmd("api originate loopback/9998/default &park")).split()[1]
    b_uuid = sim.switch.loop.call(lambda: sim.switch.channel(a_uuid).other.uuid)
    sim.switch.loop.call(lambda: sim.switch.channel(a_uuid).send_dtmf("4w2#x"))
    got = [headers(f) for f in conn.frames(3)]
    assert [h["DTMF-Digit"] for h in got] == ["4", "2", "#"]
    assert {h["Unique-ID"] for h in got} == {b_uuid}
    assert got[0]["DTMF-Duration"] == "2000" and got[0]["DTMF-Source"] == "UNKNOWN"
    assert got[0]["Event-Calling-Function"] == "switch_channel_dequeue_dtmf"
    assert not any(k.startswith("variable_") for k in got[0])
    conn.cmd("api hupall")


APPS_DIALPLAN = """
  <extension name="pagd"><condition field="destination_number" expression="^300$">
    <action application="answer"/>
    <action application="play_and_get_digits"
            data="2 4 2 2000 # silence_stream://100 silence_stream://50 choice ^1\\d+$"/>
    <action application="park"/>
  </condition></extension>
  <extension name="read"><condition field="destination_number" expression="^301$">
    <action application="answer"/>
    <action application="read" data="1 3 tone_stream://%(100,0,440) got 1000 #"/>
    <action application="park"/>
  </condition></extension>
  <extension name="tone"><condition field="destination_number" expression="^302$">
    <action application="answer"/>
    <action application="playback" data="tone_stream://%(100,100,440);loops=3"/>
    <action application="hangup"/>
  </condition></extension>
  <extension name="record"><condition field="destination_number" expression="^303$">
    <action application="answer"/>
    <action application="record" data="$${rec_dir}/rec.wav 1"/>
    <action application="hangup"/>
  </condition></extension>
  <extension name="bad"><condition field="destination_number" expression="^304$">
    <action application="answer"/>
    <action application="no_such_app" data="x"/>
    <action application="set" data="never=reached"/>
  </condition></extension>
  <extension name="xfer"><condition field="destination_number" expression="^305$">
    <action application="transfer" data="306 XML default"/>
    <action application="set" data="never=reached"/>
  </condition></extension>
  <extension name="target"><condition field="destination_number" expression="^306$">
    <action application="set" data="reached=yes"/>
    <action application="answer"/>
    <action application="park"/>
  </condition></extension>
  <extension name="early"><condition field="destination_number" expression="^307$">
    <action application="ring_ready"/>
    <action application="pre_answer"/>
    <action application="sleep" data="100"/>
    <action application="answer"/>
    <action application="park"/>
  </condition></extension>
  <extension name="busy"><condition field="destination_number" expression="^308$">
    <action application="answer"/>
    <action application="bridge" data="sofia/internal/busy@10.0.0.9"/>
    <action application="set" data="never=reached"/>
  </condition></extension>
  <extension name="busy_go_on"><condition field="destination_number" expression="^309$">
    <action application="answer"/>
    <action application="set" data="continue_on_fail=true"/>
    <action application="bridge" data="sofia/internal/busy@10.0.0.9"/>
    <action application="set" data="went=on"/>
    <action application="park"/>
  </condition></extension>
  <extension name="bridge_far"><condition field="destination_number" expression="^310$">
    <action application="set" data="hangup_after_bridge=true"/>
    <action application="bridge" data="{sim_hangup_after=300}sofia/internal/1234@10.0.0.9"/>
    <action application="set" data="never=reached"/>
  </condition></extension>
  <extension name="bridge_export"><condition field="destination_number" expression="^311$">
    <action application="answer"/>
    <action application="export" data="exported=yes"/>
    <action application="export" data="nolocal:only_there=1"/>
    <action application="bridge" data="[leg_var=x]loopback/200/default"/>
  </condition></extension>
  <extension name="park"><condition field="destination_number" expression="^200$">
    <action application="answer"/><action application="park"/>
  </condition></extension>
"""


def apps_conf(tmp_path):
    from test_sim import small_conf
    conf = small_conf(tmp_path / "conf", dialplan=APPS_DIALPLAN)
    with open(os.path.join(conf, "vars.xml"), "w") as fh:
        fh.write('<include><X-PRE-PROCESS cmd="set" data="pw=ClueCon"/>'
                 '<X-PRE-PROCESS cmd="set" data="domain=example.test"/>'
                 '<X-PRE-PROCESS cmd="set" data="rec_dir=%s"/></include>' % tmp_path)
    with open(os.path.join(conf, "autoload_configs", "sofia.conf.xml"), "w") as fh:
        fh.write('<configuration name="sofia.conf"><profiles><profile name="internal">'
                 '<gateways><gateway name="carrier"><param name="realm" value="10.0.0.9"/>'
                 '</gateway></gateways><settings><param name="context" value="default"/>'
                 '<param name="sip-ip" value="127.0.0.1"/><param name="sip-port" value="5060"/>'
                 '</settings></profile></profiles></configuration>')
    return conf


def start_call(sim, conn, exten, events):
    """Subscribe ``conn`` to ``events``, originate to ``exten`` (A-leg parks); returns
    (Events reader, A-leg uuid, B-leg uuid)."""
    assert conn.cmd("event plain " + events).startswith(b"Content-Type: command/reply")
    conn.send(("api originate loopback/%s/default &park\n\n" % exten).encode())
    reader = Events(conn)
    reply = reader.next()
    assert body(reply).startswith("+OK "), reply
    a_uuid = body(reply).split()[1]
    a_leg = sim.switch.loop.call(lambda: sim.switch.channel(a_uuid))
    b_uuid = a_leg.other.uuid if a_leg is not None else None   # None: the call is over
    return reader, a_uuid, b_uuid


def getvar(sim, uuid, name):
    return sim.switch.loop.call(lambda: sim.switch.channel(uuid).getvar(name))


def test_play_and_get_digits_reads_dtmf_and_checks_the_regex(tmp_path, esl_sim_factory):
    sim = esl_sim_factory(apps_conf(tmp_path))
    conn = Raw(sim.port).auth()
    ev, a, b = start_call(sim, conn, "300", "CHANNEL_EXECUTE CHANNEL_EXECUTE_COMPLETE DTMF")
    ev.until("CHANNEL_EXECUTE")   # answer
    # First try: "5#" fails the regex; second try: "12#" matches.
    sim.switch.loop.call(lambda: sim.switch.channel(a).send_dtmf("55#"))
    seen = ev.until("DTMF", "DTMF", "DTMF")
    assert [h["DTMF-Digit"] for h in seen if h["Event-Name"] == "DTMF"] == ["5", "5", "#"]
    sim.switch.loop.call(lambda: sim.switch.channel(a).send_dtmf("12#"))
    seen = ev.until("CHANNEL_EXECUTE_COMPLETE")
    while seen[-1].get("Application") != "play_and_get_digits":
        seen = ev.until("CHANNEL_EXECUTE_COMPLETE")
    done = seen[-1]
    assert done["Unique-ID"] == b
    assert done["variable_choice"] == "12"
    assert done["variable_read_result"] == "success"
    assert done["variable_read_terminator_used"] == "#"
    assert getvar(sim, b, "choice_invalid") == "55"
    conn.cmd("api hupall")


def test_play_and_get_digits_times_out_to_failure(tmp_path, esl_sim_factory):
    sim = esl_sim_factory(apps_conf(tmp_path))
    conn = Raw(sim.port).auth()
    ev, a, b = start_call(sim, conn, "300", "CHANNEL_EXECUTE_COMPLETE")
    seen = ev.until("CHANNEL_EXECUTE_COMPLETE", "CHANNEL_EXECUTE_COMPLETE", timeout=15)
    done = seen[-1]
    assert done["Application"] == "play_and_get_digits"
    assert done["variable_read_result"] == "failure"
    assert "variable_choice" not in done
    conn.cmd("api hupall")


def test_read_collects_up_to_max_digits(tmp_path, esl_sim_factory):
    sim = esl_sim_factory(apps_conf(tmp_path))
    conn = Raw(sim.port).auth()
    ev, a, b = start_call(sim, conn, "301", "CHANNEL_EXECUTE_COMPLETE PLAYBACK_START "
                                            "PLAYBACK_STOP")
    ev.until("PLAYBACK_START")
    sim.switch.loop.call(lambda: sim.switch.channel(b).receive_dtmf("7"))
    stop = ev.until("PLAYBACK_STOP")[-1]
    assert stop["Playback-Status"] == "break"   # the first digit cuts the prompt short
    sim.switch.loop.call(lambda: sim.switch.channel(b).receive_dtmf("89"))
    seen = ev.until("CHANNEL_EXECUTE_COMPLETE")
    assert seen[-1]["Application"] == "read"
    assert seen[-1]["variable_got"] == "789"
    assert seen[-1]["variable_read_result"] == "success"
    conn.cmd("api hupall")


def test_playback_events_loops_and_terminator(tmp_path, esl_sim_factory):
    sim = esl_sim_factory(apps_conf(tmp_path))
    conn = Raw(sim.port).auth()
    ev, a, b = start_call(sim, conn, "302", "PLAYBACK_START PLAYBACK_STOP "
                                            "CHANNEL_EXECUTE_COMPLETE")
    start = ev.until("PLAYBACK_START")[-1]
    assert start["Unique-ID"] == b
    assert start["Playback-File-Type"] == "tone_stream"
    assert start["Playback-File-Path"] == "tone_stream://%(100,100,440);loops=3"
    assert start["Event-Calling-Function"] == "switch_ivr_play_file"
    stop = ev.until("PLAYBACK_STOP")[-1]
    assert stop["Playback-Status"] == "done"
    assert stop["variable_playback_ms"] in ("600", "601", "599")   # 3 loops of 200 ms
    done = ev.until("CHANNEL_EXECUTE_COMPLETE")[-1]
    assert done["Application-Response"] == "FILE PLAYED"
    # A long prompt sent by sendmsg stops at the default terminator "*".
    conn2 = Raw(sim.port).auth()
    ev2, a2, b2 = start_call(sim, conn2, "200", "PLAYBACK_START PLAYBACK_STOP")
    conn2.send(("sendmsg %s\ncall-command: execute\nexecute-app-name: playback\n"
                "execute-app-arg: tone_stream://%%(10000,0,440)\n\n" % a2).encode())
    ev2.until("PLAYBACK_START")
    sim.switch.loop.call(lambda: sim.switch.channel(a2).receive_dtmf("1*"))
    stop = ev2.until("PLAYBACK_STOP")[-1]
    assert stop["Playback-Status"] == "break"
    # FreeSWITCH's counts: whole 20 ms frames written (160 samples each), and the file read
    # ahead in blocks of 16384 samples (what playback_samples/_ms count).
    offset = int(stop["variable_playback_last_offset_pos"])
    samples = int(stop["variable_playback_samples"])
    assert offset % 160 == 0 and 0 < offset < 80000
    assert samples % 16384 == 0 and offset <= samples <= 80000
    assert int(stop["variable_playback_ms"]) == samples // 8
    assert getvar(sim, a2, "playback_terminator_used") == "*"
    # Endless silence lasts until a terminator, as in FreeSWITCH.
    conn2.send(("sendmsg %s\ncall-command: execute\nexecute-app-name: playback\n"
                "execute-app-arg: silence_stream://-1\n\n" % a2).encode())
    assert ev2.until("PLAYBACK_START")[-1]["Playback-File-Path"] == "silence_stream://-1"
    time.sleep(0.3)
    assert getvar(sim, a2, "current_application") == "playback"
    sim.switch.loop.call(lambda: sim.switch.channel(a2).receive_dtmf("*"))
    assert ev2.until("PLAYBACK_STOP")[-1]["Playback-Status"] == "break"
    conn.cmd("api hupall")


def test_record_writes_a_silent_wav_of_the_recorded_length(tmp_path, esl_sim_factory):
    import wave
    sim = esl_sim_factory(apps_conf(tmp_path))
    conn = Raw(sim.port).auth()
    ev, a, b = start_call(sim, conn, "303", "RECORD_START RECORD_STOP")
    path = str(tmp_path / "rec.wav")
    assert ev.until("RECORD_START")[-1]["Record-File-Path"] == path
    stop = ev.until("RECORD_STOP")[-1]
    assert stop["Record-File-Path"] == path
    assert stop["variable_record_seconds"] == "1"
    with wave.open(path, "rb") as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, 8000)
        assert wav.getnframes() == 8000   # the 1 s time limit
        assert set(wav.readframes(wav.getnframes())) == {0}


def test_unknown_application_logs_and_hangs_up(tmp_path, esl_sim_factory):
    sim = esl_sim_factory(apps_conf(tmp_path))
    conn = Raw(sim.port).auth()
    assert conn.cmd("log 7").startswith(b"Content-Type: command/reply")
    ev, a, b = start_call(sim, conn, "304", "CHANNEL_EXECUTE CHANNEL_HANGUP")
    seen = ev.until("CHANNEL_HANGUP")
    frames = list(seen)
    hangup = [h for h in frames if h.get("Event-Name") == "CHANNEL_HANGUP"][0]
    assert hangup["Channel-Name"] == "loopback/304-b"
    assert hangup["Hangup-Cause"] == "DESTINATION_OUT_OF_ORDER"
    apps = [h.get("Application") for h in frames if h.get("Event-Name") == "CHANNEL_EXECUTE"]
    assert "no_such_app" not in apps and "set" not in apps
    ev.until("CHANNEL_HANGUP")   # the A-leg follows
    logs = [f for f in ev.raw if b"Content-Type: log/data" in f]
    assert any(b"[ERR] switch_core_session.c" in f and b"Invalid Application no_such_app" in f
               for f in logs), logs


def test_transfer_routes_the_channel_again(tmp_path, esl_sim_factory):
    sim = esl_sim_factory(apps_conf(tmp_path))
    conn = Raw(sim.port).auth()
    ev, a, b = start_call(sim, conn, "305", "CHANNEL_EXECUTE CHANNEL_STATE CHANNEL_PARK")
    seen = ev.until("CHANNEL_PARK")
    b_events = [h for h in seen if h.get("Unique-ID") == b]
    apps = [h["Application"] for h in b_events if h["Event-Name"] == "CHANNEL_EXECUTE"]
    assert apps[:4] == ["transfer", "set", "answer", "park"]
    assert [h.get("Application-Data") for h in b_events
            if h["Event-Name"] == "CHANNEL_EXECUTE"][1] == "reached=yes"
    states = [h["Channel-State"] for h in b_events if h["Event-Name"] == "CHANNEL_STATE"]
    assert states[-2:] == ["CS_ROUTING", "CS_EXECUTE"]
    park = b_events[-1]
    assert park["Caller-Destination-Number"] == "306"
    assert park["variable_transfer_source"].endswith(":bl_xfer:306/default/xml")
    assert getvar(sim, b, "never") is None
    conn.cmd("api hupall")


def test_ring_ready_and_pre_answer_fire_progress_events(tmp_path, esl_sim_factory):
    sim = esl_sim_factory(apps_conf(tmp_path))
    conn = Raw(sim.port).auth()
    ev, a, b = start_call(sim, conn, "307", "CHANNEL_PROGRESS CHANNEL_PROGRESS_MEDIA "
                                            "CHANNEL_ANSWER")
    seen = ev.until("CHANNEL_PROGRESS", "CHANNEL_PROGRESS_MEDIA", "CHANNEL_ANSWER")
    progress = [h for h in seen if h["Event-Name"] == "CHANNEL_PROGRESS"]
    assert progress[0]["Unique-ID"] == b
    assert progress[0]["Caller-Channel-Progress-Time"] != "0"
    assert [h["Unique-ID"] for h in progress] == [b, a]   # the loopback partner rings too
    media = [h for h in seen if h["Event-Name"] == "CHANNEL_PROGRESS_MEDIA"]
    assert {h["Unique-ID"] for h in media} == {a, b}   # a loopback leg's partner follows
    assert [h for h in media if h["Unique-ID"] == b][0]["Answer-State"] == "early"
    assert getvar(sim, b, "endpoint_disposition") in ("EARLY MEDIA", "ANSWER")
    conn.cmd("api hupall")


def test_bridge_to_a_busy_far_end_hangs_up_with_its_cause(tmp_path, esl_sim_factory):
    sim = esl_sim_factory(apps_conf(tmp_path))
    conn = Raw(sim.port).auth()
    ev, a, b = start_call(sim, conn, "308", "CHANNEL_HANGUP CHANNEL_EXECUTE_COMPLETE")
    seen = ev.until("CHANNEL_HANGUP")
    while seen[-1]["Unique-ID"] != b:
        seen = ev.until("CHANNEL_HANGUP")
    assert seen[-1]["Hangup-Cause"] == "USER_BUSY"
    assert seen[-1]["variable_DIALSTATUS"] == "BUSY"
    assert seen[-1]["variable_originate_disposition"] == "USER_BUSY"
    # With continue_on_fail the dialplan goes on.
    conn2 = Raw(sim.port).auth()
    ev2, a2, b2 = start_call(sim, conn2, "309", "CHANNEL_EXECUTE_COMPLETE")
    done = ev2.until("CHANNEL_EXECUTE_COMPLETE", "CHANNEL_EXECUTE_COMPLETE",
                     "CHANNEL_EXECUTE_COMPLETE", "CHANNEL_EXECUTE_COMPLETE")
    assert [h["Application"] for h in done if h["Unique-ID"] == b2] == [
        "answer", "set", "bridge", "set"]
    assert getvar(sim, b2, "went") == "on"
    conn.cmd("api hupall")


def test_bridge_to_loopback_fires_bridge_and_unbridge(esl_sim_factory):
    sim = esl_sim_factory(CONF)   # the shared configuration: 9994 bridges to 9998
    conn = Raw(sim.port).auth()
    ev, a, b = start_call(sim, conn, "9994", "CHANNEL_BRIDGE CHANNEL_UNBRIDGE CHANNEL_HANGUP "
                                             "CHANNEL_HANGUP_COMPLETE")
    bridge = ev.until("CHANNEL_BRIDGE")[-1]
    peer = bridge["Bridge-B-Unique-ID"]
    assert bridge["Bridge-A-Unique-ID"] == bridge["Unique-ID"] == b
    assert bridge["Other-Type"] == "originatee"
    assert bridge["Other-Leg-Unique-ID"] == peer
    assert bridge["Other-Leg-Channel-Name"] == "loopback/9998-a"
    assert bridge["Event-Calling-Line-Number"] == "1689"
    assert bridge["variable_signal_bond"] == peer
    assert getvar(sim, b, "bridge_uuid") == peer
    assert body(conn.cmd("api uuid_getvar %s bridge_uuid" % peer)) == b
    far = getvar(sim, peer, "other_loopback_leg_uuid")
    assert getvar(sim, far, "other_loopback_from_uuid") == b
    conn.send(("api uuid_kill %s\n\n" % far).encode())
    seen = ev.until("CHANNEL_UNBRIDGE", "CHANNEL_HANGUP_COMPLETE", "CHANNEL_HANGUP_COMPLETE")
    names = [(h["Event-Name"], h.get("Channel-Name")) for h in seen if "Event-Name" in h]
    unbridge = names.index(("CHANNEL_UNBRIDGE", "loopback/9994-b"))
    assert ("CHANNEL_HANGUP_COMPLETE", "loopback/9998-a") in names[:unbridge]
    assert ("CHANNEL_HANGUP", "loopback/9994-b") in names[unbridge:]
    assert [h for h in seen if h.get("Event-Name") == "CHANNEL_UNBRIDGE"][0][
        "Bridge-B-Unique-ID"] == peer


def test_far_end_hangup_ends_the_bridge_and_hangup_after_bridge(tmp_path, esl_sim_factory):
    sim = esl_sim_factory(apps_conf(tmp_path))
    conn = Raw(sim.port).auth()
    ev, a, b = start_call(sim, conn, "310", "CHANNEL_BRIDGE CHANNEL_UNBRIDGE CHANNEL_ANSWER "
                                            "CHANNEL_HANGUP")
    seen = ev.until("CHANNEL_BRIDGE")
    bridge = seen[-1]
    peer = bridge["Bridge-B-Unique-ID"]
    assert bridge["Other-Leg-Channel-Name"] == "sofia/internal/1234@10.0.0.9"
    assert any(h["Event-Name"] == "CHANNEL_ANSWER" and h["Unique-ID"] == b for h in seen)
    seen = ev.until("CHANNEL_UNBRIDGE", "CHANNEL_HANGUP")
    hangups = [h for h in seen if h["Event-Name"] == "CHANNEL_HANGUP"]
    assert hangups[0]["Unique-ID"] == peer   # the far end hung up after 300 ms
    assert [h for h in seen if h["Event-Name"] == "CHANNEL_HANGUP"][-1]["Unique-ID"] == b
    assert getvar(sim, b, "never") is None


def test_originate_endpoint_failures_answer_as_freeswitch(esl_sim_factory):
    sim = esl_sim_factory(CONF)
    conn = Raw(sim.port).auth()
    assert conn.cmd("event plain CHANNEL_DESTROY").startswith(b"Content-Type: command/reply")
    ev = Events(conn)
    for dial, cause in (("error/USER_BUSY", "USER_BUSY"),
                        ("error/no_route_destination", "NO_ROUTE_DESTINATION"),
                        ("user/1000", "USER_NOT_REGISTERED"),
                        ("user/1001@esl.local", "USER_NOT_REGISTERED"),
                        ("user/nosuchuser", "SUBSCRIBER_ABSENT"),
                        ("sofia/internal/busy@10.0.0.9", "USER_BUSY"),
                        ("sofia/internal/reject-me@10.0.0.9", "CALL_REJECTED"),
                        ("{sim_far_end=NORMAL_CIRCUIT_CONGESTION}sofia/internal/1@10.0.0.9",
                         "NORMAL_CIRCUIT_CONGESTION"),
                        ("nosuchtech/1", "CHAN_NOT_IMPLEMENTED")):
        assert api(ev, "originate %s &park" % dial) == "-ERR %s\n" % cause, dial
    assert api(ev, "originate sofia/nosuchprofile/9992@127.0.0.1:5060 &park") == \
        "-ERR INVALID_PROFILE\n"
    destroyed = ev.until("CHANNEL_DESTROY")
    while destroyed[-1]["Channel-Name"] != "N/A":
        destroyed = ev.until("CHANNEL_DESTROY")
    assert "Caller-Direction" not in destroyed[-1]
    assert api(ev, "originate sofia/gateway/nogw/1234 &park") == "-ERR INVALID_GATEWAY\n"


def test_originate_no_answer_times_out_after_ringing(esl_sim_factory):
    sim = esl_sim_factory(CONF)
    conn = Raw(sim.port).auth()
    conn.cmd("event plain CHANNEL_PROGRESS CHANNEL_HANGUP")
    ev = Events(conn)
    assert api(ev, "originate {originate_timeout=1}sofia/internal/noanswer@10.0.0.9 &park") \
        == "-ERR NO_ANSWER\n"
    if not any(b"CHANNEL_HANGUP" in f for f in ev.raw):
        ev.until("CHANNEL_HANGUP")
    seen = [headers(f) for f in ev.raw if b"text/event-plain" in f]
    assert [h["Event-Name"] for h in seen] == ["CHANNEL_PROGRESS", "CHANNEL_HANGUP"]
    assert seen[-1]["Hangup-Cause"] == "NO_ANSWER"


def test_originate_to_far_ends_and_registered_users(esl_sim_factory):
    sim = esl_sim_factory(CONF)
    conn = Raw(sim.port).auth()
    conn.cmd("event plain CHANNEL_OUTGOING CHANNEL_CREATE CHANNEL_PROGRESS CHANNEL_ANSWER")
    ev = Events(conn)
    assert api(ev, "originate {sim_answer_delay=200}sofia/internal/5551234@10.0.0.9 &park"
               ).startswith("+OK ")
    if not any(b"CHANNEL_ANSWER" in f for f in ev.raw):
        ev.until("CHANNEL_ANSWER")
    seen = [headers(f) for f in ev.raw if b"text/event-plain" in f]
    assert [h["Event-Name"] for h in seen] == [
        "CHANNEL_OUTGOING", "CHANNEL_CREATE", "CHANNEL_PROGRESS", "CHANNEL_ANSWER"]
    assert {h["Channel-Name"] for h in seen} == {"sofia/internal/5551234@10.0.0.9"}
    create, answer = seen[1], seen[3]
    assert "Channel-Read-Codec-Name" not in create   # a SIP leg's media starts with the answer
    assert answer["Channel-Read-Codec-Name"] == "PCMU"
    assert answer["Channel-Read-Codec-Bit-Rate"] == "64000"
    assert answer["Caller-Source"] == "src/switch_ivr_originate.c"
    assert answer["variable_sip_destination_url"] == "sip:5551234@10.0.0.9"
    assert answer["variable_sip_to_user"] == "5551234"
    # A call to our own profile's address comes back in through the dialplan (9992 parks).
    conn.send(b"api originate sofia/internal/9992@127.0.0.1:5060 &park\n\n")
    seen = ev.until("CHANNEL_CREATE", "CHANNEL_CREATE", "CHANNEL_ANSWER")
    inbound = [h for h in seen if h.get("Call-Direction") == "inbound"][0]
    assert inbound["Channel-Name"] == "sofia/internal/0000000000@127.0.0.1"
    assert inbound["Caller-Destination-Number"] == "9992"
    # user/ works once the user counts as registered.
    sim.register("1000")
    conn.send(b"api originate user/1000 &park\n\n")
    seen = ev.until("CHANNEL_ANSWER")
    while seen[-1]["Channel-Name"] != "sofia/internal/1000@127.0.0.1":
        seen = ev.until("CHANNEL_ANSWER")
    assert seen[-1]["variable_dialed_user"] == "1000"
    assert seen[-1]["variable_effective_caller_id_name"] == "Extension 1000"
    conn.cmd("api hupall")


def test_originate_variables_reach_the_b_leg_and_origination_uuid(esl_sim_factory):
    sim = esl_sim_factory(CONF)
    conn = Raw(sim.port).auth()
    wanted = "11111111-2222-3333-4444-555555555555"
    reply = conn.cmd("api originate {origination_uuid=%s,foo=bar,quoted='a,b'}"
                     "[leg=one]loopback/9998/default &park" % wanted)
    assert body(reply) == "+OK %s\n" % wanted
    b_uuid = body(conn.cmd("api uuid_getvar %s other_loopback_leg_uuid" % wanted))
    for uid in (wanted, b_uuid):
        assert body(conn.cmd("api uuid_getvar %s foo" % uid)) == "bar"
        assert body(conn.cmd("api uuid_getvar %s quoted" % uid)) == "a,b"
        assert body(conn.cmd("api uuid_getvar %s leg" % uid)) == "one"
    assert body(conn.cmd("api uuid_getvar %s origination_uuid" % b_uuid)) == "_undef_"
    conn.cmd("api hupall")


def test_a_call_logs_its_life_at_freeswitchs_levels(esl_sim_factory):
    """`log 7` shows what fs_cli users see during a call (kinds and levels as in the
    log_call capture: channel creation, state changes, dialplan, applications, hangup)."""
    import re
    sim = esl_sim_factory(CONF)
    log = Raw(sim.port).auth()
    assert log.cmd("log 7") == reply("+OK log level 7 [7]")
    ctl = Raw(sim.port).auth()
    assert body(ctl.cmd("api originate loopback/9993/default &park")).startswith("+OK")
    frames = []
    deadline = time.monotonic() + 10
    while not any(b"(loopback/9993-a) State DESTROY going to sleep" in f for f in frames):
        assert time.monotonic() < deadline, [body(f) for f in frames][-5:]
        frames += log.frames(1, 1.0)
    lines = []
    for f in frames:
        head, _, text = f.partition(b"\n\n")
        level = int(re.search(rb"^Log-Level: (\d+)$", head, re.M).group(1))
        channel = int(re.search(rb"^Text-Channel: (\d+)$", head, re.M).group(1))
        lines.append((level, channel, text.decode()))
    b_uuid = [re.search(r"New Channel loopback/9993-b \[(\S+)\]", t) for _, _, t in lines
              if "New Channel loopback/9993-b" in t][0].group(1)

    def find(pattern):
        found = [(lv, ch) for lv, ch, t in lines if re.search(pattern, t)]
        assert found, pattern
        return found[0]
    prefixed = r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6} \d+\.\d\d% \[NOTICE\] \S+:\d+ "
    # Text channel 3: the session's own lines; 0: lines switch_channel logs by uuid (state,
    # call state, answer, hangup); 1: the dialplan's clean lines.
    assert find(prefixed + r"New Channel loopback/9993/default-a \[") == (5, 3)
    assert find(r"Rename Channel loopback/9993/default-a->loopback/9993-a \[") == (5, 3)
    assert find(prefixed + r"New Channel loopback/9993-b \[") == (5, 3)
    assert find(r"\(loopback/9993-b\) State Change CS_INIT -> CS_ROUTING") == (7, 0)
    assert find(r"\(loopback/9993-b\) Running State Change CS_EXECUTE \(Cur 2 Tot \d+\)") \
        == (7, 0)
    assert find(r"\(loopback/9993-b\) Callstate Change DOWN -> RINGING") == (7, 0)
    assert find(r"\[INFO\] .*Processing  <0000000000>->9993 in context default") == (6, 3)
    assert find(r"^Dialplan: loopback/9993-b Regex \(PASS\) \[answer_tone_loops_hangup\] "
                r"destination_number\(9993\) =~ /\^9993\$/ break=on-false$") == (7, 1)
    assert find(r"^Dialplan: loopback/9993-b Action answer\(\) $") == (7, 1)
    assert find(r"^EXECUTE \[depth=0\] loopback/9993-b playback\(tone_stream://") == (6, 1)
    assert find(r"mod_dptools.c:1406 Channel \[loopback/9993-b\] has been answered") == (5, 0)
    assert find(r"mod_loopback.c:1021 Channel \[loopback/9993-a\] has been answered") == (5, 0)
    assert find(r"Originate Resulted in Success: \[loopback/9993-a\]") == (7, 3)
    assert find(r"Flipping CID from") == (6, 3)
    assert find(r"done playing file tone_stream://") == (7, 3)
    assert find(r"mod_dptools.c:1374 Hangup loopback/9993-b \[CS_EXECUTE\] "
                r"\[NORMAL_CLEARING\]") == (5, 0)
    assert find(r"mod_loopback.c:585 Hangup loopback/9993-a \[CS_EXECUTE\] "
                r"\[NORMAL_CLEARING\]") == (5, 0)
    assert find(r"loopback/9993-b Standard HANGUP, cause: NORMAL_CLEARING") == (7, 3)
    assert find(r"Session \d+ \(loopback/9993-b\) Ended") == (5, 3)
    assert find(r"Close Channel loopback/9993-b \[CS_DESTROY\]") == (5, 0)
    # The B-leg's thread waits to end until the A-leg's hangup handler let go of it.
    texts = [t for _, _, t in lines]

    def at(pattern):
        return next(i for i, t in enumerate(texts) if re.search(pattern, t))
    assert at(r"Session \d+ \(loopback/9993-b\) Locked") < at(r"loopback/9993-a CHANNEL HANGUP") \
        < at(r"Session \d+ \(loopback/9993-b\) Ended")
    assert at(r"\(loopback/9993-a\) Running State Change CS_DESTROY \(Cur 0 Tot \d+\)") \
        == len(texts) - 4
    user_data = [re.search(rb"^User-Data: (\S*)$", f, re.M) for f in frames
                 if b"New Channel loopback/9993-b" in f][0].group(1).decode()
    assert user_data == b_uuid
    # Nobody logging: the same call logs nothing (and costs no formatting).
    log.send(b"nolog\n\n")
    tail = log.frames(10 ** 6, 1.0)
    assert tail[-1] == reply("+OK no longer logging")
    assert body(ctl.cmd("api originate loopback/9998/default &park")).startswith("+OK")
    assert [f for f in log.frames(5, 0.5) if b"log/data" in f] == []
    ctl.cmd("api hupall")


def test_bridge_exports_variables_and_passes_dtmf(tmp_path, esl_sim_factory):
    sim = esl_sim_factory(apps_conf(tmp_path))
    conn = Raw(sim.port).auth()
    ev, a, b = start_call(sim, conn, "311", "CHANNEL_BRIDGE DTMF")
    bridge = ev.until("CHANNEL_BRIDGE")[-1]
    peer = bridge["Bridge-B-Unique-ID"]
    far = getvar(sim, peer, "other_loopback_leg_uuid")
    for uid in (peer, far):   # the dialled leg and, through mod_loopback, its partner
        assert getvar(sim, uid, "exported") == "yes"
        assert getvar(sim, uid, "only_there") == "1"
        assert getvar(sim, uid, "leg_var") == "x"
    assert getvar(sim, b, "exported") == "yes" and getvar(sim, b, "only_there") is None
    # A digit the bridging leg hears crosses the bridge: the far loopback leg hears it.
    sim.switch.loop.call(lambda: sim.switch.channel(b).receive_dtmf("5"))
    got = ev.until("DTMF", "DTMF")
    assert [(h["Unique-ID"], h["DTMF-Digit"]) for h in got if h["Event-Name"] == "DTMF"] == [
        (b, "5"), (far, "5")]
    conn.cmd("api hupall")


def test_playback_counts_follow_frames_and_read_blocks():
    from ESL.sim.applications import playback_counts
    # A 200 ms prompt cut by a digit 68 ms in: 4 frames played, the whole prompt read.
    assert playback_counts("tone_stream://%(200,0,600)", 0.068, 0.2) == (640, 1600, 8000)
    # A digit already waiting: nothing played or read.
    assert playback_counts("tone_stream://%(200,0,600)", 0.0, 0.2) == (0, 0, 8000)
    # Played to the end: every sample.
    assert playback_counts("tone_stream://%(200,0,600)", 0.2, 0.2) == (1600, 1600, 8000)
    # A 10 s tone cut after 3 s: 150 frames played, two read blocks of 16384.
    assert playback_counts("tone_stream://%(10000,0,440)", 3.0, 10.0) == (24000, 32768, 8000)
