"""ESLevent(e.event, 1) frees the event twice in the reference; ours must not crash."""
import gc

from harness import crash_case, import_esl

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


crash_case('_double_free()', _double_free)
