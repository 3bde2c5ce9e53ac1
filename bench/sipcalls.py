"""Made-up SIP-call events for the benchmarks: the shapes of real channel traffic.

Deterministic (a seeded generator, no captured data): calls between made-up parties on
documentation addresses (192.0.2.0/24, 198.51.100.0/24), each seen as the events FreeSWITCH
fires over a call's life (CHANNEL_CREATE … CHANNEL_HANGUP_COMPLETE), modelled on a real
capture: quoted display names (``variable_sip_full_from: "Alice Example" <sip:…>;tag=…``),
non-ASCII caller names, Via headers, whole SDP bodies with CR LF (``variable_switch_r_sdp``),
150–250 headers per event, and a few ``CUSTOM`` events with a body. Rendered by the
project's server role (:class:`ESL.protocol.server.ServerEvent`, FreeSWITCH's encodings), so
plain values carry ``%22``/``%0D%0A``/``%XX`` runs, JSON ``\\"``, ``\\r\\n`` and raw UTF-8, and
XML url-encoded values with entities.

Event number ``seq`` (1..``events.SIP_PERIOD``) always has the same name and headers; its channel
UUID (``Unique-ID`` and every header that repeats it) ends in ``seq``, as in bench/events.py.
A stream longer than that repeats the cycle, so the server keeps only one cycle.
"""
import random

import events
from ESL.protocol.server import ServerEvent

CUSTOM_SUBCLASS = "bench::call_note"

# A third of the callers have non-ASCII names (two within Latin-1, two beyond it).
_CALLERS = (
    ("Alice Example", "1001"), ("José Álvarez", "1002"), ("Reception desk", "2000"),
    ("Dr. \"Bob\" Smith, Jr.", "1008"), ("渡辺 健太", "1004"), ("Carol Jones", "1003"),
    ("Björn O'Neil", "1006"), ("Dave Miller", "1005"), ("Анна Петрова", "1007"),
    ("Sales hunt group", "2100"), ("Erin Brown", "1009"), ("Frank Li", "1010"),
)
_CALLEES = ("3000", "3001", "4100", "5551234", "+4930123456", "conference-7")

def _hexid(rng, n):
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def _tag(rng):
    return "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz0123456789")
                   for _ in range(13))


def _sdp(rng, ip, port, origin):
    lines = ["v=0", "o=%s %d %d IN IP4 %s" % (origin, rng.randrange(10 ** 9), rng.randrange(10 ** 9), ip),
             "s=%s" % origin, "c=IN IP4 %s" % ip, "t=0 0",
             "m=audio %d RTP/AVP 9 0 8 101 13" % port,
             "a=rtpmap:9 G722/8000", "a=rtpmap:0 PCMU/8000", "a=rtpmap:8 PCMA/8000",
             "a=rtpmap:101 telephone-event/8000", "a=fmtp:101 0-16", "a=rtpmap:13 CN/8000",
             "a=ptime:20", "a=sendrecv", "a=rtcp:%d IN IP4 %s" % (port + 1, ip)]
    return "\r\n".join(lines) + "\r\n"


def _call(rng, call_no):
    """The shared facts of one call."""
    name, number = _CALLERS[call_no % len(_CALLERS)]
    callee = _CALLEES[call_no % len(_CALLEES)]
    ip = "192.0.2.%d" % (10 + call_no % 200)
    fs_ip = "198.51.100.5"
    port = 16384 + 2 * rng.randrange(4000)
    branch = "z9hG4bK" + _hexid(rng, 10)
    from_tag, to_tag = _tag(rng), _tag(rng)
    call_id = "%s@%s" % (_hexid(rng, 24), ip)
    return dict(name=name, number=number, callee=callee, ip=ip, fs_ip=fs_ip, port=port,
                branch=branch, from_tag=from_tag, to_tag=to_tag, call_id=call_id,
                r_sdp=_sdp(rng, ip, port, "Z-" + number),
                m_sdp=_sdp(rng, fs_ip, 20000 + port % 10000, "FreeSWITCH"),
                t0=1796143669000000 + call_no * 7919351)


def _headers(c, uid, seq, name, n_extra, with_sdp, rng):
    quoted = '"%s"' % c["name"].replace('"', '\\"')
    chan = "sofia/internal/%s@%s" % (c["number"], c["ip"])
    t = c["t0"] + seq * 20011
    h = [
        ("Event-Name", name), ("Core-UUID", "869ad403-aa0c-4371-8cad-330587bf1251"),
        ("FreeSWITCH-Hostname", "pbx-1.example.net"), ("FreeSWITCH-Switchname", "pbx-1"),
        ("FreeSWITCH-IPv4", c["fs_ip"]), ("FreeSWITCH-IPv6", "::1"),
        ("Event-Date-Local", "2026-12-01 16:47:50"),
        ("Event-Date-GMT", "Tue, 01 Dec 2026 16:47:50 GMT"), ("Event-Date-Timestamp", str(t)),
        ("Event-Calling-File", "switch_channel.c"),
        ("Event-Calling-Function", "switch_channel_perform_mark_answered"),
        ("Event-Calling-Line-Number", "3911"), ("Event-Sequence", str(seq)),
        ("Channel-State", "CS_EXECUTE"), ("Channel-Call-State", "ACTIVE"),
        ("Channel-State-Number", "4"), ("Channel-Name", chan), ("Unique-ID", uid),
        ("Call-Direction", "inbound"), ("Presence-Call-Direction", "inbound"),
        ("Channel-HIT-Dialplan", "true"), ("Channel-Presence-ID", "%s@%s" % (c["number"], c["fs_ip"])),
        ("Channel-Call-UUID", uid), ("Answer-State", "answered"),
        ("Channel-Read-Codec-Name", "G722"), ("Channel-Read-Codec-Rate", "16000"),
        ("Channel-Read-Codec-Bit-Rate", "64000"), ("Channel-Write-Codec-Name", "G722"),
        ("Channel-Write-Codec-Rate", "16000"), ("Channel-Write-Codec-Bit-Rate", "64000"),
        ("Caller-Direction", "inbound"), ("Caller-Logical-Direction", "inbound"),
        ("Caller-Username", c["number"]), ("Caller-Dialplan", "XML"),
        ("Caller-Caller-ID-Name", c["name"]), ("Caller-Caller-ID-Number", c["number"]),
        ("Caller-Orig-Caller-ID-Name", c["name"]), ("Caller-Orig-Caller-ID-Number", c["number"]),
        ("Caller-Network-Addr", c["ip"]), ("Caller-ANI", c["number"]),
        ("Caller-Destination-Number", c["callee"]), ("Caller-Unique-ID", uid),
        ("Caller-Source", "mod_sofia"), ("Caller-Context", "default"),
        ("Caller-Channel-Name", chan), ("Caller-Profile-Index", "1"),
        ("Caller-Profile-Created-Time", str(c["t0"])), ("Caller-Channel-Created-Time", str(c["t0"])),
        ("Caller-Channel-Answered-Time", str(c["t0"] + 2000000)),
        ("Caller-Channel-Progress-Time", "0"), ("Caller-Channel-Progress-Media-Time", str(c["t0"] + 900000)),
        ("Caller-Channel-Hangup-Time", "0"), ("Caller-Channel-Transfer-Time", "0"),
        ("Caller-Channel-Resurrect-Time", "0"), ("Caller-Channel-Bridged-Time", "0"),
        ("Caller-Channel-Last-Hold", "0"), ("Caller-Channel-Hold-Accum", "0"),
        ("Caller-Screen-Bit", "true"), ("Caller-Privacy-Hide-Name", "false"),
        ("Caller-Privacy-Hide-Number", "false"),
        ("variable_direction", "inbound"), ("variable_uuid", uid), ("variable_session_id", str(seq)),
        ("variable_sip_from_user", c["number"]), ("variable_sip_from_uri", "%s@%s" % (c["number"], c["fs_ip"])),
        ("variable_sip_from_host", c["fs_ip"]), ("variable_video_media_flow", "disabled"),
        ("variable_channel_name", chan), ("variable_sip_call_id", c["call_id"]),
        ("variable_sip_local_network_addr", c["fs_ip"]), ("variable_sip_network_ip", c["ip"]),
        ("variable_sip_network_port", "5060"), ("variable_sip_invite_stamp", str(c["t0"])),
        ("variable_sip_received_ip", c["ip"]), ("variable_sip_received_port", "5060"),
        ("variable_sip_via_protocol", "udp"), ("variable_sip_authorized", "true"),
        ("variable_sip_acl_authed_by", "domains"), ("variable_sip_from_user_stripped", c["number"]),
        ("variable_sip_from_tag", c["from_tag"]), ("variable_sofia_profile_name", "internal"),
        ("variable_sofia_profile_url", "sip:mod_sofia@%s:5060" % c["fs_ip"]),
        ("variable_recovery_profile_name", "internal"),
        ("variable_sip_full_via", "SIP/2.0/UDP %s:5060;rport=5060;branch=%s;received=%s"
         % (c["ip"], c["branch"], c["ip"])),
        ("variable_sip_recover_via", "SIP/2.0/UDP %s:5060;rport=5060;branch=%s"
         % (c["ip"], c["branch"])),
        ("variable_sip_from_display", c["name"]),
        ("variable_sip_full_from", '%s <sip:%s@%s>;tag=%s' % (quoted, c["number"], c["fs_ip"], c["from_tag"])),
        ("variable_sip_full_to", "<sip:%s@%s>;tag=%s" % (c["callee"], c["fs_ip"], c["to_tag"])),
        ("variable_sip_allow", "INVITE, ACK, BYE, CANCEL, OPTIONS, MESSAGE, INFO, UPDATE, REGISTER, REFER, NOTIFY"),
        ("variable_sip_req_user", c["callee"]), ("variable_sip_req_uri", "%s@%s" % (c["callee"], c["fs_ip"])),
        ("variable_sip_req_host", c["fs_ip"]), ("variable_sip_to_user", c["callee"]),
        ("variable_sip_to_uri", "%s@%s" % (c["callee"], c["fs_ip"])), ("variable_sip_to_host", c["fs_ip"]),
        ("variable_sip_contact_params", "transport=udp;ob"), ("variable_sip_contact_user", c["number"]),
        ("variable_sip_contact_port", "5060"), ("variable_sip_contact_uri", "%s@%s:5060" % (c["number"], c["ip"])),
        ("variable_sip_contact_host", c["ip"]), ("variable_sip_via_host", c["ip"]),
        ("variable_sip_via_port", "5060"), ("variable_sip_via_rport", "5060"),
        ("variable_max_forwards", "70"), ("variable_presence_id", "%s@%s" % (c["number"], c["fs_ip"])),
        ("variable_sip_user_agent", "Zoiper rv2.10.20.2"),
        ("variable_sip_h_X-Account-Name", c["name"]),
        ("variable_sip_h_P-Asserted-Identity", '%s <sip:%s@%s>' % (quoted, c["number"], c["fs_ip"])),
        ("variable_caller_id", "%s <%s>" % (quoted, c["number"])),
        ("variable_effective_caller_id_name", c["name"]),
        ("variable_outbound_caller_id_name", c["name"]),
    ]
    if with_sdp:
        h += [("variable_switch_r_sdp", c["r_sdp"]), ("variable_rtp_remote_audio_rtcp_port", str(c["port"] + 1)),
              ("variable_rtp_audio_recv_pt", "9"), ("variable_rtp_use_codec_name", "G722"),
              ("variable_rtp_use_codec_rate", "16000"), ("variable_rtp_use_codec_ptime", "20"),
              ("variable_rtp_local_sdp_str", c["m_sdp"]), ("variable_switch_m_sdp", c["m_sdp"]),
              ("variable_remote_media_ip", c["ip"]), ("variable_remote_media_port", str(c["port"])),
              ("variable_ep_codec_string", "mod_spandsp.G722@8000h@20i@64000b,CORE_PCM_MODULE.PCMU@8000h@20i@64000b")]
    # Up to 250: dialplan variables, per-call ids and, late in a call, RTP statistics.
    for i in range(n_extra):
        kind = i % 5
        if kind == 0:
            h.append(("variable_rtp_audio_in_stat_%d" % i, "%d.%02d" % (rng.randrange(500), rng.randrange(100))))
        elif kind == 1:
            h.append(("variable_export_%d" % i, "%s@%s;tag=%s" % (c["number"], c["fs_ip"], _tag(rng))))
        elif kind == 2:
            h.append(("variable_sip_h_X-Note-%d" % i, "%s, queue %d" % (c["name"], i)))
        elif kind == 3:
            h.append(("variable_cc_%d" % i, "%s&x=%d;y=%s" % (c["callee"], i, _hexid(rng, 8))))
        else:
            h.append(("variable_flag_%d" % i, "true" if rng.random() < 0.5 else "false"))
    return h


def _events():
    """[(name, headers, body)] for seq 1..SIP_PERIOD, with the channel UUID as a marker."""
    rng = random.Random(20261201)
    out = []
    seq = 1
    call_no = 0
    while seq <= events.SIP_PERIOD:
        c = _call(rng, call_no)
        for name, n_extra, with_sdp in events.SIP_LIFE:
            if seq > events.SIP_PERIOD:
                break
            uid = events.uuid_for(seq)
            h = _headers(c, uid, seq, name, n_extra, with_sdp, rng)
            body = None
            if name == "CUSTOM":
                h.insert(1, ("Event-Subclass", CUSTOM_SUBCLASS))
                body = ("INFO sip:%s@%s SIP/2.0\r\nVia: SIP/2.0/UDP %s:5060;branch=%s\r\n"
                        "From: %s <sip:%s@%s>;tag=%s\r\nContent-Type: application/dtmf-relay\r\n"
                        "\r\nSignal=5\r\nDuration=160\r\n"
                        % (c["callee"], c["fs_ip"], c["ip"], c["branch"], '"%s"' % c["name"],
                           c["number"], c["fs_ip"], c["from_tag"]))
            out.append((name, h, body))
            seq += 1
        call_no += 1
    return out


_CACHE = {}


def frames(fmt):
    """The SIP_PERIOD frames (bytes) of one cycle, as FreeSWITCH sends them for ``event <fmt> ALL``."""
    if fmt not in _CACHE:
        out = []
        for name, headers, body in _events():
            ev = ServerEvent(headers, body)
            text = ev.serialize(fmt)
            out.append(events.event_frame(text, fmt))
        _CACHE[fmt] = out
    return _CACHE[fmt]
