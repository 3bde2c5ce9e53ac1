"""firstHeader / nextHeader cursor semantics (API.md 7.4)."""
from harness import call, note, import_esl

ESL = import_esl()

e = ESL.ESLevent("CUSTOM", "i::t")
e.addHeader("A", "1")
e.addHeader("A", "2")
e.pushHeader("B", "x")
e.pushHeader("B", "y")
call("nextHeader before firstHeader", e.nextHeader)
names = []
h = call("firstHeader", e.firstHeader)
while h:
    names.append([h, e.getHeader(h)])
    h = e.nextHeader()
note("typical loop", names)
call("nextHeader after end", e.nextHeader)
call("nextHeader after end again", e.nextHeader)
call("add after end", e.addHeader, "Late", "1")
call("nextHeader after adding past end", e.nextHeader)
call("firstHeader restarts", e.firstHeader)
for i in range(4):
    call("next %d" % i, e.nextHeader)
call("add while on last", e.addHeader, "New", "n")
call("next sees new", e.nextHeader)
call("next after new", e.nextHeader)

empty = ESL.ESLevent("CLONE")
call("firstHeader no headers", empty.firstHeader)
call("nextHeader no headers", empty.nextHeader)

f = ESL.ESLevent("HEARTBEAT")
f.addHeader("Z", "z")
call("firstHeader f", f.firstHeader)
call("delete a header not under the cursor", f.delHeader, "Event-Name")
call("firstHeader after delete", f.firstHeader)
call("nextHeader end", f.nextHeader)

g = ESL.ESLevent("HEARTBEAT")
g.addHeader("Y", "y")
call("g firstHeader", g.firstHeader)
gc = ESL.ESLevent(g.event)
call("wrapper nextHeader (own cursor)", gc.nextHeader)
call("wrapper firstHeader", gc.firstHeader)
call("original nextHeader unaffected", g.nextHeader)
