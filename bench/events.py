"""Wire frames for the benchmark server: a real CHANNEL_HANGUP_COMPLETE event and friends.

The event is the first 94 headers of a CHANNEL_HANGUP_COMPLETE captured from a real FreeSWITCH
(1.11.3-dev, see the fs-transcripts in the team's shared material): url-encoded plain values,
compact JSON, a duplicate ``Hangup-Cause`` header, ~2.6 KB per frame. Every rendered event carries
its sequence number twice, in ``Event-Sequence`` and in the last 12 digits of ``Unique-ID`` (and
the other headers that repeat the channel UUID), so a client can tell lost events from misframed
ones by reading only ``Event-Name`` and ``Unique-ID``.
"""
import json
from urllib.parse import unquote

EVENT_NAME = "CHANNEL_HANGUP_COMPLETE"
UUID_PREFIX = "b7bfee37-98d3-400c-ad06-"
_TEMPLATE_UUID = "b7bfee37-98d3-400c-ad06-6b7c7c8b5157"
# Stream end marker: a CUSTOM event every client recognises without reading the sequence.
END_SUBCLASS = "bench::end"
JOB_UUID_PREFIX = "00000000-0000-4000-8000-"

CHANNEL_EVENT = (
    'Event-Name: CHANNEL_HANGUP_COMPLETE',
    'Core-UUID: 1c78217f-b934-4209-92c1-e1679fb49f7a',
    'FreeSWITCH-Hostname: vm',
    'FreeSWITCH-Switchname: vm',
    'FreeSWITCH-IPv4: 127.0.0.1',
    'FreeSWITCH-IPv6: %3A%3A1',
    'Event-Date-Local: 2026-11-26%2012%3A58%3A00',
    'Event-Date-GMT: Thu,%2026%20Nov%202026%2012%3A58%3A00%20GMT',
    'Event-Date-Timestamp: 1795697880211285',
    'Event-Calling-File: switch_core_state_machine.c',
    'Event-Calling-Function: switch_core_session_reporting_state',
    'Event-Calling-Line-Number: 943',
    'Event-Sequence: 897',
    'Hangup-Cause: NORMAL_CLEARING',
    'Channel-State: CS_REPORTING',
    'Channel-Call-State: HANGUP',
    'Channel-State-Number: 11',
    'Channel-Name: loopback/9998-a',
    'Unique-ID: b7bfee37-98d3-400c-ad06-6b7c7c8b5157',
    'Call-Direction: outbound',
    'Presence-Call-Direction: outbound',
    'Channel-HIT-Dialplan: true',
    'Channel-Call-UUID: b7bfee37-98d3-400c-ad06-6b7c7c8b5157',
    'Answer-State: hangup',
    'Hangup-Cause: NORMAL_CLEARING',
    'Channel-Read-Codec-Name: L16',
    'Channel-Read-Codec-Rate: 8000',
    'Channel-Read-Codec-Bit-Rate: 128000',
    'Channel-Write-Codec-Name: L16',
    'Channel-Write-Codec-Rate: 8000',
    'Channel-Write-Codec-Bit-Rate: 128000',
    'Caller-Direction: outbound',
    'Caller-Logical-Direction: outbound',
    'Caller-Dialplan: xml',
    'Caller-Caller-ID-Name: Outbound%20Call',
    'Caller-Caller-ID-Number: default',
    'Caller-Orig-Caller-ID-Number: 0000000000',
    'Caller-Callee-ID-Number: 0000000000',
    'Caller-ANI: 0000000000',
    'Caller-Destination-Number: 9998',
    'Caller-Unique-ID: b7bfee37-98d3-400c-ad06-6b7c7c8b5157',
    'Caller-Source: mod_loopback',
    'Caller-Context: default',
    'Caller-Channel-Name: loopback/9998-a',
    'Caller-Profile-Index: 1',
    'Caller-Profile-Created-Time: 1795697879031365',
    'Caller-Channel-Created-Time: 1795697879031365',
    'Caller-Channel-Answered-Time: 1795697879051299',
    'Caller-Channel-Progress-Time: 0',
    'Caller-Channel-Progress-Media-Time: 0',
    'Caller-Channel-Hangup-Time: 1795697880211285',
    'Caller-Channel-Transfer-Time: 0',
    'Caller-Channel-Resurrect-Time: 0',
    'Caller-Channel-Bridged-Time: 0',
    'Caller-Channel-Last-Hold: 0',
    'Caller-Channel-Hold-Accum: 0',
    'Caller-Screen-Bit: true',
    'Caller-Privacy-Hide-Name: false',
    'Caller-Privacy-Hide-Number: false',
    'variable_direction: outbound',
    'variable_is_outbound: true',
    'variable_uuid: b7bfee37-98d3-400c-ad06-6b7c7c8b5157',
    'variable_session_id: 15',
    'variable_read_codec: L16',
    'variable_read_rate: 8000',
    'variable_write_codec: L16',
    'variable_write_rate: 8000',
    'variable_channel_name: loopback/9998-a',
    'variable_originate_early_media: true',
    'variable_originate_endpoint: loopback',
    'variable_other_loopback_leg_uuid: 4943c125-4117-497c-b1cd-261c25329878',
    'variable_loopback_leg: A',
    'variable_endpoint_disposition: ANSWER',
    'variable_pre_transfer_caller_id_number: 0000000000',
    'variable_channel_cid_flipped: yes',
    'variable_call_uuid: b7bfee37-98d3-400c-ad06-6b7c7c8b5157',
    'variable_current_application: park',
    'variable_hangup_cause: NORMAL_CLEARING',
    'variable_hangup_cause_q850: 16',
    'variable_digits_dialed: none',
    'variable_start_stamp: 2026-11-26%2012%3A57%3A59',
    'variable_profile_start_stamp: 2026-11-26%2012%3A57%3A59',
    'variable_answer_stamp: 2026-11-26%2012%3A57%3A59',
    'variable_end_stamp: 2026-11-26%2012%3A58%3A00',
    'variable_start_epoch: 1795697879',
    'variable_start_uepoch: 1795697879031365',
    'variable_profile_start_epoch: 1795697879',
    'variable_profile_start_uepoch: 1795697879031365',
    'variable_answer_epoch: 1795697879',
    'variable_answer_uepoch: 1795697879051299',
    'variable_bridge_epoch: 0',
    'variable_bridge_uepoch: 0',
    'variable_last_hold_epoch: 0',
    'variable_last_hold_uepoch: 0',
)

BACKGROUND_JOB_HEADERS = (
    'Event-Name: BACKGROUND_JOB',
    'Core-UUID: 1c78217f-b934-4209-92c1-e1679fb49f7a',
    'FreeSWITCH-Hostname: vm',
    'FreeSWITCH-Switchname: vm',
    'FreeSWITCH-IPv4: 127.0.0.1',
    'FreeSWITCH-IPv6: %3A%3A1',
    'Event-Date-Local: 2026-11-26%2012%3A57%3A22',
    'Event-Date-GMT: Thu,%2026%20Nov%202026%2012%3A57%3A22%20GMT',
    'Event-Date-Timestamp: 1795697842751319',
    'Event-Calling-File: mod_event_socket.c',
    'Event-Calling-Function: api_exec',
    'Event-Calling-Line-Number: 1580',
    'Event-Sequence: 415',
    'Job-UUID: 7d5c799c-2d72-4e98-996b-7451200b21ad',
    'Job-Command: status',
)

API_STATUS_BODY = (
    'UP 0 years, 0 days, 0 hours, 0 minutes, 4 seconds, 997 milliseconds, 18 microseconds\n'
    'FreeSWITCH (Version 1.11.3-dev  64bit) is ready\n'
    '0 session(s) since startup\n'
    '0 session(s) - peak 0, last 5min 0 \n'
    '0 session(s) per Sec out of max 30, peak 0, last 5min 0 \n'
    '100 session(s) max\n'
    'min idle cpu 0.00/92.73\n'
    'Current Stack Size/Max 240K/8192K\n'
)


def uuid_for(seq):
    """Return the Unique-ID carried by event number ``seq``."""
    return "%s%012d" % (UUID_PREFIX, seq)


def seq_of(unique_id):
    """Return the sequence number in a Unique-ID, or None when it is not one of ours."""
    if unique_id is None or len(unique_id) != 36 or not unique_id.startswith(UUID_PREFIX):
        return None
    tail = unique_id[24:]
    return int(tail) if tail.isdigit() else None


def _channel_lines(seq):
    uid = uuid_for(seq)
    out = []
    for line in CHANNEL_EVENT:
        if line.startswith("Event-Sequence: "):
            line = "Event-Sequence: %d" % seq
        out.append(line.replace(_TEMPLATE_UUID, uid))
    return out


def _pairs(lines):
    return [line.split(": ", 1) for line in lines]


def json_body(pairs):
    """Compact one-line JSON like FreeSWITCH's, keeping duplicate keys (so no dict)."""
    return "{" + ",".join("%s:%s" % (json.dumps(k), json.dumps(unquote(v))) for k, v in pairs) + "}"


def event_frame(body, fmt):
    """Return the bytes of one event frame with ``body`` (str) in format 'plain' or 'json'."""
    data = body.encode("utf-8")
    return b"Content-Length: %d\nContent-Type: text/event-%s\n\n" % (len(data), fmt.encode()) + data


def channel_event(seq, fmt):
    """Return the frame of channel event ``seq`` as FreeSWITCH sends it for ``event <fmt> ALL``."""
    lines = _channel_lines(seq)
    if fmt == "plain":
        return event_frame("\n".join(lines) + "\n\n", "plain")
    return event_frame(json_body(_pairs(lines)), "json")


def channel_renderer(fmt):
    """Return a fast ``seq -> frame bytes`` equal to ``channel_event(seq, fmt)``."""
    marker_seq, marker_uid = 987654321987, UUID_PREFIX + "987654321987"
    # Render once with markers, then only splice the numbers in.
    template = channel_event(marker_seq, fmt).split(b"\n\n", 1)[1].decode("utf-8")
    pieces = [p.split(str(marker_seq)) for p in template.split(marker_uid)]
    head = b"Content-Length: %d\nContent-Type: text/event-" + fmt.encode() + b"\n\n"

    def render(seq):
        s = str(seq)
        body = (UUID_PREFIX + "%012d" % seq).join(s.join(p) for p in pieces).encode("utf-8")
        return head % len(body) + body

    return render


def end_event(fmt):
    """Return the frame that ends a stream (a CUSTOM event, subclass bench::end)."""
    lines = ["Event-Name: CUSTOM", "Core-UUID: 1c78217f-b934-4209-92c1-e1679fb49f7a",
             "Event-Subclass: bench%3A%3Aend", "Event-Sequence: 0"]
    if fmt == "plain":
        return event_frame("\n".join(lines) + "\n\n", "plain")
    if fmt == "xml":
        return event_frame("<event>\n  <headers>\n%s  </headers>\n</event>\n" % "".join(
            "    <%s>%s</%s>\n" % (k, v, k) for k, v in _pairs(lines)), "xml")
    return event_frame(json_body(_pairs(lines)), "json")


# -- SIP-call streams (rendered by sipcalls.py; what a client needs to check them is here, so
# that a client process never imports the repo's ESL package through sipcalls) ---------------

SIP_PERIOD = 1000   # a SIP stream repeats events 1..SIP_PERIOD
# One call's events in order: (Event-Name, extra variables, with SDP values). The CUSTOM one
# carries a body.
SIP_LIFE = (
    ("CHANNEL_CREATE", 40, False), ("CHANNEL_ORIGINATE", 50, False),
    ("CHANNEL_PROGRESS_MEDIA", 35, True), ("CHANNEL_ANSWER", 50, True),
    ("CHANNEL_EXECUTE", 65, True), ("CUSTOM", 45, True), ("CHANNEL_BRIDGE", 80, True),
    ("CALL_UPDATE", 90, True), ("CHANNEL_HANGUP", 105, True),
    ("CHANNEL_HANGUP_COMPLETE", 128, True),
)


def sip_event_name(seq):
    """The Event-Name of SIP event ``seq`` (1..SIP_PERIOD)."""
    return SIP_LIFE[(seq - 1) % len(SIP_LIFE)][0]


def xml_field(body, name):
    """The text of element ``<name>`` in an XML event body, found as a client would, or None."""
    start = "<%s>" % name
    i = body.find(start)
    if i < 0:
        return None
    i += len(start)
    j = body.find("</", i)
    return None if j < 0 else body[i:j]


def job_uuid(n):
    """Return the Job-UUID the server gives to bgapi number ``n`` of a connection."""
    return "%s%012d" % (JOB_UUID_PREFIX, n)


def background_job(job, fmt):
    """Return the BACKGROUND_JOB frame for ``job`` carrying the ``status`` output as its body."""
    pairs = _pairs(BACKGROUND_JOB_HEADERS)
    pairs = [(k, job if k == "Job-UUID" else v) for k, v in pairs]
    body = API_STATUS_BODY
    if fmt == "plain":
        raw = body.encode("utf-8")
        text = "\n".join("%s: %s" % kv for kv in pairs) + "\nContent-Length: %d\n\n" % len(raw) + body
        return event_frame(text, "plain")
    pairs.append(("Content-Length", str(len(body.encode("utf-8")))))
    pairs.append(("_body", body))
    return event_frame(json_body(pairs), "json")


def api_response(body=API_STATUS_BODY):
    data = body.encode("utf-8")
    return b"Content-Type: api/response\nContent-Length: %d\n\n" % len(data) + data


def reply(text, extra=""):
    return ("Content-Type: command/reply\nReply-Text: %s\n%s\n" % (text, extra)).encode("utf-8")


AUTH_REQUEST = b"Content-Type: auth/request\n\n"
DISCONNECT_NOTICE = (b"Content-Type: text/disconnect-notice\nContent-Length: 67\n\n"
                     b"Disconnected, goodbye.\nSee you at ClueCon! http://www.cluecon.com/\n")
