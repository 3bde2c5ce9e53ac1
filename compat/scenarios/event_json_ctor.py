"""ESLevent("json", text): the JSON constructor (API.md 7.2; 1.4.18 uses an older cJSON)."""
from harness import call, import_esl

ESL = import_esl()

texts = [
    '{"Event-Name":"HEARTBEAT","A":"1"}',
    '  {"Event-Name":"CUSTOM","Event-Subclass":"x::y"}  ',
    '{"A":"1"} trailing garbage',
    '{"A":"1",}',
    "{'A':'1'}",
    '{"a":"\\q"}',
    '{"a":"x\\u0000y"}',
    '{"a":"\\u00e9\\u20ac"}',
    '{"a":"caf\u00e9"}',
    '[1, 2]',
    '"just a string"',
    'null',
    '{}',
    '{"Event-Name":"BACKGROUND_JOB","Multi":["a","b"],"Content-Length":"9","_body":"+OK done\\n"}',
    '{"Event-Name":"nonsense","X":"y"}',
    '{"event-name":"heartbeat"}',
    '{"Event-Name":"CUSTOM","Event-Name":"HEARTBEAT"}',
    '{"A":"1","A":"2","a":""}',
    '{"N":1,"B":true,"Z":null,"O":{"x":"y"},"S":"s"}',
    '{"Arr":["x",1,"y",null,["z"]]}',
    '{"Arr":[]}',
    '{"_body":"100%% sure %s and %s done"}',
    '{"_BODY":"upper"}',
    '{"_body":"plain"}',
    '{"_body":""}',
    '{"V":"ARRAY::p|:q"}',
    '{"V":"xARRAY::p|:q"}',
    '{"E":""}',
    '{"Event-Name":"TEXT"}',
    '{"Event-Name":"SWITCH_EVENT_DTMF"}',
    '{"Content-Length":"3","_body":"abcdef"}',
    '{"A":"1"',
    '',
    ' ',
    '{"nested":{"deep":["a"]},"after":"ok"}',
]
for t in texts:
    call("json %r" % t, ESL.ESLevent, "json", t)
call("JSON uppercase type", ESL.ESLevent, "JSON", '{"A":"1"}')
call("json None text", ESL.ESLevent, "json", None)
ev = ESL.ESLevent("json", '{"A":"1"}')
call("json mine", lambda: ev.mine)
bad = ESL.ESLevent("json", "{bad")
call("bad json mine", lambda: bad.mine)
call("bad json event attr", lambda: bad.event)
