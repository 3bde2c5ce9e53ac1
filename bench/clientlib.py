"""Helpers shared by the benchmark clients (each client runs in its own process)."""
import json
import sys
import time

from events import (API_STATUS_BODY, END_SUBCLASS, EVENT_NAME, SIP_PERIOD,  # noqa: F401
                    seq_of, sip_event_name, xml_field)                      # (re-exported)


def proc_status_kb(field):
    """Return a ``/proc/self/status`` field in kB (VmRSS, VmHWM, ...), or None if absent."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


class SeqCheck:
    """Counts good, misframed and lost events of one stream by their sequence numbers.

    An event is good when its name is the one its sequence number has and its Unique-ID carries
    the next sequence number (a gap counts the skipped ones as lost). Anything else that is not
    the end marker is misframed: a wrong or missing name or Unique-ID, a duplicate, a step
    backwards. ``kind`` is the stream's: ``"loopback"`` (numbers 1..N, one name) or ``"sip"``
    (numbers 1..SIP_PERIOD over and over, each with its own name).
    """

    def __init__(self, expected_total, kind="loopback"):
        self.total = expected_total
        self.good = 0
        self.misframed = 0
        self.next = 1
        self.t_last = None
        if kind == "sip":
            self.check = self._check_cycle

    def check(self, name, unique_id):
        if name == EVENT_NAME:
            seq = seq_of(unique_id)
            if seq is not None and seq >= self.next:
                self.good += 1
                self.next = seq + 1
                self.t_last = time.perf_counter()
                return
        self.misframed += 1

    def _check_cycle(self, name, unique_id):
        seq = seq_of(unique_id)
        # A step forward of less than half a cycle is taken as events lost in between.
        if seq is not None and 1 <= seq <= SIP_PERIOD and name == sip_event_name(seq) \
                and (seq - self.next) % SIP_PERIOD < SIP_PERIOD // 2:
            self.good += 1
            self.next = seq % SIP_PERIOD + 1
            self.t_last = time.perf_counter()
            return
        self.misframed += 1

    @property
    def lost(self):
        return self.total - self.good


def emit(**result):
    """Print the one JSON line run.py reads, with the process's peak and current RSS."""
    result.setdefault("vmhwm_kb", proc_status_kb("VmHWM"))
    result.setdefault("vmrss_kb", proc_status_kb("VmRSS"))
    sys.stdout.write("RESULT " + json.dumps(result) + "\n")
    sys.stdout.flush()


def args():
    """Return (test, port, params dict) from argv: TEST PORT JSON."""
    return sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3]) if len(sys.argv) > 3 else {}
