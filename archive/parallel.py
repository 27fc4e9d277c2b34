"""Running one function over many items in worker processes, results in the items' order.

The loader parses and prepares reports in workers while its own process writes the archive
(SQLite has one writer). Work in flight is bounded (a few chunks per worker), results come
back in the order the items went in, so the archive is written in the same order whatever
the number of workers, and a worker that dies (a parser crashing the interpreter, the
kernel's out-of-memory killer) costs only the chunk it was running: those items are tried
again one by one, each in a fresh process, and an item that kills its process again gets a
``Crashed`` result instead of ending the run. An exception the function raises is raised
again here, in the item's turn, as it would be in the calling process.

Each worker is one process with one pipe and at most one chunk at a time, so this process
knows which items a dead worker held, and an item that cannot be pickled raises at once
instead of hanging (as ``concurrent.futures.ProcessPoolExecutor`` was seen to, in its
shutdown). One thread per worker receives its results, so unpickling them overlaps the
caller's SQL. Workers die with the process that started them (a loader killed with
``kill -9`` leaves no worker behind) and run at a lower CPU priority than it: the writer is
the bottleneck, and workers only need to stay ahead of it.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import queue
import signal
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice

_PR_SET_PDEATHSIG = 1
WORKER_NICENESS = 5
# This process's ends of its workers' pipes. A forked child inherits them all and closes
# them at once: a worker sees the end of its work only when every copy of the other end of
# its pipe is closed.
_OUR_ENDS: set = set()


@dataclass(frozen=True)
class Crashed:
    """The result for an item whose worker process died while handling it."""

    exit_code: int | None

    @property
    def message(self) -> str:
        return f"the worker process died while handling it (exit code {self.exit_code})"


@dataclass(frozen=True)
class _Raised:
    """What a worker sends back when the function raised."""

    error: BaseException


def _context():
    # fork: a worker starts in milliseconds with the parent's modules and data already loaded
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else None)


def _worker_start(parent: int) -> None:
    """In each worker: die with the parent, yield the CPU to it, drop its pipes' ends."""
    for end in list(_OUR_ENDS):
        end.close()
    _OUR_ENDS.clear()
    if sys.platform.startswith("linux"):
        # the kernel sends SIGKILL when the parent dies, however it dies
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the line above
        os._exit(1)
    os.nice(WORKER_NICENESS)


def _serve(parent: int, function: Callable, connection) -> None:
    """A worker's loop: a chunk of items in, their results (or what was raised) out."""
    _worker_start(parent)
    while True:
        try:
            part = connection.recv()
        except EOFError:  # the parent died
            return
        if part is None:  # the parent is done
            return
        results = []
        for item in part:
            try:
                results.append(function(item))
            except Exception as error:  # raised again in the parent, in the item's turn
                results.append(_Raised(error))
                break
        connection.send(results)


def _send_result(parent: int, function: Callable, item, connection) -> None:
    _worker_start(parent)
    try:
        result = function(item)
    except Exception as error:
        result = _Raised(error)
    connection.send(result)


def _isolated(function: Callable, item):
    """Run ``function(item)`` in a process of its own; ``Crashed`` if that process dies."""
    context = _context()
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=_send_result, args=(os.getpid(), function, item, send),
                              daemon=True)
    process.start()
    send.close()
    try:
        result = receive.recv()
    except EOFError:
        process.join()
        return Crashed(process.exitcode)
    finally:
        receive.close()
    process.join()
    return result


_DIED = object()


class _Worker:
    """One worker process, its pipe, and a thread here that receives (and unpickles) its
    results beside the caller's work: SQLite releases the GIL while it writes. ``index`` is
    the chunk the worker holds, if any."""

    def __init__(self, context, function: Callable, inbox: queue.SimpleQueue):
        self.connection, theirs = context.Pipe()
        _OUR_ENDS.add(self.connection)
        self.process = context.Process(target=_serve, args=(os.getpid(), function, theirs),
                                       daemon=True)
        self.process.start()
        theirs.close()
        self.index: int | None = None
        self.reader = threading.Thread(target=self._receive, args=(inbox,), daemon=True)
        self.reader.start()

    def _receive(self, inbox: queue.SimpleQueue) -> None:
        while True:
            try:
                inbox.put((self, self.connection.recv()))
            except (EOFError, OSError):  # the worker ended or died
                inbox.put((self, _DIED))
                return

    def close(self) -> None:
        self.process.join()
        self.reader.join()
        _OUR_ENDS.discard(self.connection)
        self.connection.close()


def _stop(workers: list[_Worker]) -> None:
    """End every worker: busy ones are killed (their work is no longer wanted), idle ones
    are told to return."""
    for worker in workers:
        if worker.index is not None:
            worker.process.kill()
        else:
            try:
                worker.connection.send(None)
            except OSError:  # it died meanwhile
                pass
    for worker in workers:
        worker.close()


def ordered_map(function: Callable, items: Iterable, *, jobs: int, chunk: int = 8,
                ahead: int = 2) -> Iterator[tuple]:
    """Yield ``(item, function(item))`` for every item, in the items' order.

    :param function: a module-level function (it is sent to the workers by reference).
    :param items: consumed lazily, at most ``jobs * ahead`` chunks ahead of what was yielded.
    :param jobs: worker processes; 1 runs everything in this process (no crash isolation).
    :param chunk: items sent to a worker at once (fewer, larger messages).
    :param ahead: chunks prepared or in progress per worker, beyond what was yielded.
    """
    items = iter(items)
    if jobs <= 1:
        for item in items:
            yield item, function(item)
        return
    context = _context()
    inbox: queue.SimpleQueue = queue.SimpleQueue()
    workers: list[_Worker] = []
    parts: dict[int, list] = {}  # chunks handed out and not yet yielded
    done: dict[int, list] = {}
    handed = yielded = 0
    exhausted = False

    def collect(block: bool) -> None:
        """Take the results that arrived (with ``block``, wait for at least one)."""
        while True:
            try:
                worker, results = inbox.get(block=block)
            except queue.Empty:
                return
            block = False
            if results is _DIED:  # its chunk, if any, is retried item by item
                worker.close()
                if worker in workers:
                    workers.remove(worker)
                if worker.index is not None:
                    results = [_isolated(function, item) for item in parts[worker.index]]
            if worker.index is not None:
                done[worker.index] = results
            worker.index = None

    def hand_out() -> None:
        nonlocal handed, exhausted
        while not exhausted and handed - yielded < jobs * ahead:
            idle = [w for w in workers if w.index is None]
            if not idle and len(workers) == jobs:
                return
            part = list(islice(items, chunk))
            if not part:
                exhausted = True
                return
            worker = idle[0] if idle else _Worker(context, function, inbox)
            if not idle:
                workers.append(worker)
            try:
                worker.connection.send(part)
            except OSError:  # it died while idle: a fresh one takes the chunk
                workers.remove(worker)
                worker = _Worker(context, function, inbox)
                workers.append(worker)
                worker.connection.send(part)
            worker.index, parts[handed] = handed, part
            handed += 1

    try:
        while True:
            hand_out()
            if exhausted and yielded == handed:
                return
            if yielded not in done:
                collect(block=True)
                continue
            for item, result in zip(parts.pop(yielded), done.pop(yielded)):
                if isinstance(result, _Raised):
                    raise result.error
                yield item, result
                collect(block=False)  # keep the workers fed while the caller works
                hand_out()
            yielded += 1
    finally:
        _stop(workers)
