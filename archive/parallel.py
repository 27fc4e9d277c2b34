"""Running one function over many items in worker processes, results in the items' order.

The loader parses and prepares reports in workers while its own process writes the archive
(SQLite has one writer). Work in flight is bounded (a few chunks per worker), results come
back in the order the items went in, so the archive is written in the same order whatever
the number of workers, and a worker that dies (a parser crashing the interpreter, the
kernel's out-of-memory killer) costs only what it was running: those items are tried again
one by one, each in a fresh process, and an item that kills its process again gets a
``Crashed`` result instead of ending the run. An exception the function raises is raised
again here, as it would be in the calling process.

Workers die with the process that started them (a loader killed with ``kill -9`` leaves no
worker behind) and run at a lower CPU priority than it: the writer is the bottleneck, and
workers only need to stay ahead of it.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from itertools import islice


@dataclass(frozen=True)
class Crashed:
    """The result for an item whose worker process died while handling it."""

    exit_code: int | None

    @property
    def message(self) -> str:
        return f"the worker process died while handling it (exit code {self.exit_code})"


def _context():
    # fork: a worker starts in milliseconds with the parent's modules and data already loaded
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else None)


_PR_SET_PDEATHSIG = 1
WORKER_NICENESS = 5


def _worker_start(parent: int) -> None:
    """In each worker: die with the parent, and yield the CPU to it."""
    if sys.platform.startswith("linux"):
        # the kernel sends SIGKILL when the parent dies, however it dies
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the line above
        os._exit(1)
    os.nice(WORKER_NICENESS)


def _run_chunk(function: Callable, items: list) -> list:
    return [function(item) for item in items]


def _send_result(parent: int, function: Callable, item, connection) -> None:
    _worker_start(parent)
    try:
        connection.send((True, function(item)))
    except BaseException as error:  # handed to the parent, which raises it
        connection.send((False, error))
    finally:
        connection.close()


def _isolated(function: Callable, item):
    """Run ``function(item)`` in a process of its own; ``Crashed`` if that process dies."""
    context = _context()
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=_send_result, args=(os.getpid(), function, item, send),
                              daemon=True)
    process.start()
    send.close()
    try:
        succeeded, value = receive.recv()
    except EOFError:
        process.join()
        return Crashed(process.exitcode)
    finally:
        receive.close()
    process.join()
    if succeeded:
        return value
    raise value


def _finished(future: Future) -> bool:
    return future.done() and not future.cancelled() and future.exception() is None


def ordered_map(function: Callable, items: Iterable, *, jobs: int, chunk: int = 8,
                ahead: int = 2) -> Iterator[tuple]:
    """Yield ``(item, function(item))`` for every item, in the items' order.

    :param function: a module-level function (it is sent to the workers by reference).
    :param items: consumed lazily, at most ``jobs * ahead`` chunks ahead of what was yielded.
    :param jobs: worker processes; 1 runs everything in this process (no crash isolation).
    :param chunk: items sent to a worker at once (fewer, larger messages).
    :param ahead: chunks in flight per worker.
    """
    items = iter(items)
    if jobs <= 1:
        for item in items:
            yield item, function(item)
        return
    pool = None
    pending: deque[tuple[list, Future]] = deque()
    try:
        while True:
            while len(pending) < jobs * ahead:
                part = list(islice(items, chunk))
                if not part:
                    break
                if pool is None:
                    pool = ProcessPoolExecutor(jobs, mp_context=_context(),
                                               initializer=_worker_start,
                                               initargs=(os.getpid(),))
                pending.append((part, pool.submit(_run_chunk, function, part)))
            if not pending:
                return
            part, future = pending.popleft()
            try:
                results = future.result()
            except BrokenProcessPool:
                # Some worker died: what finished stands, the rest is retried item by item.
                unfinished = [(part, future), *pending]
                pending.clear()
                pool.shutdown(wait=True)
                pool = None
                for part, future in unfinished:
                    if _finished(future):
                        yield from zip(part, future.result())
                    else:
                        for item in part:
                            yield item, _isolated(function, item)
                continue
            yield from zip(part, results)
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
