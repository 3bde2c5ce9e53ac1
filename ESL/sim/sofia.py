"""SIP calls from the switch to itself (mod_sofia): ``sofia/<profile>/<user>@<host:port>`` where
``host:port`` is the address of one of the configured sofia profiles.

FreeSWITCH then sends an INVITE to its own profile: the call leaves as an outbound sofia leg
(the A-leg, ``sofia/<profile>/<user>@<host:port>``) and comes back in as an inbound sofia leg
(the B-leg, ``sofia/<profile>/<caller>@<ip>``) that runs the receiving profile's dialplan for
``<user>``. :class:`SipDialog` plays the SIP between the two legs: no packet is sent, but each
leg gets the events and the ``sip_*``/``rtp_*`` variables FreeSWITCH 1.11 gives it, in its
order, with values made up as sofia-sip makes them (Call-ID, tags, branch, CSeq, RTP ports and
SSRC, SDP session ids). The B-leg's ringing, early media and answer reach the A-leg a moment
later (the 180/183/200 on their way back); a hangup on either side reaches the other leg as a
BYE (answered), a CANCEL (the caller gives up) or a refusal (the callee never answered) once
the hanging-up leg is gone, with the cause in the Reason header.

Imports only the channel model and :mod:`.legs`; :mod:`.originate` uses it.
"""
import random
import time
from typing import Dict, Generator, List, Optional, Tuple

from .cdr import HANGUP_CAUSES, usec
from .channel import DTMF_DIGITS, Channel
from .core import VERSION, new_uuid
from .legs import outbound_leg, outbound_states, register, run_inbound_leg

__all__ = ["SipDialog", "call_own_profile"]

USER_AGENT = "FreeSWITCH-mod_sofia/" + VERSION
ALLOW = "INVITE, ACK, BYE, CANCEL, OPTIONS, MESSAGE, INFO, UPDATE, REGISTER, REFER, NOTIFY"
#: What sofia-sip writes as the address of an answer's SDP ``o=`` line: the host's own
#: address, not the profile's. Difference: a documentation address stands for it here.
HOST_ADDRESS = "192.0.2.2"
#: The SIP status a refused INVITE carries for a hangup cause (mod_sofia's
#: hangup_cause_to_sip); anything else is 480.
SIP_STATUS = {"UNALLOCATED_NUMBER": 404, "NO_ROUTE_TRANSIT_NET": 404,
              "NO_ROUTE_DESTINATION": 404, "USER_BUSY": 486, "NO_USER_RESPONSE": 408,
              "CALL_REJECTED": 603, "NUMBER_CHANGED": 410,
              "REDIRECTION_TO_NEW_DESTINATION": 410, "DESTINATION_OUT_OF_ORDER": 502,
              "INVALID_PROFILE": 502, "INVALID_NUMBER_FORMAT": 484, "INVALID_URL": 484,
              "INVALID_GATEWAY": 484, "FACILITY_REJECTED": 501,
              "REQUESTED_CHAN_UNAVAIL": 503, "NORMAL_CIRCUIT_CONGESTION": 503,
              "NETWORK_OUT_OF_ORDER": 503, "NORMAL_TEMPORARY_FAILURE": 503,
              "SWITCH_CONGESTION": 503, "GATEWAY_DOWN": 503, "BEARERCAPABILITY_NOTAVAIL": 503,
              "OUTGOING_CALL_BARRED": 403, "INCOMING_CALL_BARRED": 403,
              "BEARERCAPABILITY_NOTAUTH": 403, "BEARERCAPABILITY_NOTIMPL": 488,
              "INCOMPATIBLE_DESTINATION": 488, "FACILITY_NOT_IMPLEMENTED": 501,
              "SERVICE_NOT_IMPLEMENTED": 501, "RECOVERY_ON_TIMER_EXPIRE": 504,
              "ORIGINATOR_CANCEL": 487, "EXCHANGE_ROUTING_ERROR": 483, "BUSY_EVERYWHERE": 600,
              "DECLINE": 603, "DOES_NOT_EXIST_ANYWHERE": 604, "NOT_ACCEPTABLE": 606}
SIP_PHRASE = {403: "Forbidden", 404: "Not Found", 408: "Request Timeout", 410: "Gone",
              480: "Temporarily Unavailable", 483: "Too Many Hops",
              484: "Address Incomplete", 486: "Busy Here", 487: "Request Terminated",
              488: "Not Acceptable Here", 501: "Not Implemented", 502: "Bad Gateway",
              503: "Service Unavailable", 504: "Server Time-out", 600: "Busy Everywhere",
              603: "Decline", 604: "Does Not Exist Anywhere", 606: "Not Acceptable"}
_PAYLOAD = {"PCMU": 0, "PCMA": 8, "G722": 9}
_TAG_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
_RTP_STATS = ["in_raw_bytes", "in_media_bytes", "in_packet_count", "in_media_packet_count",
              "in_skip_packet_count", "in_jitter_packet_count", "in_dtmf_packet_count",
              "in_cng_packet_count", "in_flush_packet_count", "in_largest_jb_size",
              "in_jitter_min_variance", "in_jitter_max_variance", "in_jitter_loss_rate",
              "in_jitter_burst_rate", "in_mean_interval", "in_flaw_total",
              "in_quality_percentage", "in_mos", "out_raw_bytes", "out_media_bytes",
              "out_packet_count", "out_media_packet_count", "out_skip_packet_count",
              "out_dtmf_packet_count", "out_cng_packet_count", "rtcp_packet_count",
              "rtcp_octet_count"]
_RTP_FLOATS = {"in_jitter_min_variance": "0.00", "in_jitter_max_variance": "0.00",
               "in_jitter_loss_rate": "0.00", "in_jitter_burst_rate": "0.00",
               "in_mean_interval": "0.00", "in_quality_percentage": "100.00",
               "in_mos": "4.50"}
HOP = 0.005   # how long a SIP message takes from one leg to the other over loopback


def _extra_headers(a: Channel) -> List[Tuple[str, str]]:
    """The ``sip_h_<Header>`` variables the INVITE gives the receiving leg: the A-leg's
    ``sip_h_*`` variables leave as headers, and mod_sofia keeps the ``X-``, ``P-``, ``K-``,
    ``On*``, ``User-to-User``, ``Accept-Language`` and ``Diversion`` ones."""
    out = []   # type: List[Tuple[str, str]]
    for name, value in a.vars:
        header = name[len("sip_h_"):]
        if name[:len("sip_h_")].lower() == "sip_h_" and header and value and (
                header.lower().startswith(("x-", "p-", "k-", "on"))
                or header.lower() in _KEPT_HEADERS):
            out.append(("sip_h_" + header, value))
    return out


_KEPT_HEADERS = ("user-to-user", "accept-language", "diversion")


def _tag(size: int = 13) -> str:
    return "".join(random.choice(_TAG_CHARS) for _ in range(size))


class _Side:
    """One end of the dialog: a profile's addresses and the media it offers."""

    def __init__(self, profile) -> None:
        settings = profile.settings
        self.profile = profile.name
        self.ip = settings.get("sip-ip", "127.0.0.1")
        self.port = settings.get("sip-port", "5060")
        self.rtp_ip = settings.get("rtp-ip", self.ip)
        self.adv_ip = settings.get("ext-rtp-ip", self.rtp_ip)
        self.timer = settings.get("rtp-timer-name", "soft")
        self.url = "sip:mod_sofia@%s:%s" % (self.ip, self.port)
        self.media_port = random.randrange(16384, 32768, 2)
        self.ssrc = str(random.randint(1, 2 ** 32 - 1))
        self.tag = _tag()
        self.origin = int(time.time()) - self.media_port   # the SDP o= session id

    def codecs(self, prefs: str) -> List[str]:
        names = [c.strip().upper() for c in prefs.split(",") if c.strip().upper() in _PAYLOAD]
        return names or ["PCMU"]

    def sdp(self, codecs: List[str], origin_ip: str, sendrecv: bool) -> str:
        lines = ["v=0", "o=FreeSWITCH %d %d IN IP4 %s" % (self.origin, self.origin + 1,
                                                           origin_ip),
                 "s=FreeSWITCH", "c=IN IP4 %s" % self.adv_ip, "t=0 0",
                 "m=audio %d RTP/AVP %s 101 13" % (
                     self.media_port, " ".join(str(_PAYLOAD[c]) for c in codecs))]
        lines += ["a=rtpmap:%d %s/8000" % (_PAYLOAD[c], c) for c in codecs]
        lines += ["a=rtpmap:101 telephone-event/8000", "a=fmtp:101 0-15",
                  "a=rtpmap:13 CN/8000", "a=ptime:20"] + (["a=sendrecv"] if sendrecv else [])
        return "\r\n".join(lines) + "\r\n"


def _codec_vars(codecs: List[str]) -> List[Tuple[str, str]]:
    name = codecs[0]
    return [("rtp_audio_recv_pt", str(_PAYLOAD[name])), ("rtp_use_codec_name", name),
            ("rtp_use_codec_rate", "8000"), ("rtp_use_codec_ptime", "20"),
            ("rtp_use_codec_channels", "1"),
            ("rtp_last_audio_codec_string", "%s@8000h@20i@1c" % name),
            ("read_codec", name), ("original_read_codec", name), ("read_rate", "8000"),
            ("original_read_rate", "8000"), ("write_codec", name), ("write_rate", "8000"),
            ("dtmf_type", "rfc2833")]


def _ep_codecs(codecs: List[str]) -> str:
    return ",".join("CORE_PCM_MODULE.%s@8000h@20i@64000b" % c for c in codecs)


def _fire_codecs(chan: Channel, codec: Tuple[str, str, str]) -> None:
    """The two CODEC events of a SIP leg whose media is set up (caller profile included)."""
    chan.codec = codec
    chan.codec_read = chan.codec_write = True
    chan.fire("CODEC_REAL_READ", name="CODEC", variables=False, post=(
        ("channel-read-codec-name", codec[0]), ("channel-read-codec-rate", codec[1]),
        ("channel-read-codec-bit-rate", codec[2])))
    chan.fire("CODEC_WRITE", name="CODEC", variables=False, post=(
        ("Channel-Write-Codec-Name", codec[0]), ("Channel-Write-Codec-Rate", codec[1]),
        ("Channel-Write-codec-bit-rate", codec[2])))


class SipDialog:
    """The INVITE dialog between an outbound leg ``a`` and the inbound leg ``b`` it made.

    Both legs have it as their ``endpoint``: the channel tells it when a leg rings, answers,
    reports or is destroyed, and it passes that on to the other leg as SIP would.
    """

    def __init__(self, sw, out_profile, in_profile, user: str, hostport: str) -> None:
        self.sw = sw
        self.caller = _Side(out_profile)
        self.callee = _Side(in_profile)
        self.user = user
        # The request URI as dialled: its port shows only where the dial string has one.
        self.host, _, self.port = hostport.partition(":")
        self.hostport = hostport
        self.req = "%s@%s" % (user, hostport)
        self.call_id = new_uuid()
        self.branch = "z9hG4bK" + _tag()
        self.cseq = str(random.randint(1, 2 ** 27 * 2))
        self.codecs = self.caller.codecs(out_profile.settings.get("outbound-codec-prefs")
                                         or sw.global_vars.get("outbound_codec_prefs")
                                         or "PCMU,PCMA")
        accept = self.callee.codecs(in_profile.settings.get("inbound-codec-prefs")
                                    or sw.global_vars.get("global_codec_prefs") or "PCMU,PCMA")
        self.accepted = [c for c in self.codecs if c in accept] or ["PCMU"]
        self.a = None   # type: Optional[Channel]
        self.b = None   # type: Optional[Channel]
        self.told = []   # type: List[Channel]   legs hung up by the other's BYE/CANCEL/refusal
        self.sent_from = None   # type: Optional[Tuple[str, str, str]]

    # -- the INVITE ----------------------------------------------------------------------
    def from_header(self, a: Channel) -> Tuple[str, str, str]:
        """(user, display name or "", the From header without its tag), fixed by the INVITE
        (the A-leg's caller id when it was sent)."""
        if self.sent_from is None:
            number = a.profile.get("Caller-ID-Number") or "0000000000"
            name = a.profile.get("Caller-ID-Name") or ""
            uri = "<sip:%s@%s>" % (number, self.caller.ip)
            self.sent_from = (number, name, '"%s" %s' % (name, uri) if name else uri)
        return self.sent_from

    def a_leg_vars(self, a: Channel) -> List[Tuple[str, str]]:
        """The A-leg's variables as CHANNEL_CREATE shows them."""
        c = self.caller
        dest = self.req
        return [("direction", "outbound"), ("is_outbound", "true"), ("uuid", a.uuid),
                ("call_uuid", a.call_uuid), ("session_id", str(a.session_id)),
                ("sip_local_network_addr", c.ip), ("sip_profile_name", c.profile),
                ("video_media_flow", "disabled"), ("text_media_flow", "disabled"),
                ("channel_name", a.name), ("sip_destination_url", "sip:" + dest)] + \
            a.extra_vars + [
                ("originate_early_media", "true"), ("originate_endpoint", "sofia"),
                ("rtp_use_codec_string", ",".join(self.codecs)), ("local_media_ip", c.rtp_ip),
                ("local_media_port", str(c.media_port)), ("advertised_media_ip", c.adv_ip),
                ("audio_media_flow", "sendrecv"),
                ("rtp_local_sdp_str", c.sdp(self.codecs, c.adv_ip, True)),
                ("sip_outgoing_contact_uri", "<%s>" % c.url), ("sip_req_uri", dest),
                ("sip_to_host", self.hostport), ("sip_from_host", c.ip),
                ("sofia_profile_name", c.profile), ("recovery_profile_name", c.profile),
                ("sofia_profile_url", c.url)]

    def b_leg(self, a: Channel, context: str) -> Channel:
        """The inbound leg the INVITE makes on the receiving profile."""
        c, e = self.caller, self.callee
        number, name, from_hdr = self.from_header(a)
        b_name = "sofia/%s/%s@%s" % (e.profile, number, c.ip)
        b = Channel(self.sw, b_name, "inbound", {
            "Direction": "inbound", "Logical-Direction": "inbound", "Username": number,
            "Dialplan": "XML", "Caller-ID-Name": name or number, "Caller-ID-Number": number,
            "Orig-Caller-ID-Name": name or number, "Orig-Caller-ID-Number": number,
            "Network-Addr": c.ip, "ANI": number, "Destination-Number": self.user,
            "Source": "mod_sofia", "Context": context, "Channel-Name": b_name,
            "Profile-Index": "1"})
        b.endpoint = self
        self.b = b
        return b

    def b_leg_vars(self, b: Channel) -> List[Tuple[str, str]]:
        c, e = self.caller, self.callee
        number, _, from_hdr = self.from_header(self.a)
        req = self.req
        offer = c.sdp(self.codecs, c.adv_ip, False)
        return [("direction", "inbound"), ("uuid", b.uuid), ("call_uuid", b.uuid),
                ("session_id", str(b.session_id)), ("sip_from_user", number),
                ("sip_from_uri", "%s@%s" % (number, c.ip)), ("sip_from_host", c.ip),
                ("video_media_flow", "disabled"), ("text_media_flow", "disabled"),
                ("channel_name", b.name), ("sip_call_id", self.call_id),
                ("sip_local_network_addr", e.ip), ("sip_network_ip", c.ip),
                ("sip_network_port", c.port), ("sip_invite_stamp", usec(b.times["created"])),
                ("sip_received_ip", c.ip), ("sip_received_port", c.port),
                ("sip_via_protocol", "udp"), ("sip_from_user_stripped", number),
                ("sip_from_tag", c.tag), ("sofia_profile_name", e.profile),
                ("sofia_profile_url", e.url), ("recovery_profile_name", e.profile),
                ("sip_Remote-Party-ID", from_hdr + ";party=calling;screen=yes;privacy=off"),
                ("sip_cid_type", "rpid"), ("sip_full_via", self._via(c, self.branch)),
                ("sip_full_from", "%s;tag=%s" % (from_hdr, c.tag)),
                ("sip_full_to", "<sip:%s>" % req), ("sip_allow", ALLOW),
                ("sip_req_user", self.user)] + self._port("sip_req_port") + [
                ("sip_req_uri", req), ("sip_req_host", self.host), ("sip_to_user", self.user)
                ] + self._port("sip_to_port") + [("sip_to_uri", req), ("sip_to_host", self.host),
                ("sip_contact_user", "mod_sofia"), ("sip_contact_port", c.port),
                ("sip_contact_uri", "mod_sofia@%s:%s" % (c.ip, c.port)),
                ("sip_contact_host", c.ip), ("sip_user_agent", USER_AGENT),
                ("sip_via_host", c.ip), ("sip_via_rport", c.port), ("max_forwards", "70")
                ] + _extra_headers(self.a) + [("switch_r_sdp", offer), ("ep_codec_string", _ep_codecs(self.codecs)),
                ("rtp_use_codec_string", ",".join(self.codecs)),
                ("remote_video_media_flow", "inactive"), ("remote_text_media_flow", "inactive"),
                ("remote_audio_media_flow", "sendrecv"), ("audio_media_flow", "sendrecv"),
                ("remote_media_ip", c.adv_ip), ("remote_media_port", str(c.media_port))] + \
            _codec_vars(self.accepted) + [("endpoint_disposition", "RECEIVED")]

    def _port(self, name: str) -> List[Tuple[str, str]]:
        return [(name, self.port)] if self.port else []

    @staticmethod
    def _via(side: _Side, branch: str) -> str:
        return "SIP/2.0/UDP %s;rport=%s;branch=%s" % (side.ip, side.port, branch)

    def bring_up(self, a: Channel, context: str) -> Generator:
        """The A-leg up to CS_CONSUME_MEDIA, then the B-leg from CS_NEW into its dialplan."""
        self.a = a
        a.endpoint = self
        register(self.sw, a)
        yield from outbound_states(a, self.a_leg_vars(a))
        b = self.b_leg(a, context)
        b.times["profile_created"] = b.times["created"] = time.time()
        register(self.sw, b)
        b.running, b.state_num = "CS_NEW", 0
        b.fire("STATE", profile=False, variables=False)
        codec = (self.accepted[0], "8000", "64000")
        _fire_codecs(b, codec)
        for name, value in self.b_leg_vars(b):
            b.setvar(name, value)
        self.sw.loop.spawn(run_inbound_leg(self.sw, b, context, self.user), "leg " + b.uuid)

    # -- what the legs tell the dialog ---------------------------------------------------
    def _later(self, gen: Generator, name: str) -> None:
        def hop():
            yield HOP
            yield from gen
        self.sw.loop.spawn(hop(), name)

    def ringing(self, chan: Channel) -> None:
        if chan is self.b and self.a is not None:
            self._later(self._relay(self.a.mark_ring_ready), "180 " + self.a.uuid)

    def early(self, chan: Channel) -> None:
        """The B-leg goes to early media: its SDP now, then the 183 reaches the A-leg."""
        if chan is self.b and self.a is not None:
            self._b_media(chan)
            self._later(self._a_reply(False), "183 " + self.a.uuid)

    @staticmethod
    def _relay(fn) -> Generator:
        fn()
        return
        yield   # makes this a generator

    def dtmf(self, chan: Channel, digits: str, duration: int) -> None:
        """``chan`` sends DTMF (RFC 2833): the other leg hears each digit once its end packet
        arrives, the digit's duration later."""
        peer = self.b if chan is self.a else self.a
        if peer is None or peer.hungup:
            return

        def deliver():
            for digit in digits:
                if digit in DTMF_DIGITS:
                    yield HOP + duration / 8000.0
                    if peer.hungup:
                        return
                    peer.receive_dtmf(digit, duration, "RTP")
        self.sw.loop.spawn(deliver(), "rfc2833 " + peer.uuid)

    def answering(self, chan: Channel) -> None:
        """The B-leg answers: its answer SDP (unless early media sent it), then the 200 OK
        reaches the A-leg."""
        if chan is not self.b:
            return
        self._b_media(chan)
        self._later(self._a_reply(True), "200 " + (self.a.uuid if self.a else ""))

    def _b_media(self, b: Channel) -> None:
        if b.getvar("rtp_local_sdp_str") is not None:
            return
        e, c = self.callee, self.caller
        for name, value in [
                ("rtp_local_sdp_str", e.sdp(self.accepted[:1], e.adv_ip, True)),
                ("local_media_ip", e.rtp_ip), ("local_media_port", str(e.media_port)),
                ("advertised_media_ip", e.adv_ip)] + self._rtp_vars(e) + [
                ("remote_media_ip", c.adv_ip), ("remote_media_port", str(c.media_port))]:
            b.setvar(name, value)

    def _rtp_vars(self, side: _Side) -> List[Tuple[str, str]]:
        return [("rtp_use_timer_name", side.timer),
                ("rtp_use_pt", str(_PAYLOAD[self.accepted[0]])), ("rtp_use_ssrc", side.ssrc),
                ("rtp_2833_send_payload", "101"), ("rtp_2833_recv_payload", "101")]

    def _a_reply(self, answer: bool) -> Generator:
        """The B-leg's 183 (``answer`` False) or 200 reaches the A-leg: the reply's headers
        and, the first time, the SDP answer with the media it sets up."""
        a, b, c, e = self.a, self.b, self.caller, self.callee
        if a is None or b is None or a.hungup:
            return
        a.profile["Callee-ID-Name"] = b.profile.get("Callee-ID-Name") or self.user
        a.profile["Callee-ID-Number"] = b.profile.get("Callee-ID-Number") or self.user
        a.profile["Network-Addr"] = e.ip
        media = not a.codec_read
        if media:
            _fire_codecs(a, (self.accepted[0], "8000", "64000"))
        _, _, from_hdr = self.from_header(a)
        contact = "%s@%s:%s" % (self.user, e.ip, e.port)   # the callee profile's Contact
        via = self._via(c, self.branch)
        for name, value in [
                ("sip_local_network_addr", c.ip), ("sip_reply_host", e.ip),
                ("sip_reply_port", e.port), ("sip_network_ip", e.ip),
                ("sip_network_port", e.port), ("sip_user_agent", USER_AGENT),
                ("sip_allow", ALLOW),
                ("sip_recover_contact", "<sip:%s;transport=udp>" % contact),
                ("sip_full_via", via), ("sip_recover_via", via),
                ("sip_full_from", "%s;tag=%s" % (from_hdr, c.tag)),
                ("sip_full_to", "<sip:%s>;tag=%s" % (self.req, e.tag)),
                ("sip_from_user", self.from_header(a)[0]),
                ("sip_from_uri", "%s@%s" % (self.from_header(a)[0], c.ip)),
                ("sip_from_host", c.ip), ("sip_to_user", self.user)] + self._port(
                    "sip_to_port") + [
                ("sip_to_uri", self.req), ("sip_to_host", self.host),
                ("sip_contact_params", "transport=udp"), ("sip_contact_user", self.user),
                ("sip_contact_port", e.port), ("sip_contact_uri", contact),
                ("sip_contact_host", e.ip),
                ("sip_to_tag", e.tag), ("sip_from_tag", c.tag), ("sip_cseq", self.cseq),
                ("sip_call_id", self.call_id)] + ([] if not media else [
                ("switch_r_sdp", e.sdp(self.accepted[:1], HOST_ADDRESS, False)),
                ("ep_codec_string", _ep_codecs(self.accepted[:1])),
                ("rtp_use_codec_string", ",".join(self.codecs)),
                ("remote_video_media_flow", "inactive"), ("remote_text_media_flow", "inactive"),
                ("remote_audio_media_flow", "sendrecv")] + _codec_vars(self.accepted) + [
                ("local_media_ip", c.rtp_ip), ("local_media_port", str(c.media_port)),
                ("advertised_media_ip", c.adv_ip)] + self._rtp_vars(c) + [
                ("remote_media_ip", e.adv_ip), ("remote_media_port", str(e.media_port))]):
            a.setvar(name, value)
        if answer:
            a.mark_answered()
        else:
            a.mark_pre_answered()
        return
        yield   # makes this a generator

    def reporting(self, chan: Channel) -> None:
        """CDR time: how the leg's dialog ended, and its RTP statistics."""
        if chan not in self.told:   # it hung up itself: it sent the BYE (or CANCEL, refusal)
            answered = chan.times.get("answered")
            chan.setvar("sip_hangup_disposition", "send_bye" if answered else (
                "send_cancel" if chan is self.a else "send_refuse"))
            if not answered and chan is self.a:
                chan.setvar("sip_invite_failure_status", "487")
                chan.setvar("sip_invite_failure_phrase", "CANCEL")
        if not chan.times.get("answered"):
            return
        skipped = int((time.time() - chan.times["answered"]) / 0.02)
        for name in _RTP_STATS:
            value = _RTP_FLOATS.get(name, str(skipped) if name == "in_skip_packet_count"
                                    else "0")
            chan.setvar("rtp_audio_" + name, value)

    def destroyed(self, chan: Channel) -> None:
        """The leg is gone: its BYE, CANCEL or refusal reaches the other leg."""
        peer = self.b if chan is self.a else self.a
        if peer is None or peer.hungup or chan in self.told:
            return
        self.told.append(peer)
        self.sw.loop.spawn(self._peer_hangup(chan, peer), "bye " + peer.uuid)

    def _peer_hangup(self, gone: Channel, peer: Channel) -> Generator:
        """``peer`` gets what ``gone`` sent when it hung up (mod_sofia's sofia_on_hangup, and
        sofia.c's handling of BYE, CANCEL and a final response)."""
        if peer.hungup:   # it hung up meanwhile: it sends its own
            self.told.remove(peer)
            return
        cause = gone.hangup_cause or "NORMAL_CLEARING"
        code = HANGUP_CAUSES.get(cause, 16)
        reason = ('Q.850;cause=%d;text="%s"' if code < 128 else 'SIP;cause=%d;text="%s"') % (
            code, cause)
        # The cause a Reason header carries to the far side (a SIP one is not read).
        carried = cause if code < 128 else None
        if gone.times.get("answered") and peer.times.get("answered"):
            self._bye_headers(gone, peer)
            peer_cause, status, disposition = carried or "NORMAL_CLEARING", 200, "recv_bye"
            more = [("sip_reason", reason)]
        elif gone is self.a:
            peer_cause, status, disposition = "ORIGINATOR_CANCEL", 487, "recv_cancel"
            more = [("sip_hangup_disposition", disposition),
                    ("sip_invite_failure_status", "487"),
                    ("sip_invite_failure_phrase", "CANCEL"), ("sip_reason", reason)]
        else:
            status = SIP_STATUS.get(cause, 480)
            peer_cause, disposition = carried or "NORMAL_CLEARING", "recv_refuse"
            more = [("sip_hangup_disposition", disposition),
                    ("sip_invite_failure_status", str(status)),
                    ("sip_invite_failure_phrase", SIP_PHRASE.get(status, "")),
                    ("sip_reason", reason)]
        for name, value in more + [
                ("sip_term_status", str(status)),
                ("proto_specific_hangup_cause", "sip:%d" % status),
                ("sip_term_cause", str(HANGUP_CAUSES.get(peer_cause, 16)))]:
            peer.setvar(name, value)
        peer.hangup(peer_cause)
        if disposition == "recv_bye":
            peer.setvar("sip_user_agent", USER_AGENT)
            peer.setvar("sip_hangup_disposition", disposition)
        return
        yield   # makes this a generator

    def _bye_headers(self, gone: Channel, peer: Channel) -> None:
        """The ``sip_*`` variables the BYE's own headers give the leg that receives it."""
        sender = self.caller if gone is self.a else self.callee
        receiver = self.callee if gone is self.a else self.caller
        callee_uri = "<sip:%s>" % self.req
        number, _, caller_hdr = self.from_header(self.a)
        if gone is self.a:
            from_hdr, to_hdr, cseq = caller_hdr, callee_uri, self.cseq
        else:   # the callee's own dialog: From and To swap, its CSeq is its own
            from_hdr, to_hdr = callee_uri, "<sip:%s@%s>" % (number, self.caller.ip)
            cseq = str(random.randint(1, 2 ** 28))
        for name, value in [
                ("sip_to_tag", receiver.tag), ("sip_from_tag", sender.tag),
                ("sip_cseq", cseq), ("sip_call_id", self.call_id),
                ("sip_full_via", self._via(sender, "z9hG4bK" + _tag())),
                ("sip_full_from", "%s;tag=%s" % (from_hdr, sender.tag)),
                ("sip_full_to", "%s;tag=%s" % (to_hdr, receiver.tag))]:
            peer.setvar(name, value)


def call_own_profile(sw, endpoint: str, user: str, hostport: str, variables: Dict[str, str],
                     originator: Optional[Channel], out_profile, in_profile) -> Generator:
    """Place the SIP call to our own profile ``in_profile`` (through ``out_profile``);
    returns the A-leg once it is up (CS_CONSUME_MEDIA) with its B-leg on its way."""
    context = in_profile.settings.get("context", "default")
    a = outbound_leg(sw, endpoint, user, variables, originator, "src/switch_ivr_originate.c",
                     out_profile.settings.get("context", "default"))
    dialog = SipDialog(sw, out_profile, in_profile, user, hostport)
    yield from dialog.bring_up(a, context)
    return a
