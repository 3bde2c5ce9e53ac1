"""Plain serialize() of non-ASCII values: the reference URL-encodes with a negative table index (garbage bytes)."""
from harness import call, import_esl

ESL = import_esl()
e = ESL.ESLevent("CUSTOM", "\u00fcn\u00ef::c\u00f6d\u00e9")
e.addHeader("Euro", "\u20ac")
call("plain", e.serialize)
call("json (fine)", e.serialize, "json")
call("getHeader (fine)", e.getHeader, "Euro")
