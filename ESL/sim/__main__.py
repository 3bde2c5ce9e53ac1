"""``python -m ESL.sim [--conf DIR] [--host H] [--port P] [--heartbeat S] [--check-ip S] [--max-connections N]``.

Runs the simulator in the foreground until SIGINT, SIGTERM or a ``shutdown`` (``fsctl
shutdown``) api command. Exit status 0; 2 if the configuration cannot be read, 1 if the
address cannot be bound.
"""
import argparse
import signal
import sys
import threading

from . import ConfigError, Simulator


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ESL.sim",
                                     description="Embedded FreeSWITCH event-socket simulator")
    parser.add_argument("--conf", help="FreeSWITCH configuration directory (freeswitch.xml)")
    parser.add_argument("--host", help="listen address (default: listen-ip, 127.0.0.1)")
    parser.add_argument("--port", type=int, help="listen port (default: listen-port, 8021)")
    parser.add_argument("--heartbeat", type=float, help="HEARTBEAT interval in seconds")
    parser.add_argument("--check-ip", type=float, default=60.0, metavar="SECONDS",
                        help="period of the scheduler's check_ip task (RE_SCHEDULE), default 60")
    parser.add_argument("--max-connections", type=int, default=1000, metavar="N",
                        help="open event-socket connections allowed at once, default 1000")
    args = parser.parse_args(argv)
    try:
        sim = Simulator(args.conf, host=args.host, port=args.port,
                        heartbeat_interval=args.heartbeat, check_ip_interval=args.check_ip,
                        max_connections=args.max_connections)
    except ConfigError as exc:
        print("ESL.sim: %s" % exc, file=sys.stderr)
        return 2
    try:
        sim.start()
    except OSError as exc:
        print("ESL.sim: cannot listen on %s:%s: %s" % (sim.host, sim._want_port, exc),
              file=sys.stderr)
        return 1
    stop = threading.Event()

    def on_signal(signum, frame):
        stop.set()
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    print("ESL.sim listening on %s:%d" % (sim.host, sim.port), flush=True)
    # Until a signal, or until a client's `shutdown` stops the simulator itself.
    while not stop.wait(0.5) and not sim.wait(0):
        pass
    sim.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
