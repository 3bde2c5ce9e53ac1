"""Module surface: public names, classes, method signatures, argument-count errors, attributes (API.md 1, 2)."""
import inspect

from harness import call, note, import_esl

ESL = import_esl()
# The reference's public names (a package may have more, e.g. its submodules).
note("reference names present", {n: hasattr(ESL, n) for n in (
    "ESLconnection", "ESLconnection_swigregister", "ESLevent", "ESLevent_swigregister", "eslSetLogLevel")})
call("type(ESLevent) is type", lambda: type(ESL.ESLevent) is type)
call("ESLevent.__module__", lambda: ESL.ESLevent.__module__)
call("ESLconnection.__module__", lambda: ESL.ESLconnection.__module__)
call("ESLevent.__mro__ names", lambda: [c.__name__ for c in ESL.ESLevent.__mro__])
call("eslSetLogLevel callable", lambda: callable(ESL.eslSetLogLevel))


def _params(func):
    sig = inspect.signature(func)
    return str(sig.replace(return_annotation=inspect.Signature.empty, parameters=[
        p.replace(annotation=inspect.Parameter.empty) for p in sig.parameters.values()]))


for cls in (ESL.ESLevent, ESL.ESLconnection):
    for name in sorted(n for n in vars(cls) if not n.startswith("_")):
        obj = getattr(cls, name)
        if callable(obj):
            # Parameters only: type annotations change no call, and ours carries them.
            call("signature %s.%s" % (cls.__name__, name), lambda o=obj: _params(o))
e = ESL.ESLevent("CUSTOM")
for meth, args in [("getBody", (1,)), ("getType", (1,)), ("firstHeader", (1,)), ("nextHeader", (1,)),
                   ("addHeader", ("a",)), ("addHeader", ("a", "b", "c")), ("pushHeader", ()), ("unshiftHeader", ("a",)),
                   ("delHeader", ()), ("delHeader", ("a", "b")), ("addBody", ()), ("getHeader", ()),
                   ("getHeader", ("a", 1, 2))]:
    call("%s%r" % (meth, args), getattr(e, meth), *args)
call("addHeader(1, 'a')", e.addHeader, 1, "a")
call("addHeader('a', 1)", e.addHeader, "a", 1)
call("addHeader('a', b'x')", e.addHeader, "a", b"x")
call("keyword addHeader", lambda: e.addHeader(header_name="K", value="v"))
call("ESLevent(type=...) keyword", lambda: ESL.ESLevent(type="CUSTOM"))
for args in [(1,), (1, 2, 3), (b"CUSTOM",), ("CUSTOM", 5), ("CUSTOM", b"x"), (e,  1), (e.event, "x"), (e.event, 2 ** 31)]:
    shown = tuple(a if isinstance(a, (str, int, bytes)) else ("<event>" if a is e else "<handle>") for a in args)
    call("ESLevent%r" % (shown,), ESL.ESLevent, *args)
c = ESL.ESLconnection("127.0.0.1", 1, "x")  # refused: a disconnected object
for meth, args in [("connected", (1,)), ("send", ()), ("send", (1,)), ("api", ()), ("api", ("a", "b", "c")),
                   ("bgapi", ("a", "b", "c", "d")), ("execute", ()), ("events", ("plain",)), ("filter", ("a",)),
                   ("recvEventTimed", ()), ("setEventLock", ()), ("sendEvent", ()), ("getInfo", (1,))]:
    call("conn.%s%r" % (meth, args), getattr(c, meth), *args)
call("unbound wrong self", ESL.ESLevent.getType, c)
call("conn unknown attribute", lambda: c.nope)
call("conn thisown", lambda: c.thisown)
call("conn this repr", lambda: repr(c.this))
call("event this repr", lambda: repr(e.this))
call("event __del__ exists", lambda: hasattr(e, "__del__"))
# Last: it turns logging on in ours (level 0 logs nothing that follows anyway).
call("eslSetLogLevel(level=0) keyword", lambda: ESL.eslSetLogLevel(level=0))
