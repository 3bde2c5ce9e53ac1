"""Replay a recorded FreeSWITCH event-socket transcript against a server and compare frames.

A transcript (the JSON files in ``shared/fs-transcripts/``) lists, per step and connection,
the bytes the client sent and the bytes the real FreeSWITCH answered. :func:`replay` sends the
same bytes to another server (normally the simulator), reads back as many frames as the
transcript has, and compares them frame by frame after normalising only what legitimately
differs between two runs: UUIDs (mapped one-to-one, so a UUID must reappear where it
reappeared before), clock times and durations, sequence numbers, host names, and the
counters/measurements that depend on what ran earlier on the server (idle CPU, session
counters, session ids). ``Content-Length`` values are checked against the actual lengths and
then ignored, since the normalised fields change lengths.

A SIP call makes up values afresh each run, which are normalised too: the From/To tags
(``sip_from_tag``, ``sip_to_tag``, every ``tag=``), Via branches (``z9hG4bK...``), the CSeq
(``sip_cseq``), RTP ports (``local_media_port``, ``remote_media_port``, SDP ``m=audio``) and
SSRC (``rtp_use_ssrc``) are each mapped one-to-one to numbered tokens per kind (so a value must
reappear where it reappeared before, like a UUID); the SDP ``o=`` session id and version (the
clock less the RTP port) become tokens; ``rtp_audio_in_skip_packet_count`` (20 ms frames
counted while the call was up) is a measurement. The SIP Call-ID is UUID-shaped and mapped with
the UUIDs.

Command line::

    python -m ESL.sim.replay [--host H] [--port P] [--outbound-port P] [--together] [-v] FILE...

``--together`` replays all files as one scenario (:func:`merge`). Exit status 0 when every
transcript is identical after normalisation, else 1.
"""
import argparse
import json
import re
import socket
import sys
import time
from typing import Dict, List, Optional, Tuple  # noqa: F401 (type comments)

__all__ = ["replay", "merge", "split_frames", "Normalizer", "ReplayResult"]

_UUID = re.compile(rb"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def split_frames(data: bytes) -> Tuple[List[bytes], bytes]:
    """Split a byte stream into complete frames; returns ``(frames, rest)``.

    A frame is a header block ending in a blank line plus ``Content-Length`` bytes of body.
    """
    frames = []
    pos = 0
    while True:
        end = data.find(b"\n\n", pos)
        if end < 0:
            break
        head = data[pos:end + 2]
        m = re.search(rb"^Content-Length: (\d+)$", head, re.M)
        size = int(m.group(1)) if m else 0
        if end + 2 + size > len(data):
            break
        frames.append(data[pos:end + 2 + size])
        pos = end + 2 + size
    return frames, data[pos:]


# Header names whose values are normalised, by kind; matched in plain, json and xml syntax.
_TIME_NAMES = (r"Event-Date-Local|Event-Date-GMT|Event-Date-Timestamp|Up-Time|Uptime-msec|"
               r"Task-Runtime|variable_[a-z_]*_stamp|variable_(?:[a-z_]*_)?u?epoch|"
               r"variable_(?:u|m)?duration|variable_(?:flow_)?bill(?:m|u)?sec|"
               r"variable_(?:progress_media|progress|answer|wait)(?:m|u)?sec|"
               r"(?:b_)?created(?:_epoch)?|call_created_epoch")   # show's columns
_NONZERO_TIME_NAMES = r"(?:Caller|Channel|Other-Leg)-[A-Za-z-]*(?:-Time|-Last-Hold|-Hold-Accum)"
_SEQ_NAMES = r"Event-Sequence|variable_session_id"
_HOST_NAMES = r"FreeSWITCH-Hostname|FreeSWITCH-Switchname"
_COUNTER_NAMES = (r"Idle-CPU|Session-Per-Sec-Max|Session-Per-Sec-FiveMin|"
                  r"Session-Since-Startup|Session-Peak-Max|Session-Peak-FiveMin")


def _field_patterns(names: str):
    return [re.compile(r"(?m)^(%s): (.*)$" % names),
            re.compile(r'"(%s)":"((?:[^"\\]|\\.)*)"' % names),
            re.compile(r"<(%s)>([^<]*)</\1>" % names)]


def _sub_fields(text: str, names: str, token: str, keep_zero: bool = False) -> str:
    def repl(m):
        value = m.group(2)
        if keep_zero and value == "0":
            return m.group(0)
        return m.group(0)[:m.start(2) - m.start(0)] + token + m.group(0)[m.end(2) - m.start(0):]
    for pat in _field_patterns(names):
        text = pat.sub(repl, text)
    return text


# What a SIP call makes up afresh each run (sofia-sip and the RTP stack): fields whose values
# are mapped one-to-one to numbered tokens, by kind.
_SIP_FIELDS = (("TAG", r"variable_sip_(?:from|to)_tag"), ("CSEQ", r"variable_sip_cseq"),
               ("PORT", r"variable_(?:local|remote)_media_port"),
               ("SSRC", r"variable_rtp_use_ssrc"))
# ... and the same values inside other values (From/To headers, Via, SDP).
_SIP_INLINE = (("TAG", re.compile(r"(tag(?:=|%3D))([A-Za-z0-9]+)")),
               ("BRANCH", re.compile(r"()(z9hG4bK[A-Za-z0-9]+)")),
               ("PORT", re.compile(r"(m(?:=|%3D)audio(?: |%20))(\d+)")))
# An SDP o= line's session id and version (the epoch less the RTP port, and one more).
_SDP_ORIGIN = re.compile(r"(o(?:=|%3D)FreeSWITCH(?: |%20))\d+((?: |%20))\d+")
_MEASURED_NAMES = r"variable_rtp_audio_in_skip_packet_count"


class Normalizer:
    """Turns frames from two runs into comparable text. Holds the UUID mapping of a run."""

    def __init__(self) -> None:
        self.expected_to_actual = {}   # type: Dict[bytes, bytes]
        self.actual_to_expected = {}   # type: Dict[bytes, bytes]
        self.index = {}                # type: Dict[bytes, int]
        # side -> kind -> value -> number, in order of first appearance on that side
        self.tokens = {"expected": {}, "actual": {}}   # type: Dict[str, Dict[str, Dict]]

    def _token(self, side: str, kind: str, value: str) -> str:
        seen = self.tokens[side].setdefault(kind, {})
        return "<%s-%d>" % (kind, seen.setdefault(value, len(seen) + 1))

    def _sip(self, text: str, side: str) -> str:
        for kind, names in _SIP_FIELDS:
            for pat in _field_patterns(names):
                text = pat.sub(lambda m: m.group(0)[:m.start(2) - m.start(0)] + self._token(
                    side, kind, m.group(2)) + m.group(0)[m.end(2) - m.start(0):], text)
        for kind, pat in _SIP_INLINE:
            text = pat.sub(lambda m: m.group(1) + self._token(side, kind, m.group(2)), text)
        return _SDP_ORIGIN.sub(r"\1<SDP-ID>\2<SDP-VERSION>", text)

    def map_uuids(self, expected: bytes, actual: bytes) -> Optional[str]:
        """Extend the UUID mapping from a pair of frames; returns a problem text or None."""
        exp = _UUID.findall(expected)
        act = _UUID.findall(actual)
        if len(exp) != len(act):
            return "different number of UUIDs (%d expected, %d got)" % (len(exp), len(act))
        for e, a in zip(exp, act):
            known = self.expected_to_actual.get(e)
            if known is None and a in self.actual_to_expected:
                return "UUID %s reused where the transcript has a new one" % a.decode()
            if known is not None and known != a:
                return "UUID %s expected again, got %s" % (known.decode(), a.decode())
            if known is None:
                self.expected_to_actual[e] = a
                self.actual_to_expected[a] = e
                self.index[e] = len(self.index) + 1
        return None

    def substitute_sent(self, data: bytes) -> bytes:
        """Replace transcript UUIDs in client bytes by the ones this run produced."""
        return _UUID.sub(lambda m: self.expected_to_actual.get(m.group(0), m.group(0)), data)

    def normalize(self, frame: bytes, side: str) -> str:
        """Normalised text of one frame (``side`` is ``expected`` or ``actual``)."""
        if side == "expected":
            frame = _UUID.sub(lambda m: b"<UUID-%d>" % self.index.get(m.group(0), 0), frame)
        else:
            frame = _UUID.sub(lambda m: b"<UUID-%d>" % self.index.get(
                self.actual_to_expected.get(m.group(0), b""), 0), frame)
        text = frame.decode("utf-8", "surrogateescape")
        text = _sub_fields(text, _TIME_NAMES, "<TIME>")
        text = _sub_fields(text, _NONZERO_TIME_NAMES, "<TIME>", keep_zero=True)
        text = _sub_fields(text, _SEQ_NAMES, "<SEQ>")
        text = _sub_fields(text, _HOST_NAMES, "<HOST>")
        text = _sub_fields(text, _COUNTER_NAMES, "<COUNTER>")
        text = _sub_fields(text, _MEASURED_NAMES, "<COUNT>")
        text = self._sip(text, side)
        text = _sub_fields(text, "Content-Length", "<LEN>")
        # `api status` output and log lines carry uptime, counters and idle CPU.
        text = re.sub(r"UP \d+ years?, \d+ days?, \d+ hours?, \d+ minutes?, \d+ seconds?, "
                      r"\d+ milliseconds?, \d+ microseconds?", "UP <TIME>", text)
        text = re.sub(r"(?m)^\d+ session\(s\) since startup$", "<N> session(s) since startup",
                      text)
        text = re.sub(r"(?m)^\d+ session\(s\) - peak \d+, last 5min \d+ $",
                      "<N> session(s) - peak <N>, last 5min <N> ", text)
        text = re.sub(r"(?m)^(\d+ session\(s\) per Sec out of max \d+), peak \d+, last 5min \d+ $",
                      r"\1, peak <N>, last 5min <N> ", text)
        text = re.sub(r"min idle cpu (\d+\.\d+)/\d+\.\d+", r"min idle cpu \1/<CPU>", text)
        text = re.sub(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6} \d+\.\d\d% \[",
                      "<TIME> <CPU>% [", text)
        return text


def _length_problem(frame: bytes) -> Optional[str]:
    end = frame.find(b"\n\n")
    head = frame[:end + 2]
    m = re.search(rb"^Content-Length: (\d+)$", head, re.M)
    if m and int(m.group(1)) != len(frame) - end - 2:
        return "Content-Length %s but %d body bytes" % (m.group(1).decode(),
                                                      len(frame) - end - 2)
    body = frame[end + 2:]
    inner = re.search(rb"\nContent-Length: (\d+)\n\n", body)
    if m and inner and b"text/event-plain" in head:
        if int(inner.group(1)) != len(body) - inner.end():
            return "inner Content-Length %s but %d body bytes" % (
                inner.group(1).decode(), len(body) - inner.end())
    return None


class ReplayResult:
    """Outcome of one transcript: ``steps`` compared, ``mismatches`` (list of texts)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.frames = 0
        self.identical_frames = 0
        self.mismatches = []   # type: List[str]

    @property
    def identical(self) -> bool:
        return not self.mismatches

    def __repr__(self) -> str:
        return "ReplayResult(%s, %d/%d frames, %d problems)" % (
            self.name, self.identical_frames, self.frames, len(self.mismatches))


class _Conn:
    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buf = b""
        self.eof = False

    def read_frames(self, count: int, timeout: float) -> List[bytes]:
        deadline = time.monotonic() + timeout
        frames = []   # type: List[bytes]
        while True:
            got, self.buf = split_frames(self.buf)
            frames.extend(got)
            if len(frames) >= count or self.eof:
                return frames
            left = deadline - time.monotonic()
            if left <= 0:
                return frames
            self.sock.settimeout(left)
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                return frames
            except OSError:
                self.eof = True
                continue
            if not data:
                self.eof = True
            self.buf += data

    def wait_eof(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while not self.eof:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            self.sock.settimeout(left)
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                return False
            except OSError:
                return True
            if not data:
                self.eof = True
            self.buf += data
        return True


def replay(transcript: dict, host: str, port: int, outbound_port: Optional[int] = None,
           step_timeout: float = 10.0, heartbeat_timeout: float = 30.0,
           rewrite: Tuple[Tuple[bytes, bytes], ...] = ()) -> ReplayResult:
    """Replay ``transcript`` (a parsed JSON transcript) against ``host:port``.

    Connections named ``outbound`` are accepted on ``127.0.0.1:outbound_port`` (the port the
    dialplan's ``socket`` application dials). ``rewrite`` pairs are replaced in the expected
    bytes (e.g. when the outbound port had to change). A step is sent no earlier than the
    previous one ended in the recording (``t``), so a recorded client's pauses are kept.
    Returns a :class:`ReplayResult`.
    """
    result = ReplayResult(transcript.get("scenario", "?"))
    norm = Normalizer()
    conns = {}   # type: Dict[str, _Conn]
    server = None
    steps = transcript["steps"]
    if any(s["conn"].startswith("outbound") for s in steps):
        server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", outbound_port or 8040))
        server.listen(8)
    # The recording's clock: time `t0` of the recording is `started` here.
    started, t0 = time.monotonic(), steps[0]["t"]
    try:
        for number, step in enumerate(steps, 1):
            name = step["conn"]
            where = "step %d [%s]" % (number, name)
            if number > 1:
                pause = steps[number - 2]["t"] - t0 - (time.monotonic() - started)
                if pause > 0:
                    time.sleep(pause)
            conn = conns.get(name)
            if conn is None:
                if name.startswith("outbound"):
                    assert server is not None
                    server.settimeout(step_timeout)
                    try:
                        sock, _ = server.accept()
                    except socket.timeout:
                        result.mismatches.append("%s: the server never connected" % where)
                        return result
                else:
                    sock = socket.create_connection((host, port), timeout=step_timeout)
                conn = conns[name] = _Conn(sock)
            sent = step["sent"].encode("latin-1")
            if sent:
                conn.sock.sendall(norm.substitute_sent(sent))
            received = step["received"].encode("latin-1")
            expected, rest = split_frames(received)
            if rest:
                expected.append(rest)
            for old, new in rewrite:   # after splitting: a rewrite may change lengths
                expected = [frame.replace(old, new) for frame in expected]
            if expected:
                timeout = heartbeat_timeout if b"HEARTBEAT" in received else step_timeout
                got = conn.read_frames(len(expected), timeout)
                if b"HEARTBEAT" in received:   # our heartbeat interval differs: re-anchor
                    started, t0 = time.monotonic(), step["t"]
            else:
                nxt = steps[number]["t"] if number < len(steps) else step["t"] + 0.3
                got = conn.read_frames(1, min(max(nxt - step["t"], 0.1), 0.5))
            result.frames += len(expected)
            for i in range(max(len(expected), len(got))):
                label = "%s frame %d" % (where, i + 1)
                if i >= len(got):
                    result.mismatches.append("%s: missing, expected %r" % (
                        label, expected[i][:200]))
                    continue
                if i >= len(expected):
                    result.mismatches.append("%s: unexpected %r" % (label, got[i][:200]))
                    continue
                problem = _length_problem(got[i]) or norm.map_uuids(expected[i], got[i])
                a = norm.normalize(expected[i], "expected")
                b = norm.normalize(got[i], "actual")
                if problem is None and a != b:
                    problem = _first_difference(a, b)
                if problem:
                    result.mismatches.append("%s: %s" % (label, problem))
                else:
                    result.identical_frames += 1
            if step.get("closed_by_server") and not conn.wait_eof(step_timeout):
                result.mismatches.append("%s: the server did not close the socket" % where)
        for name, conn in conns.items():
            if conn.eof:
                continue
            extra = conn.read_frames(1, 0.3)
            for frame in extra:
                result.mismatches.append("after the last step [%s]: unexpected %r" % (
                    name, frame[:200]))
    finally:
        for conn in conns.values():
            conn.sock.close()
        if server is not None:
            server.close()
    return result


def merge(transcripts: List[dict]) -> dict:
    """One scenario from transcripts recorded at the same time on different connections.

    The ``events_*_all`` captures record one subscriber each while another connection drove
    the call; replaying them together (steps ordered by time) reproduces that.
    """
    steps = []
    for order, tr in enumerate(transcripts):
        for index, step in enumerate(tr["steps"]):
            steps.append((step["t"], order, index, step))
    steps.sort(key=lambda item: item[:3])
    return {"scenario": "+".join(t.get("scenario", "?") for t in transcripts),
            "steps": [item[3] for item in steps]}


def _first_difference(a: str, b: str) -> str:
    la, lb = a.split("\n"), b.split("\n")
    for i in range(max(len(la), len(lb))):
        x = la[i] if i < len(la) else "<end>"
        y = lb[i] if i < len(lb) else "<end>"
        if x != y:
            return "line %d differs: expected %r, got %r" % (i + 1, x[:300], y[:300])
    return "frames differ"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ESL.sim.replay", description=__doc__.split(
        "\n")[0])
    parser.add_argument("files", nargs="+")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8021)
    parser.add_argument("--outbound-port", type=int, default=8040)
    parser.add_argument("--together", action="store_true",
                        help="replay all files as one scenario (see merge())")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    identical = 0
    loaded = []
    for path in args.files:
        with open(path, encoding="utf-8") as fh:
            loaded.append(json.load(fh))
    if args.together:
        loaded = [merge(loaded)]
    for transcript in loaded:
        res = replay(transcript, args.host, args.port, args.outbound_port)
        identical += res.identical
        print("%-40s %s (%d/%d frames)" % (res.name, "identical" if res.identical else "DIFFERS",
                                          res.identical_frames, res.frames))
        if args.verbose:
            for line in res.mismatches:
                print("    " + line)
    print("%d/%d identical after normalisation" % (identical, len(loaded)))
    return 0 if identical == len(loaded) else 1


if __name__ == "__main__":
    sys.exit(main())
