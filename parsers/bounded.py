"""Running a document reader in a child process, with limits on its memory and time.

pdfminer (under pdfplumber) is pure Python with no limits of its own: a 57 kB PDF whose one
content stream inflates to 20 MB of drawing operators took 63 s and 1.4 GB to read (measured),
and a slightly bigger one takes the machine. A reader run through ``run`` works in a forked
child with an address-space limit and a wall-clock deadline, and its result comes back
pickled. A child that overruns is killed and the document gets ``UnreadableDocument`` saying
which limit it hit; the process that asked (a crawl's load of thousands of documents) goes on.

The limits come from the environment, read at each call: ``NIANBAO_READ_SECONDS`` (default
300: OCR of a long scanned report takes minutes) and ``NIANBAO_READ_MEMORY_MB`` (default 2048,
on top of what the process already uses).
"""

from __future__ import annotations

import os
import pickle
import resource
import select
import signal
import time
from typing import Callable, TypeVar

from parsers.models import UnreadableDocument

T = TypeVar("T")


def limits() -> tuple[float, int]:
    """(seconds, megabytes) a reader may use, from the environment."""
    return (float(os.environ.get("NIANBAO_READ_SECONDS", "300")),
            int(os.environ.get("NIANBAO_READ_MEMORY_MB", "2048")))


def _address_space() -> int | None:
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[0]) * resource.getpagesize()
    except (OSError, ValueError, IndexError):
        return None


def _outcome(read, args, memory_mb: int) -> bytes:
    """In the child: the pickled ("value", result) or ("error", exception) of ``read(*args)``."""
    used = _address_space()
    if used is not None:
        ceiling = used + memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (ceiling, ceiling))
    try:
        outcome = ("value", read(*args))
    except BaseException as error:  # handed to the caller, as if the reader had run there
        outcome = ("error", UnreadableDocument(
            f"reading needs more than {memory_mb} MB of memory (NIANBAO_READ_MEMORY_MB); stopped")
            if _out_of_memory(error) else error)
    try:
        return pickle.dumps(outcome)
    except Exception as error:  # an exception or result that cannot be pickled
        return pickle.dumps(("error", RuntimeError(
            f"{type(outcome[1]).__name__}: {outcome[1]} (not transferable from the reader: {error})")))


def _out_of_memory(error: BaseException | None) -> bool:
    """Whether ``error`` is, or was raised while handling, a MemoryError: pdfplumber re-raises
    pdfminer's errors as ``PdfminerException`` and the PDF reader names those "damaged PDF"."""
    seen = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, MemoryError):
            return True
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return False


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _read_until_eof(fd: int, seconds: float) -> bytes | None:
    """Everything written to ``fd`` until its writer closes it; None when time runs out."""
    deadline = time.monotonic() + seconds
    chunks = []
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
            return None
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def run(read: Callable[..., T], *args) -> T:
    """``read(*args)`` in a forked child within ``limits()``; its value or its exception.

    Plain ``os.fork`` rather than ``multiprocessing``: the caller may itself be a pool worker,
    and multiprocessing's daemonic workers may not start processes of their own.

    :raises UnreadableDocument: the reader ran out of time or memory, or its process died.
    """
    seconds, memory_mb = limits()
    receiver, sender = os.pipe()
    child = os.fork()
    if child == 0:  # the child: compute, write, and leave without running the parent's cleanup
        try:
            os.close(receiver)
            _write_all(sender, _outcome(read, args, memory_mb))
        finally:
            os._exit(0)
    os.close(sender)
    data = None  # also when interrupted while waiting: the child is killed
    try:
        data = _read_until_eof(receiver, seconds)
    finally:
        os.close(receiver)
        if data is None:
            os.kill(child, signal.SIGKILL)
        _, status = os.waitpid(child, 0)
    if data is None:
        raise UnreadableDocument(f"reading took longer than {seconds:g} s (NIANBAO_READ_SECONDS); stopped")
    try:
        kind, value = pickle.loads(data)
    except (pickle.UnpicklingError, EOFError):  # nothing, or cut short: the child died
        raise UnreadableDocument(
            f"the reader's process died ({_how(status)}), e.g. over the {memory_mb} MB memory "
            "limit (NIANBAO_READ_MEMORY_MB)") from None
    if kind == "error":
        raise value
    return value


def _how(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"signal {signal.Signals(os.WTERMSIG(status)).name}"
    return f"exit code {os.waitstatus_to_exitcode(status)}"
