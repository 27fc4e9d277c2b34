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

import multiprocessing
import os
import resource
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


def _child(sender, read, args, memory_mb: int) -> None:
    used = _address_space()
    if used is not None:
        ceiling = used + memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (ceiling, ceiling))
    try:
        outcome = ("value", read(*args))
    except MemoryError:
        outcome = ("error", UnreadableDocument(
            f"reading needs more than {memory_mb} MB of memory (NIANBAO_READ_MEMORY_MB); stopped"))
    except BaseException as error:  # handed to the caller, as if the reader had run there
        outcome = ("error", error)
    try:
        sender.send(outcome)
    except Exception as error:  # an exception or result that cannot be pickled
        sender.send(("error", RuntimeError(f"{type(outcome[1]).__name__}: {outcome[1]} "
                                           f"(not transferable from the reader: {error})")))


def run(read: Callable[..., T], *args) -> T:
    """``read(*args)`` in a forked child within ``limits()``; its value or its exception.

    :raises UnreadableDocument: the reader ran out of time or memory, or its process died.
    """
    seconds, memory_mb = limits()
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(sender, read, args, memory_mb), daemon=True)
    child.start()
    sender.close()
    try:
        if not receiver.poll(seconds):
            raise UnreadableDocument(
                f"reading took longer than {seconds:g} s (NIANBAO_READ_SECONDS); stopped")
        try:
            kind, value = receiver.recv()
        except EOFError:
            child.join()
            raise UnreadableDocument(
                f"the reader's process died (exit code {child.exitcode}), e.g. over the "
                f"{memory_mb} MB memory limit (NIANBAO_READ_MEMORY_MB)") from None
    finally:
        if child.is_alive():
            child.kill()
        child.join()
        receiver.close()
    if kind == "error":
        raise value
    return value
