"""ESLevent header add rules (API.md 7.3): addHeader / pushHeader / unshiftHeader, arrays, indexes."""
from harness import call, record, import_esl

ESL = import_esl()


def fresh():
    return ESL.ESLevent("CUSTOM", "t::h")


e = fresh()
call("addHeader None value", e.addHeader, "X", None)
call("pushHeader None value", e.pushHeader, "X", None)
call("unshiftHeader None value", e.unshiftHeader, "X", None)
call("addHeader _body", e.addHeader, "_body", "the body")
call("getBody after _body", e.getBody)
call("addHeader _BODY (case)", e.addHeader, "_BODY", "not a body")
record("after _body", e)

e = fresh()
for v in ["a", "b"]:
    call("add X=" + v, e.addHeader, "X", v)
call("add x='' deletes all X", e.addHeader, "x", "")
record("after delete by empty", e)

for value in ["ARRAY::a|:b", "fooARRAY::bar|:baz", "ARRAY::", "ARRAY::a|:", "ARRAY::|:|:", "ARRAY::a|:|:c",
              "ARRAY::one", "xARRAY::", "array::a|:b", "ARRAY::a|b|:c:d"]:
    e = fresh()
    call("addHeader A=%r" % value, e.addHeader, "A", value)
    record("event A=%r" % value, e)
    call("getHeader A idx 0 (%r)" % value, e.getHeader, "A", 0)
    call("getHeader A idx 1 (%r)" % value, e.getHeader, "A", 1)
    e = fresh()
    e.addHeader("A", "pre")
    call("existing + addHeader A=%r" % value, e.addHeader, "A", value)
    record("existing event A=%r" % value, e)

e = fresh()
call("push new", e.pushHeader, "P", "a")
call("push second", e.pushHeader, "P", "b")
call("push empty onto existing", e.pushHeader, "P", "")
call("push empty new", e.pushHeader, "Q", "")
call("push ARRAY new", e.pushHeader, "R", "ARRAY::x|:y")
call("push ARRAY existing", e.pushHeader, "P", "ARRAY::m|:n")
record("push results", e)

e = fresh()
e.addHeader("X", "1")
e.addHeader("X", "2")
call("push onto first X", e.pushHeader, "X", "3")
record("push goes to first X", e)

e = fresh()
call("push X a", e.pushHeader, "X", "a")
call("push X b", e.pushHeader, "X", "b")
call("unshift X z", e.unshiftHeader, "X", "z")
record("unshift appends", e)
e = fresh()
call("unshift new goes to front", e.unshiftHeader, "U", "a")
call("unshift new ARRAY", e.unshiftHeader, "V", "ARRAY::p|:q")
call("unshift new empty", e.unshiftHeader, "W", "")
record("unshift new headers", e)

e = fresh()
e.addHeader("X", "a")
call("X[3]=v over plain", e.addHeader, "X[3]", "v")
record("indexed over plain", e)
for name in ["Y[0]", "Y[2]", "Y[abc]", "Y[4000]", "Y[4001]", "Y[-1]", "Z[1", "[1]", "Y[1]x"]:
    e = fresh()
    call("addHeader %s" % name, e.addHeader, name, "v")
    record("after %s" % name, e)
e = fresh()
e.pushHeader("M", "a")
e.pushHeader("M", "b")
call("M[1]=B set element", e.addHeader, "M[1]", "B")
call("M[5]=F extend", e.addHeader, "M[5]", "F")
call("push on indexed", e.pushHeader, "M[0]", "q")
record("indexed array edits", e)

e = fresh()
for name in ["", "with space", "co:lon", "new\nline", "Event-Name"]:
    call("addHeader name %r" % name, e.addHeader, name, "v")
call("value with newline", e.addHeader, "NL", "a\nb")
call("value with NUL", e.addHeader, "NUL", "a\x00b")
call("value unicode", e.addHeader, "U8", "h\u00e9llo \u20ac")
call("getHeader unicode", e.getHeader, "U8")
call("getHeader Event-Name (first)", e.getHeader, "Event-Name")
call("getType after adding Event-Name", e.getType)
call("json with odd names", e.serialize, "json")
e.delHeader("U8")
call("plain with odd names (ASCII only)", e.serialize)
