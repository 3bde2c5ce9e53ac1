"""an unbound method with self=None segfaults the reference; ours must not crash."""
import gc

from harness import call, import_esl

ESL = import_esl()


def _double_free():
    e = ESL.ESLevent("CUSTOM", "d::f")
    w = ESL.ESLevent(e.event, 1)
    s = w.serialize()
    del w
    gc.collect()
    e.addHeader("After", "free")
    ESL.ESLevent("CUSTOM", "other").addHeader("X", "y" * 100)
    del e
    gc.collect()
    return s


call("before", ESL.ESLevent("HEARTBEAT").getType)
call("ESL.ESLevent.getType(None)", lambda: ESL.ESLevent.getType(None))
call("after", ESL.ESLevent("HEARTBEAT").getType)
