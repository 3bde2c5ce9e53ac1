"""serialize(): plain URL-encoding of every ASCII byte, JSON layout and escaping, format names (API.md 7.5)."""
from harness import call, note, record, import_esl

ESL = import_esl()

e = ESL.ESLevent("CUSTOM", "s::z")
for b in range(1, 128):
    e.addHeader("B%02X" % b, "<%s>" % chr(b))
plain = e.serialize()
note("plain per byte", {line.split(": ", 1)[0]: line.split(": ", 1)[1] for line in plain.split("\n") if line.startswith("B")})
call("json all bytes", e.serialize, "json")

for fmt in [None, "plain", "PLAIN", "json", "JSON", "Json", "xml", "", "bogus", "json ", "a\x00b"]:
    call("serialize(%r)" % (fmt,), ESL.ESLevent("HEARTBEAT").serialize, fmt)
call("serialize(format='json') keyword", lambda: ESL.ESLevent("HEARTBEAT").serialize(format="json"))
call("serialize(1)", ESL.ESLevent("HEARTBEAT").serialize, 1)
call("serialize(b'json')", ESL.ESLevent("HEARTBEAT").serialize, b"json")
call("serialize('json', 2)", ESL.ESLevent("HEARTBEAT").serialize, "json", 2)

b = ESL.ESLevent("CUSTOM", "b::y")
b.addBody("line1\nline2\n")
record("body with newlines", b)
b.addBody("")
record("empty body", b)
b.addHeader("Content-Length", "99")
b.addBody("xyz")
record("own Content-Length header + body", b)

j = ESL.ESLevent("CUSTOM", "j::s")
j.addHeader("Esc", "q\" b\\ bs\x08 ff\x0c nl\n cr\r tab\t us\x1f del\x7f slash/ uni\u00e9\u20ac")
j.pushHeader("One", "1")
j.pushHeader("Arr", "a")
j.pushHeader("Arr", "b\"c")
j.addBody("b\"o\\dy\n")
call("json escaping", j.serialize, "json")
call("serialized_string after json", lambda: j.serialized_string)
call("plain escaping (no non-ASCII)", ESL.ESLevent("CUSTOM", "q::r").serialize)
call("empty object json", ESL.ESLevent("CLONE").serialize, "json")
call("empty object plain", ESL.ESLevent("CLONE").serialize)
