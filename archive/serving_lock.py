"""Keeping loads out of an archive Datasette is serving, and servers off an archive being loaded.

``nianbao serve`` runs Datasette with ``--immutable``: SQLite then assumes the file never
changes, so a load writing it meanwhile makes the server read torn pages (wrong rows,
"database disk image is malformed"). Two lock files beside the archive keep the two apart,
with ``flock`` locks, which the kernel drops when the process holding them ends, however it
ends (``kill -9`` included): no stale lock is ever left behind.

- ``<archive>.serving.lock``: every Datasette process serving the archive holds a shared
  lock on it for its lifetime (the file descriptor is passed to the server process).
- ``<archive>.loading.lock``: every load (``load``, ``ingest``, ``reparse``) holds a shared
  lock on it while it writes.

Each side takes its own lock first, then checks the other file is free by taking and
dropping an exclusive lock on it at once; whichever comes second is refused
(``ArchiveInUse``), so several servers share a file, several loads may queue on SQLite's
own lock as before, and never a load and a server. Readers (``export``, queries) take no
lock. Each lock file also holds one JSON line per holder (pid, and a server's port), so a
refusal can say who holds it; lines of holders that ended are dropped by the next process
that finds the file free.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# A competitor's check holds the other side's file exclusively for microseconds: retry
# this long before taking a held lock for a server's or a load's.
_CHECK_RETRIES = 10
_CHECK_PAUSE = 0.02


class ArchiveInUse(RuntimeError):
    """A load refused because the archive is served, or a server because a load writes it."""


def serving_lock_path(db_path: str | Path) -> Path:
    """The lock file servers of ``db_path`` hold (beside the archive's real path)."""
    real = Path(db_path).resolve()
    return real.with_name(real.name + ".serving.lock")


def loading_lock_path(db_path: str | Path) -> Path:
    """The lock file loads into ``db_path`` hold while they write."""
    real = Path(db_path).resolve()
    return real.with_name(real.name + ".loading.lock")


def _open(path: Path) -> int | None:
    """The lock file opened for locking and appending; None where it cannot be created (a
    read-only directory, where no one else could have created it either)."""
    try:
        return os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC, 0o666)
    except PermissionError:
        try:
            return os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        except OSError:
            return None
    except OSError:
        return None


def _try_lock(fd: int, operation: int) -> bool:
    for attempt in range(_CHECK_RETRIES):
        try:
            fcntl.flock(fd, operation | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if attempt + 1 < _CHECK_RETRIES:
                time.sleep(_CHECK_PAUSE)
    return False


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def _holders(fd: int) -> list[dict]:
    """The recorded holders still running (a line of a holder that ended is ignored)."""
    data = os.pread(fd, 1 << 16, 0).decode("utf-8", "replace")
    holders, seen = [], set()
    for line in data.splitlines():
        try:
            holder = json.loads(line)
            pid = int(holder["pid"])
        except (ValueError, KeyError, TypeError):
            continue
        if pid not in seen and _alive(pid):
            seen.add(pid)
            holders.append(holder)
    return holders


def _record(fd: int, holder: dict) -> None:
    try:
        os.write(fd, (json.dumps(holder, ensure_ascii=False) + "\n").encode("utf-8"))
    except OSError:  # opened read-only: the lock holds all the same, unnamed
        pass


def _free(path: Path) -> tuple[bool, list[dict]]:
    """Whether nobody holds ``path``; if not, who does. A free file's lines are dropped."""
    fd = _open(path)
    if fd is None:
        return True, []
    try:
        if _try_lock(fd, fcntl.LOCK_EX):
            try:
                os.ftruncate(fd, 0)
            except OSError:
                pass
            return True, []
        return False, _holders(fd)
    finally:
        os.close(fd)  # drops the check's lock


def _servers(holders: list[dict]) -> str:
    if not holders:
        return "a Datasette server (pid unknown: it is starting or ran as another user)"
    named = []
    for holder in holders:
        port = f" on port {holder['port']}" if holder.get("port") else ""
        named.append(f"pid {holder['pid']}{port}")
    return "Datasette (" + ", ".join(named) + ")"


def _loads(holders: list[dict]) -> str:
    if not holders:
        return "a load (pid unknown)"
    return ", ".join(f"nianbao {h.get('command') or 'load'} (pid {h['pid']})" for h in holders)


@contextmanager
def writing(db_path: str | Path, command: str = "load") -> Iterator[None]:
    """Hold the archive for a load while the ``with`` block writes it.

    :param db_path: the archive.
    :param command: what writes (``load``, ``ingest``, ``reparse``), named to a server refused.
    :raises ArchiveInUse: a server holds it; nothing was written.
    """
    fd = _open(loading_lock_path(db_path))
    if fd is not None:
        fcntl.flock(fd, fcntl.LOCK_SH)  # waits only while a server's check holds it
    try:
        free, servers = _free(serving_lock_path(db_path))
        if not free:
            raise ArchiveInUse(
                f"{db_path} is being served by {_servers(servers)}, which assumes the file "
                f"never changes: stop it and run this again (to keep publishing meanwhile, "
                f"serve a copy: nianbao export COPY.db, then nianbao serve --db COPY.db)")
        if fd is not None:
            _record(fd, {"pid": os.getpid(), "command": command})
        yield
    finally:
        if fd is not None:
            os.close(fd)


class ServingLock:
    """A server's hold on an archive, taken before Datasette starts and passed to it.

    ``alone`` says no other server was running: the file may be brought up to date (migrations,
    WAL checkpoint) before it is served, and ``share()`` then lets other servers join.
    After ``start``ing the server with ``pass_fds=(lock.fd,)``, ``record`` its pid and port,
    and ``release()`` this process's copy: the lock lasts as long as the server process.
    """

    def __init__(self, db_path: str | Path):
        self.db_path = db_path
        self.fd = _open(serving_lock_path(db_path))
        self.alone = False
        if self.fd is None:
            return
        self.alone = _try_lock(self.fd, fcntl.LOCK_EX)
        if self.alone:
            try:
                os.ftruncate(self.fd, 0)  # lines of servers that ended
            except OSError:
                pass
        else:
            fcntl.flock(self.fd, fcntl.LOCK_SH)  # waits while a first server prepares the file
        self._check_no_load()

    @property
    def held(self) -> bool:
        """False where the lock file could not be opened (the server runs unguarded)."""
        return self.fd is not None

    def _check_no_load(self) -> None:
        free, loads = _free(loading_lock_path(self.db_path))
        if not free:
            self.release()
            raise ArchiveInUse(
                f"{self.db_path} is being written by {_loads(loads)}: serve it once the "
                f"load has finished, or serve a copy now (nianbao export COPY.db, then "
                f"nianbao serve --db COPY.db)")

    def share(self) -> None:
        """Let other servers join (after the file was prepared); checks again that no load
        started meanwhile (an exclusive lock becomes shared by being dropped and retaken)."""
        if self.fd is not None and self.alone:
            fcntl.flock(self.fd, fcntl.LOCK_SH)
            self.alone = False
            self._check_no_load()

    def record(self, pid: int, host: str, port: int) -> None:
        """Name the server process holding the lock, for the message of a load refused."""
        if self.fd is not None:
            _record(self.fd, {"pid": pid, "host": host, "port": port})

    def release(self) -> None:
        """Close this process's copy of the lock (a server process given it keeps it)."""
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
