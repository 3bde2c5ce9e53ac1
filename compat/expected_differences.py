"""Differences between the reference binding and ours that are intended.

EXPECTED maps a scenario name to:
* ``reason``: why (the reference crashes, hangs, closes fds it does not own, prints garbage...);
* ``keys``: the record keys allowed to differ: fnmatch patterns on keys, or ``key::field`` for
  one field of a recorded value (e.g. ``"plain"`` of an ESLevent); ``"*"`` = the whole scenario;
* ``ours`` (optional): record key -> fields ours must show (the safe behaviour we promise),
  checked even though the key differs.
The runner lists these apart and does not count them as failures.
"""

_TYPE_ERROR = {"exc": "TypeError"}


def _crash(label, ours=_TYPE_ERROR, reason="segfaults the reference (API.md 11); ours raises TypeError"):
    return {"reason": reason, "keys": "*", "ours": {label: ours, "exit": {"status": "0"}}}


_GARBAGE = ("the reference URL-encodes non-ASCII bytes with a negative table index: garbage "
            "bytes from memory (API.md 7.5); ours writes proper %XX")

# The issue asks for FreeSWITCH master's event table; the 1.4.18 reference lacks three names.
_MASTER_ONLY = ("TEXT", "SHUTDOWN_REQUESTED", "SEND_RTCP_MESSAGE")
_TABLE = ("ours knows FreeSWITCH master's 93 event names; the 1.4.18 reference lacks "
          + ", ".join(_MASTER_ONLY))
_ADOPT = ("ESLconnection(fd) in the reference closes the caller's descriptor on disconnect, GC or a "
          "failed connect, under the caller's socket object (whose own close then fails, or closes a "
          "reused number); ours works on a duplicate and shuts the connection down, so the peer still "
          "sees it end, but never closes the caller's descriptor")

EXPECTED = {
    "crash_send_none": _crash("c.send(None)"),
    "crash_sendrecv_none": _crash("c.sendRecv(None)"),
    "crash_sendevent_none": _crash("c.sendEvent(None)"),
    "crash_sendmsg_none": _crash("c.sendMSG(None)"),
    "crash_sendmsg_null_event": _crash("c.sendMSG(ESL.ESLevent('HEARTBEAT', ''))", {"t": "int", "v": 1},
                                       "segfaults the reference; ours returns 1 (failure), sends nothing"),
    "crash_events_none": _crash("c.events(None, 'ALL')"),
    "crash_event_none_type": _crash("ESL.ESLevent(None, 'x')"),
    "crash_event_none_none": _crash("ESL.ESLevent(None, None)"),
    "crash_addheader_none": _crash("ESL.ESLevent('CUSTOM').addHeader(None, 'v')"),
    "crash_pushheader_none": _crash("ESL.ESLevent('CUSTOM').pushHeader(None, 'v')"),
    "crash_delheader_none": _crash("ESL.ESLevent('CUSTOM').delHeader(None)"),
    "crash_unbound_self_none": _crash("ESL.ESLevent.getType(None)"),
    "crash_double_free": {
        "reason": "ESLevent(e.event, 1) makes two owners of one C event: double free, segfault (API.md 7.2); "
                  "ours shares the event and frees nothing twice",
        "keys": "*",
        "ours": {"exit": {"status": "0"}, "after": {"t": "str", "v": "HEARTBEAT"}},
    },
    "unsafe_fd0": {
        "reason": "a zeroed handle shuts down and closes fd 0 (stdin) on disconnect/GC (API.md 4.2-4.4); "
                  "ours never closes a descriptor it does not own",
        "keys": ["*: fd 0 open after disconnect", "*: fd 0 open after GC"],
        "ours": {"port None: fd 0 open after GC": {"v": True}, "host None: fd 0 open after GC": {"v": True},
                 "fd -1: fd 0 open after GC": {"v": True}},
    },
    "unsafe_json_body_printf": {
        "reason": "the reference passes a JSON _body to printf as the format: '% a' prints a hex float from "
                  "garbage (undefined, API.md 7.2); ours copies unknown % sequences literally",
        "keys": ["recv json with '% a' in _body::*", "the same text built locally::*"],
    },
    "unsafe_nonascii_encoding": {"reason": _GARBAGE, "keys": ["plain"]},
    "conn_recv_parsing": {"reason": _GARBAGE + " (received non-ASCII values re-serialized); " + _TABLE,
                          "keys": ["url decoding::plain", "header value non-UTF-8::plain",
                                   "inner plain: TEXT (unknown in 1.4.18)::type"]},
    "event_basic": {"reason": _TABLE + "; after ESLevent(other) the C cursor is uninitialised memory "
                              "(API.md 7.2), so the reference's nextHeader() there varies from run to "
                              "run (usually None, sometimes ''); ours is always None",
                    "keys": ["ESLevent('%s',)::*" % name for name in _MASTER_ONLY]
                    + ["dst.nextHeader before firstHeader"],
                    "ours": {"dst.nextHeader before firstHeader": {"t": "NoneType"}}},
    "event_json_ctor": {"reason": _TABLE + "; " + _GARBAGE + " (non-ASCII JSON values serialized plain)",
                        "keys": ["json '{\"Event-Name\":\"TEXT\"}'::type",
                                 "json '{\"a\":\"\\\\u00e9\\\\u20ac\"}'::plain",
                                 "json '{\"a\":\"caf\u00e9\"}'::plain"]},
    "conn_outbound": {
        "reason": _ADOPT,
        "keys": ["fd closed by disconnect", "pair fd closed", "c3 fd closed by failed connect",
                 "pipe fd closed"],
        "ours": {"fd closed by disconnect": {"v": False}, "pipe fd closed": {"v": False}},
    },
    "conn_timed_partial": {
        "reason": "a packet that has only partly arrived keeps the reference's recvEventTimed(ms) reading "
                  "past ms, until the rest comes (forever if the server stalls); ours returns None on time "
                  "and the next call returns the packet intact",
        "keys": ["*: after 0.6 s", "*: first call once complete", "*: next call"],
        "ours": {"mid-header: after 0.6 s": {"t": "NoneType"},
                 "mid-header: next call": {"type": "CODEC"},
                 "mid-body: after 0.6 s": {"t": "NoneType"},
                 "mid-body: next call": {"type": "BACKGROUND_JOB"}},
    },
    "module_contents": {
        "reason": "the shipped 1.4.18 proxy binds the builtin _ESL.eslSetLogLevel, which refuses keywords; "
                  "ours accepts level= like the proxy SWIG 4 generates for the same sources "
                  "(def eslSetLogLevel(level))",
        "keys": ["eslSetLogLevel(level=0) keyword"],
        "ours": {"eslSetLogLevel(level=0) keyword": {"t": "NoneType"}},
    },
    "seed_outbound": {"reason": _ADOPT + "; the reference's socketserver then fails with EBADF",
                      "keys": ["stderr"]},
    "fs_server_py": {"reason": _ADOPT + "; the reference's socketserver then fails with EBADF",
                     "keys": ["stderr"]},
}
