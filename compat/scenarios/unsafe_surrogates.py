"""Lone surrogates in str arguments: TypeError in 1.4.18 (master segfaults)."""
from harness import call, import_esl

ESL = import_esl()
e = ESL.ESLevent("CUSTOM")
call("addHeader value", e.addHeader, "X", "\udcff")
call("addHeader name", e.addHeader, "\udcff", "x")
call("getHeader", e.getHeader, "\udcff")
call("ESLevent type", ESL.ESLevent, "\udcff")
call("serialize format", e.serialize, "\udcff")
call("still fine", e.serialize)
