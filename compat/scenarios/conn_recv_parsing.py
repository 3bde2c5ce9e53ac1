"""Packet parsing from the wire: URL-decoding, header splitting, arrays, Content-Length, inner event-plain (API.md 5.2, 5.10.1)."""
import fsframes as F
from harness import Server, call, gate, reply, send, wait_eof, import_esl

ESL = import_esl()


def plain_event(text):
    body = text.encode("latin-1") if isinstance(text, str) else text
    return b"Content-Length: %d\nContent-Type: text/event-plain\n\n" % len(body) + body


raw = [
    ("url decoding", b"Content-Type: x/y\nA: %41\nB: %4a\nC: %zz\nD: %2\nE: a%\nF: %4g\nG: %00x\nH: a+b\nI: %%41\nJ: %C3%A9\nK: %ff\nL: 100%\n\n"),
    ("arrays from the wire", b"Content-Type: x/y\nX: ARRAY::a|:b\nY: ARRAY%3A%3Ac%7C%3Ad\n\n"),
    ("empty value deletes", b"Content-Type: x/y\nA: 1\nA: 2\nA:\nB: %00\n\n"),
    ("line without colon", b"Content-Type: x/y\nbogus line\nA: 1\n\n"),
    ("tabs and spaces after colon", b"Content-Type: x/y\nA:\t\t v\nB:nospace\n\n"),
    ("CR stays in value", b"Content-Type: x/y\r\nA: v\r\n\r\n"),
    ("leading space in name", b"Content-Type: x/y\n  Lead: v\n\n"),
    ("duplicates kept", b"Content-Type: x/y\nD: 1\nD: 2\nd: 3\n\n"),
    ("Content-Length 5abc", b"Content-Type: x/y\nContent-Length: 5abc\n\nhello"),
    ("Content-Length abc", b"Content-Type: x/y\nContent-Length: abc\n\n"),
    ("content-length lowercase, first wins", b"Content-Type: x/y\ncontent-length: 2\nContent-Length: 4\n\nabcd"),
    ("body with NUL", b"Content-Type: x/y\nContent-Length: 5\n\nab\x00cd"),
    ("body non-UTF-8", b"Content-Type: x/y\nContent-Length: 4\n\n\xff\xfeok"),
    ("header value non-UTF-8", b"Content-Type: x/y\nA: \xe9t\xe9\n\n"),
    ("colon in value", b"Content-Type: x/y\nA: b: c\n\n"),
    ("empty name", b"Content-Type: x/y\n: v\n\n"),
    ("inner plain: tabs kept, last line without newline ignored",
     plain_event("Event-Name: HEARTBEAT\nA:\tv\nB: %41\nC: ARRAY::x|:y\nD: last")),
    ("inner plain: body after blank line", plain_event("Event-Name: CUSTOM\nContent-Length: 3\n\nabcdef")),
    ("inner plain: no Content-Length, text after blank line", plain_event("Event-Name: CUSTOM\n\nignored")),
    ("inner plain: unknown Event-Name", plain_event("Event-Name: NOT_A_TYPE\nX: 1\n\n")),
    ("inner plain: event-name lowercase", plain_event("event-name: channel_answer\nX: 1\n\n")),
    ("inner plain: TEXT (unknown in 1.4.18)", plain_event("Event-Name: TEXT\n\n")),
    ("inner plain: SWITCH_EVENT_ prefix", plain_event("Event-Name: SWITCH_EVENT_DTMF\n\n")),
    ("inner plain: no Event-Name", plain_event("A: 1\n\n")),
    ("inner plain: two Event-Name", plain_event("Event-Name: DTMF\nEvent-Name: HEARTBEAT\n\n")),
    ("inner plain: CR line ends", plain_event("Event-Name: HEARTBEAT\r\nA: 1\r\n\r\n")),
    ("inner json: event", b"Content-Length: 59\nContent-Type: text/event-json\n\n" + b'{"Event-Name":"DTMF","A":"%41","B":["x","y"],"_body":"z%%"}'),
    ("inner json: not url-decoded, ARRAY string", b"Content-Length: 34\nContent-Type: text/event-json\n\n" + b'{"A":"ARRAY::p|:q","Event-Name":1}'),
    ("many headers", b"Content-Type: x/y\n" + b"".join(b"H%d: v%d\n" % (i, i) for i in range(300)) + b"\n"),
    ("trailing bytes start next packet", b"Content-Type: x/y\nContent-Length: 2\n\nabContent-Type: second/one\n\n"),
]
script = [send(F.AUTH_REQUEST), reply(F.AUTH_ACCEPTED)]
for i, (_, frame) in enumerate(raw):
    script += [gate("p%d" % i), send(frame)]
script += [wait_eof()]
srv = Server(script)
con = ESL.ESLconnection("127.0.0.1", srv.port, "ClueCon")
for i, (label, _) in enumerate(raw):
    srv.open("p%d" % i)
    call(label, con.recvEvent)
call("second packet of the last frame", con.recvEvent)
call("connected", con.connected)
ev = ESL.ESLevent("json", '{"X":"1"}')
call("getHeader X idx from received arrays", lambda: None)
con.disconnect()
srv.finish()
