"""Helpers shared by the benchmark clients (each client runs in its own process)."""
import json
import sys
import time

from events import API_STATUS_BODY, END_SUBCLASS, EVENT_NAME, seq_of  # noqa: F401  (re-exported)


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

    An event is good when its name is ours and its Unique-ID carries the next sequence number (a
    gap counts the skipped ones as lost). Anything else that is not the end marker is misframed:
    a wrong or missing name or Unique-ID, a duplicate, a step backwards.
    """

    def __init__(self, expected_total):
        self.total = expected_total
        self.good = 0
        self.misframed = 0
        self.next = 1
        self.t_last = None

    def check(self, name, unique_id):
        if name == EVENT_NAME:
            seq = seq_of(unique_id)
            if seq is not None and seq >= self.next:
                self.good += 1
                self.next = seq + 1
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
