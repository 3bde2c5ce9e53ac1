"""A fast FreeSWITCH event-socket server for the benchmarks, run as its own process.

Usage: ``python3 bench/server.py PROFILES_JSON`` where PROFILES_JSON maps a profile name to
``{"events": N, "rate": R, "formats": [...], "kind": K, "api_split": S}``: R events/s (0 = as
fast as the socket takes them); K ``"loopback"`` (bench/events.py, the default) or ``"sip"``
(bench/sipcalls.py); the formats are rendered at start, others on first use; S true writes an
api reply as two sends, header block then body, as mod_event_socket does. It listens on one
127.0.0.1 port per profile and prints one line ``PORTS {"name": port, ...}`` when ready, then
one line ``BYTES {"name/format": mean frame bytes, ...}``, then serves until stdin closes (so
it dies with the process that started it).

Every connection gets the real greeting (``auth/request``) and accepts any ``auth``. Commands:

- ``event plain|json|xml ALL``: the reply, then the profile's N channel events (pre-rendered, so
  the server costs almost no CPU), then a CUSTOM ``bench::end`` event. If the client sends no
  further command within 3 s the server half-closes, so a client whose parser lost the end
  marker still sees a disconnect instead of hanging.
- ``event plain|json|xml <other names>``: the reply only (events then come from bgapi).
- ``api <anything>``: an ``api/response`` with a real ``status`` output (330 bytes).
- ``bgapi <anything>``: ``+OK Job-UUID: …`` (the client's ``Job-UUID`` header if given, else
  a numbered one), then a BACKGROUND_JOB event if the connection subscribed to events.
- ``exit``: ``+OK bye``, the disconnect notice, close. Anything else: ``-ERR command not found``.
"""
import json
import os
import socket
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(1, os.path.dirname(HERE))   # the repo: sipcalls renders with ESL.protocol
import events  # noqa: E402

QUIET_AFTER_STREAM = 3.0  # seconds without a command after a stream before the half-close


class Stream:
    """The frames of one profile in one format, sent ``count`` at a time from a cycle.

    A loopback stream is ``count`` distinct frames; a SIP stream repeats the sipcalls.PERIOD
    frames of its cycle (the clients know). ``offsets`` are per frame, for pacing.
    """

    def __init__(self, kind, count, fmt):
        if kind == "sip":
            import sipcalls
            frames = sipcalls.frames(fmt)
        else:
            render = events.channel_renderer(fmt)
            frames = [render(seq) for seq in range(1, count + 1)]
        self.count = count
        self.offsets = [0]
        for f in frames:
            self.offsets.append(self.offsets[-1] + len(f))
        self.data = memoryview(b"".join(frames))
        self.mean_bytes = self.offsets[-1] / len(frames)
        self.end = events.end_event(fmt)

    def chunks(self):
        """The stream's bytes in order: whole cycles, then the start of one."""
        period = len(self.offsets) - 1
        full, part = divmod(self.count, period)
        for _ in range(full):
            yield self.data
        if part:
            yield self.data[:self.offsets[part]]


class Profile:
    def __init__(self, name, events_count, rate, formats, kind="loopback", api_split=False):
        self.name = name
        self.formats = formats
        self.count = events_count
        self.rate = rate
        self.kind = kind
        self.api_split = api_split
        self._streams = {}
        self._lock = threading.Lock()

    def stream(self, fmt):
        with self._lock:
            if fmt not in self._streams:
                self._streams[fmt] = Stream(self.kind, self.count, fmt)
            return self._streams[fmt]


def send_stream(sock, profile, fmt):
    st = profile.stream(fmt)
    if not profile.rate:
        for chunk in st.chunks():
            sock.sendall(chunk)
    else:
        # Paced: a slice of events every 10 ms, catching up if a send blocked.
        per_tick = max(1, profile.rate // 100)
        start = time.monotonic()
        i = 0
        while i < profile.count:
            j = min(profile.count, i + per_tick)
            sock.sendall(st.data[st.offsets[i]:st.offsets[j]])
            i = j
            delay = start + (i / profile.rate) - time.monotonic()
            if delay > 0:
                time.sleep(delay)
    sock.sendall(st.end)


SPIN = float(os.environ.get("BENCH_SPIN", "0"))


def _spin_recv(sock):
    """Poll the socket without sleeping for up to SPIN s; return the data or None."""
    sock.setblocking(False)
    end = time.monotonic() + SPIN
    try:
        while time.monotonic() < end:
            try:
                return sock.recv(65536)
            except BlockingIOError:
                pass
    finally:
        sock.setblocking(True)
    return None


def serve(sock, profile):
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.sendall(events.AUTH_REQUEST)
    buf = b""
    fmt = None  # event format once subscribed
    jobs = 0
    streamed = False
    while True:
        while b"\n\n" not in buf:
            chunk = _spin_recv(sock) if SPIN and not streamed else None
            sock.settimeout(QUIET_AFTER_STREAM if streamed else 600)
            try:
                if chunk is None:
                    chunk = sock.recv(65536)
            except socket.timeout:
                chunk = b""
                if streamed:
                    sock.shutdown(socket.SHUT_WR)
                    sock.settimeout(30)
                    while sock.recv(65536):  # drain until the client closes: no RST
                        pass
            if not chunk:
                return
            buf += chunk
        raw, buf = buf.split(b"\n\n", 1)
        streamed = False
        lines = raw.decode("utf-8", "replace").split("\n")
        cmd = lines[0].strip()
        headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
        word = cmd.split(" ", 1)[0].lower()
        if word == "auth":
            sock.sendall(events.reply("+OK accepted"))
        elif word == "event":
            parts = cmd.split()
            fmt = parts[1] if len(parts) > 1 and parts[1] in ("plain", "json", "xml") else "plain"
            sock.sendall(events.reply("+OK event listener enabled %s" % fmt))
            if "ALL" in parts[2:]:
                send_stream(sock, profile, fmt)
                streamed = True
        elif word == "api":
            reply = events.api_response()
            if profile.api_split:
                cut = reply.index(b"\n\n") + 2
                sock.sendall(reply[:cut])
                sock.sendall(reply[cut:])
            else:
                sock.sendall(reply)
        elif word == "bgapi":
            jobs += 1
            job = headers.get("Job-UUID") or events.job_uuid(jobs)
            out = events.reply("+OK Job-UUID: %s" % job, "Job-UUID: %s\n" % job)
            if fmt:
                out += events.background_job(job, fmt)
            sock.sendall(out)
        elif word == "exit":
            sock.sendall(events.reply("+OK bye") + events.DISCONNECT_NOTICE)
            return
        else:
            sock.sendall(events.reply("-ERR command not found"))


def handle(conn, profile):
    try:
        serve(conn, profile)
    except OSError:
        pass  # the client went away (slow-consumer runs close mid-stream on purpose)
    finally:
        conn.close()


def listen(profile):
    lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(16)

    def accept_loop():
        while True:
            conn, _ = lsock.accept()
            threading.Thread(target=handle, args=(conn, profile), daemon=True).start()

    threading.Thread(target=accept_loop, daemon=True).start()
    return lsock.getsockname()[1]


def main():
    spec = json.loads(sys.argv[1])
    profiles = {name: Profile(name, p["events"], p.get("rate", 0), p.get("formats", ["plain"]),
                              p.get("kind", "loopback"), p.get("api_split", False))
                for name, p in spec.items()}
    ports = {name: listen(p) for name, p in profiles.items()}
    # Render every stream now so no client run pays for it.
    sizes = {}
    for p in profiles.values():
        for fmt in p.formats:
            sizes["%s/%s" % (p.name, fmt)] = p.stream(fmt).mean_bytes
    print("PORTS " + json.dumps(ports), flush=True)
    print("BYTES " + json.dumps(sizes), flush=True)
    sys.stdin.read()  # serve until the parent closes our stdin (or dies)


if __name__ == "__main__":
    main()
