"""A small deterministic scheduler: every channel and job is a generator run on one thread.

FreeSWITCH runs each session in its own thread; the order in which their events reach a socket
then depends on timing. Running them as generators on one loop thread keeps that order
reproducible run after run, while tone durations and timers still take real time.

A task yields ``None`` (let others run), a number of seconds (sleep) or a :class:`Signal`
(wait until it is set). ``yield from`` composes sub-steps.
"""
import heapq
import itertools
import threading
import time
from collections import deque
from typing import Any, Callable, Deque, Generator, List, Optional, Tuple  # noqa: F401

__all__ = ["Loop", "Signal", "Task"]


class Signal:
    """A one-shot condition tasks can wait on; :meth:`set` wakes them in waiting order."""

    __slots__ = ("is_set", "value", "_waiters", "_loop")

    def __init__(self, loop: "Loop") -> None:
        self.is_set = False
        self.value = None   # type: Any
        self._waiters = []  # type: List[Task]
        self._loop = loop

    def set(self, value: Any = None) -> None:
        """Mark the signal set (first call wins) and wake every waiting task."""
        if self.is_set:
            return
        self.is_set = True
        self.value = value
        waiters, self._waiters = self._waiters, []
        for task in waiters:
            self._loop._ready.append((task, value))


class Task:
    """A generator scheduled on the loop. ``done`` is a threading.Event for other threads."""

    __slots__ = ("gen", "name", "done", "result", "error", "finished", "sync")

    def __init__(self, gen: Generator, name: str, loop: "Loop") -> None:
        self.sync = False
        self.gen = gen
        self.name = name
        self.done = threading.Event()
        self.result = None  # type: Any
        self.error = None   # type: Optional[BaseException]
        self.finished = Signal(loop)


class Loop:
    """The scheduler thread. Start with :meth:`start`, stop with :meth:`stop`."""

    def __init__(self) -> None:
        self._ready = deque()  # type: Deque[Tuple[Task, Any]]
        self._timers = []      # type: List[Tuple[float, int, Task]]
        self._counter = itertools.count()
        self._cond = threading.Condition()
        self._inbox = deque()  # type: Deque[Callable[[], None]]
        self._idle_done = []   # type: List[Task]
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="esl-sim-core", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify()
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(5)

    @property
    def in_loop(self) -> bool:
        """True when called from the loop thread itself."""
        return threading.current_thread() is self._thread

    def signal(self) -> Signal:
        return Signal(self)

    def spawn(self, gen: Generator, name: str = "task") -> Task:
        """Schedule a generator. Safe from any thread; returns its :class:`Task`."""
        task = Task(gen, name, self)
        if self.in_loop:
            self._ready.append((task, None))
        else:
            self.post(lambda: self._ready.append((task, None)))
        return task

    def post(self, fn: Callable[[], None]) -> None:
        """Run ``fn`` on the loop thread soon (from any thread)."""
        with self._cond:
            self._inbox.append(fn)
            self._cond.notify()

    def run_sync(self, gen: Generator, name: str = "call", timeout: Optional[float] = None):
        """Run a generator as a task and wait for its result from another thread.

        Returns the generator's return value; re-raises its exception. Raises TimeoutError if
        it does not finish within ``timeout`` seconds.
        """
        task = Task(gen, name, self)
        task.sync = True
        if self.in_loop:
            raise RuntimeError("run_sync called from the loop thread")
        self.post(lambda: self._ready.append((task, None)))
        if not task.done.wait(timeout):
            raise TimeoutError("%s did not finish" % name)
        if task.error is not None:
            raise task.error
        return task.result

    def call(self, fn: Callable[[], Any], timeout: Optional[float] = 10.0) -> Any:
        """Run a plain function on the loop thread and return its result."""
        if self.in_loop:
            return fn()

        def gen():
            return fn()
            yield  # makes this a generator
        return self.run_sync(gen(), "call", timeout)

    # -- the loop --------------------------------------------------------------------------
    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._inbox and not self._ready and not self._stopping:
                    wait = None
                    if self._timers:
                        wait = self._timers[0][0] - time.monotonic()
                        if wait <= 0:
                            break
                    self._cond.wait(wait)
                if self._stopping:
                    return
                inbox, self._inbox = self._inbox, deque()
            for fn in inbox:
                fn()
            now = time.monotonic()
            while self._timers and self._timers[0][0] <= now:
                _, _, task = heapq.heappop(self._timers)
                self._ready.append((task, None))
            # Run what is ready now; tasks made ready meanwhile run in the same pass, in order.
            while self._ready:
                task, value = self._ready.popleft()
                self._step(task, value)
            # A waiting thread hears of its result only once everything it set in motion has
            # run as far as it can: the switch is always quicker than the next command.
            done, self._idle_done = self._idle_done, []
            for task in done:
                task.done.set()

    def _step(self, task: Task, value: Any) -> None:
        try:
            what = task.gen.send(value)
        except StopIteration as stop:
            task.result = stop.value
            self._finish(task)
            return
        except BaseException as exc:  # a failing task must not kill the switch
            task.error = exc
            self._finish(task)
            return
        if what is None:
            self._ready.append((task, None))
        elif isinstance(what, Signal):
            if what.is_set:
                self._ready.append((task, what.value))
            else:
                what._waiters.append(task)
        else:
            heapq.heappush(self._timers,
                           (time.monotonic() + float(what), next(self._counter), task))

    def _finish(self, task: Task) -> None:
        if task.sync:
            self._idle_done.append(task)
        else:
            task.done.set()
        task.finished.set(task.result)
