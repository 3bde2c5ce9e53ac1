"""SIP calls from the simulated switch to its own sofia profile, over real sockets: the two legs,
their SIP variables, and hangups from either side before and after the answer."""
import os

from ESL.sim.pytest_plugin import esl_sim, esl_sim_factory  # noqa: F401 (fixtures)
from test_sim import Raw, body
from test_sim_calls import Events, api, headers

SIP_DIALPLAN = """
  <extension name="park"><condition field="destination_number" expression="^400$">
    <action application="answer"/><action application="park"/>
  </condition></extension>
  <extension name="ring"><condition field="destination_number" expression="^401$">
    <action application="ring_ready"/><action application="sleep" data="100"/>
    <action application="pre_answer"/><action application="sleep" data="100"/>
    <action application="answer"/><action application="park"/>
  </condition></extension>
  <extension name="tone"><condition field="destination_number" expression="^402$">
    <action application="answer"/>
    <action application="playback" data="tone_stream://%(100,0,440)"/>
    <action application="hangup"/>
  </condition></extension>
  <extension name="never"><condition field="destination_number" expression="^403$">
    <action application="park"/>
  </condition></extension>
  <extension name="busy"><condition field="destination_number" expression="^404$">
    <action application="hangup" data="USER_BUSY"/>
  </condition></extension>
"""
TARGET = "sofia/internal/%s@127.0.0.1:5060"


def sip_conf(tmp_path):
    from test_sim import small_conf
    conf = small_conf(tmp_path / "conf", dialplan=SIP_DIALPLAN)
    with open(os.path.join(conf, "vars.xml"), "w") as fh:
        fh.write('<include><X-PRE-PROCESS cmd="set" data="pw=ClueCon"/></include>')
    with open(os.path.join(conf, "autoload_configs", "sofia.conf.xml"), "w") as fh:
        fh.write('<configuration name="sofia.conf"><profiles><profile name="internal">'
                 '<settings><param name="context" value="default"/>'
                 '<param name="sip-ip" value="127.0.0.1"/><param name="sip-port" value="5060"/>'
                 '<param name="outbound-codec-prefs" value="PCMA,PCMU"/>'
                 '</settings></profile></profiles></configuration>')
    return conf


def watch(sim, events="ALL"):
    conn = Raw(sim.port).auth()
    assert body(conn.cmd("event plain " + events)) == ""
    return Events(conn)


def collect(ev, *names):
    """The events read since ``ev.raw`` was last emptied (some come before an api reply, some
    after), reading on until ``names`` have all been seen in that order."""
    want = list(names)
    for frame in ev.raw:
        if want and b"text/event-plain" in frame and \
                headers(frame).get("Event-Name") == want[0]:
            want.pop(0)
    if want:
        ev.until(*want)
    seen = [headers(f) for f in ev.raw if b"text/event-plain" in f]
    ev.raw = []
    return seen


def legs(seen, a_uuid):
    """``(event name, "A" or "B")`` for each channel event of ``seen``."""
    return [(h["Event-Name"], "A" if h["Unique-ID"] == a_uuid else "B")
            for h in seen if h.get("Unique-ID") and h["Event-Name"] != "API"]


def test_a_call_to_our_own_profile_comes_back_in_as_a_sip_leg(tmp_path, esl_sim_factory):
    sim = esl_sim_factory(sip_conf(tmp_path))
    ev = watch(sim)
    out = api(ev, "originate {origination_caller_id_name=Alice,origination_caller_id_number="
                  "1234}%s &park" % (TARGET % "400"))
    assert out.startswith("+OK ")
    a_uuid = out.split()[1].strip()
    seen = collect(ev, "CHANNEL_PARK", "CHANNEL_PARK")
    order = legs(seen, a_uuid)
    assert order[:20] == [
        ("CHANNEL_OUTGOING", "A"), ("CHANNEL_STATE", "A"), ("CHANNEL_CREATE", "A"),
        ("CHANNEL_ORIGINATE", "A"), ("CHANNEL_STATE", "A"), ("CHANNEL_STATE", "A"),
        ("CHANNEL_STATE", "B"), ("CODEC", "B"), ("CODEC", "B"), ("CHANNEL_STATE", "B"),
        ("CHANNEL_CREATE", "B"), ("CHANNEL_CALLSTATE", "B"), ("CHANNEL_STATE", "B"),
        ("CHANNEL_STATE", "B"), ("CHANNEL_EXECUTE", "B"), ("CHANNEL_ANSWER", "B"),
        ("CHANNEL_CALLSTATE", "B"), ("CHANNEL_EXECUTE_COMPLETE", "B"),
        ("CHANNEL_EXECUTE", "B"), ("CHANNEL_PARK", "B")]
    # The 200 OK reaches the A-leg after the B-leg went on to park.
    assert order[20:26] == [("CODEC", "A"), ("CODEC", "A"), ("CHANNEL_ANSWER", "A"),
                            ("CHANNEL_CALLSTATE", "A"), ("CALL_UPDATE", "A"),
                            ("CHANNEL_STATE", "A")]
    by = {(h["Event-Name"], h["Unique-ID"] == a_uuid): h for h in seen if h.get("Unique-ID")}
    b_new = next(h for h in seen if h.get("Channel-State") == "CS_NEW")
    assert "Caller-Caller-ID-Name" not in b_new and "variable_uuid" not in b_new
    b, a = by[("CHANNEL_CREATE", False)], by[("CHANNEL_ANSWER", True)]
    assert b["Channel-Name"] == "sofia/internal/1234@127.0.0.1"
    assert (b["Caller-Caller-ID-Name"], b["Caller-Caller-ID-Number"]) == ("Alice", "1234")
    assert b["Caller-Destination-Number"] == "400" and b["Caller-Source"] == "mod_sofia"
    tag = b["variable_sip_from_tag"]
    assert b["variable_sip_full_from"] == '"Alice" <sip:1234@127.0.0.1>;tag=' + tag
    assert b["variable_sip_req_uri"] == "400@127.0.0.1:5060"
    assert b["variable_sip_user_agent"].startswith("FreeSWITCH-mod_sofia/")
    # The SDP offer lists the profile's codecs in its order; the answer picks the first.
    assert "m=audio %s RTP/AVP 8 0 101 13" % a["variable_local_media_port"] in \
        b["variable_switch_r_sdp"]
    assert b["Channel-Read-Codec-Name"] == a["Channel-Read-Codec-Name"] == "PCMA"
    # The A-leg sees the B-leg's side of the same dialog and media.
    assert a["variable_sip_call_id"] == b["variable_sip_call_id"]
    assert a["variable_sip_from_tag"] == tag
    assert a["variable_sip_full_to"] == "<sip:400@127.0.0.1:5060>;tag=" + \
        a["variable_sip_to_tag"]
    b_answer = by[("CHANNEL_ANSWER", False)]
    assert a["variable_remote_media_port"] == b_answer["variable_local_media_port"]
    assert b_answer["variable_remote_media_port"] == a["variable_local_media_port"]
    assert a["Caller-Callee-ID-Number"] == "400" and a["Caller-Network-Addr"] == "127.0.0.1"
    flipped = by[("CALL_UPDATE", True)]
    assert (flipped["Caller-Caller-ID-Name"], flipped["Caller-Caller-ID-Number"],
            flipped["Caller-Callee-ID-Name"], flipped["Caller-Callee-ID-Number"]) == (
        "400", "400", "Alice", "1234")   # switch_channel_flip_cid swaps names and numbers
    assert flipped["variable_pre_transfer_caller_id_name"] == "Alice"
    # The caller hangs up: it is gone before the callee gets the BYE.
    assert api(ev, "uuid_kill " + a_uuid) == "+OK\n"
    seen = collect(ev, "CHANNEL_DESTROY", "CHANNEL_DESTROY")
    ends = [x for x in legs(seen, a_uuid) if x[0] in ("CHANNEL_HANGUP", "CHANNEL_DESTROY")]
    assert ends == [("CHANNEL_HANGUP", "A"), ("CHANNEL_DESTROY", "A"),
                    ("CHANNEL_HANGUP", "B"), ("CHANNEL_DESTROY", "B")]
    done = {h["Unique-ID"] == a_uuid: h for h in seen
            if h["Event-Name"] == "CHANNEL_HANGUP_COMPLETE"}
    assert done[True]["variable_sip_hangup_disposition"] == "send_bye"
    assert done[True]["variable_rtp_audio_in_mos"] == "4.50"
    assert done[False]["variable_sip_hangup_disposition"] == "recv_bye"
    assert done[False]["variable_sip_term_status"] == "200"
    assert done[False]["variable_sip_reason"] == 'Q.850;cause=16;text="NORMAL_CLEARING"'
    assert done[False]["variable_sip_full_to"].endswith(";tag=" + a["variable_sip_to_tag"])


def test_the_callee_hanging_up_sends_the_caller_a_bye(tmp_path, esl_sim_factory):
    sim = esl_sim_factory(sip_conf(tmp_path))
    ev = watch(sim, "CHANNEL_HANGUP CHANNEL_HANGUP_COMPLETE CHANNEL_DESTROY")
    a_uuid = api(ev, "originate %s &park" % (TARGET % "402")).split()[1].strip()
    seen = collect(ev, "CHANNEL_DESTROY", "CHANNEL_DESTROY")
    assert legs(seen, a_uuid) == [
        ("CHANNEL_HANGUP", "B"), ("CHANNEL_HANGUP_COMPLETE", "B"), ("CHANNEL_DESTROY", "B"),
        ("CHANNEL_HANGUP", "A"), ("CHANNEL_HANGUP_COMPLETE", "A"), ("CHANNEL_DESTROY", "A")]
    b_done, a_done = seen[1], seen[4]
    assert b_done["variable_sip_hangup_disposition"] == "send_bye"
    assert a_done["variable_sip_hangup_disposition"] == "recv_bye"
    assert a_done["Hangup-Cause"] == "NORMAL_CLEARING"
    # The callee's BYE: From and To swap, so the caller's own tag is the To tag now.
    assert a_done["variable_sip_to_tag"] == b_done["variable_sip_from_tag"]
    assert a_done["variable_sip_from_tag"] != b_done["variable_sip_from_tag"]
    assert a_done["variable_sip_full_from"] == "<sip:402@127.0.0.1:5060>;tag=" + \
        a_done["variable_sip_from_tag"]
    assert a_done["variable_sip_reason"] == 'Q.850;cause=16;text="NORMAL_CLEARING"'


def test_refused_and_cancelled_invites(tmp_path, esl_sim_factory):
    sim = esl_sim_factory(sip_conf(tmp_path))
    ev = watch(sim, "CHANNEL_HANGUP_COMPLETE")
    # The callee refuses: the originate fails with its cause (the Reason header's).
    assert api(ev, "originate %s &park" % (TARGET % "404")) == "-ERR USER_BUSY\n"
    assert api(ev, "originate %s &park" % (TARGET % "499")) == \
        "-ERR NO_ROUTE_DESTINATION\n"
    seen = collect(ev, "CHANNEL_HANGUP_COMPLETE", "CHANNEL_HANGUP_COMPLETE",
                   "CHANNEL_HANGUP_COMPLETE", "CHANNEL_HANGUP_COMPLETE")
    got = [(h["Call-Direction"], h["Hangup-Cause"], h["variable_sip_hangup_disposition"],
            h.get("variable_sip_term_status")) for h in seen]
    assert got == [("inbound", "USER_BUSY", "send_refuse", None),
                   ("outbound", "USER_BUSY", "recv_refuse", "486"),
                   ("inbound", "NO_ROUTE_DESTINATION", "send_refuse", None),
                   ("outbound", "NO_ROUTE_DESTINATION", "recv_refuse", "404")]
    assert seen[1]["variable_sip_invite_failure_phrase"] == "Busy Here"
    # The caller gives up before an answer: a CANCEL.
    assert api(ev, "originate {originate_timeout=1}%s &park" % (TARGET % "403")) == \
        "-ERR NO_ANSWER\n"
    seen = collect(ev, "CHANNEL_HANGUP_COMPLETE", "CHANNEL_HANGUP_COMPLETE")
    got = [(h["Call-Direction"], h["Hangup-Cause"], h["variable_sip_hangup_disposition"])
           for h in seen]
    assert got == [("outbound", "NO_ANSWER", "send_cancel"),
                   ("inbound", "ORIGINATOR_CANCEL", "recv_cancel")]
    assert seen[1]["variable_sip_term_status"] == "487"
    assert "variable_rtp_audio_in_mos" not in seen[1]   # never answered: no RTP report


def test_the_callee_ringing_and_early_media_reach_the_caller(tmp_path, esl_sim_factory):
    sim = esl_sim_factory(sip_conf(tmp_path))
    ev = watch(sim, "CHANNEL_PROGRESS CHANNEL_PROGRESS_MEDIA CHANNEL_ANSWER CODEC")
    a_uuid = api(ev, "originate %s &park" % (TARGET % "401")).split()[1].strip()
    seen = collect(ev, "CHANNEL_ANSWER", "CHANNEL_ANSWER")
    assert legs(seen, a_uuid) == [
        ("CODEC", "B"), ("CODEC", "B"), ("CHANNEL_PROGRESS", "B"), ("CHANNEL_PROGRESS", "A"),
        ("CHANNEL_PROGRESS_MEDIA", "B"), ("CODEC", "A"), ("CODEC", "A"),
        ("CHANNEL_PROGRESS_MEDIA", "A"), ("CHANNEL_ANSWER", "B"), ("CHANNEL_ANSWER", "A")]
    early, answer = seen[7], seen[9]
    # The 183 carried the SDP answer; the 200 only its headers.
    assert early["variable_switch_r_sdp"] == answer["variable_switch_r_sdp"]
    assert early["variable_sip_to_tag"] == answer["variable_sip_to_tag"]
    assert answer["variable_endpoint_disposition"] == "EARLY MEDIA"
    ev.conn.cmd("api hupall")


def test_dtmf_crosses_the_sip_call_to_the_other_leg(esl_sim_factory):
    # The shared configuration's 9995 reads 1-4 digits ending in # and hangs up.
    sim = esl_sim_factory(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                       "data", "sim", "fs-conf"))
    ev = watch(sim, "DTMF CHANNEL_HANGUP_COMPLETE")
    a_uuid = api(ev, "originate %s &park" % (TARGET % "9995")).split()[1].strip()
    assert api(ev, "uuid_send_dtmf %s 42#" % a_uuid).startswith("+OK ")
    seen = collect(ev, "DTMF", "DTMF", "DTMF", "CHANNEL_HANGUP_COMPLETE",
                   "CHANNEL_HANGUP_COMPLETE")
    digits = [(h["DTMF-Digit"], h["DTMF-Source"], h["Unique-ID"] == a_uuid)
              for h in seen if h["Event-Name"] == "DTMF"]
    assert digits == [("4", "RTP", False), ("2", "RTP", False), ("#", "RTP", False)]
    b_done = next(h for h in seen if h["Event-Name"] == "CHANNEL_HANGUP_COMPLETE")
    assert b_done["Unique-ID"] != a_uuid
    assert b_done["variable_pagd_result"] == "42"
    assert b_done["variable_sip_hangup_disposition"] == "send_bye"


def test_both_legs_hung_up_at_once_each_send_a_bye(tmp_path, esl_sim_factory):
    sim = esl_sim_factory(sip_conf(tmp_path))
    ev = watch(sim, "CHANNEL_HANGUP_COMPLETE")
    api(ev, "originate %s &park" % (TARGET % "400"))
    assert api(ev, "hupall").startswith("+OK")
    seen = collect(ev, "CHANNEL_HANGUP_COMPLETE", "CHANNEL_HANGUP_COMPLETE")
    assert sorted((h["Call-Direction"], h["Hangup-Cause"],
                   h["variable_sip_hangup_disposition"]) for h in seen) == [
        ("inbound", "MANAGER_REQUEST", "send_bye"), ("outbound", "MANAGER_REQUEST", "send_bye")]


def test_sip_h_variables_reach_the_other_leg_as_headers(tmp_path, esl_sim_factory):
    # The A-leg's sip_h_X-* variables leave as INVITE headers; the receiving profile sets the
    # X-/P- ones as sip_h_ variables on its inbound leg (switchio tracks its calls by them),
    # not other headers.
    sim = esl_sim_factory(sip_conf(tmp_path))
    ev = watch(sim, "CHANNEL_CREATE CHANNEL_HANGUP_COMPLETE")
    a_uuid = api(ev, "originate {sip_h_X-Track=abc1,sip_h_P-Asserted=x,sip_h_Subject=no}"
                 + TARGET % "400" + " &park").split()[1].strip()
    b_create = next(h for h in collect(ev, "CHANNEL_CREATE", "CHANNEL_CREATE")
                    if h["Unique-ID"] != a_uuid)
    assert b_create["variable_sip_h_X-Track"] == "abc1"
    assert b_create["variable_sip_h_P-Asserted"] == "x"
    assert "variable_sip_h_Subject" not in b_create
    names = list(b_create)
    assert names.index("variable_max_forwards") < names.index("variable_sip_h_X-Track") \
        < names.index("variable_switch_r_sdp")
    assert api(ev, "hupall").startswith("+OK")
    collect(ev, "CHANNEL_HANGUP_COMPLETE", "CHANNEL_HANGUP_COMPLETE")
