"""Legacy office formats (.doc, Kingsoft .wps, .rtf, .odt, .xls, .ods) converted by LibreOffice.

LibreOffice headless converts a legacy file into the Office Open XML format python-docx or
openpyxl reads, keeping tables and merged cells. Each conversion runs with a private profile
directory (``-env:UserInstallation``) so concurrent conversions never share (and lock) one,
in its own process group so a hung conversion is killed whole after ``TIMEOUT`` seconds.
When LibreOffice is missing, a .doc falls back to antiword's text (tables then come out as
``|``-separated lines, flagged as a problem).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from parsers.models import UnreadableDocument

TIMEOUT = 60
"""Seconds one conversion may take; a normal report converts in 1-2 s."""

_SUFFIX = {
    "application/msword": "doc",
    "application/vnd.ms-works": "wps",
    "application/rtf": "rtf",
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.ms-excel": "xls",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
}


def soffice_command() -> str:
    return os.environ.get("NIANBAO_SOFFICE", "soffice")


def convert(data: bytes, media_type: str, target: str) -> bytes:
    """Convert ``data`` (of ``media_type``) to ``target`` (``docx`` or ``xlsx``) with LibreOffice.

    Raises ``UnreadableDocument`` when LibreOffice is missing, times out or produces nothing
    (a password-protected or damaged file).
    """
    command = shutil.which(soffice_command())
    if command is None:
        raise UnreadableDocument(f"LibreOffice ({soffice_command()}) is not installed: cannot read {media_type}")
    with tempfile.TemporaryDirectory(prefix="nianbao-soffice-") as work:
        source = Path(work, f"document.{_SUFFIX[media_type]}")
        source.write_bytes(data)
        args = [command, f"-env:UserInstallation=file://{work}/profile", "--headless", "--norestore",
                "--convert-to", target, "--outdir", f"{work}/out", str(source)]
        _run(args, f"LibreOffice conversion of {media_type}")
        result = Path(work, "out", f"document.{target}")
        if not result.exists():
            raise UnreadableDocument(f"LibreOffice could not convert this {media_type} "
                                     "(password-protected or damaged)")
        return result.read_bytes()


def antiword_text(data: bytes) -> str:
    """The text of a .doc through antiword (UTF-8 output, or Chinese comes out as ``?``)."""
    command = shutil.which(os.environ.get("NIANBAO_ANTIWORD", "antiword"))
    if command is None:
        raise UnreadableDocument("neither LibreOffice nor antiword is installed: cannot read application/msword")
    with tempfile.NamedTemporaryFile(suffix=".doc") as source:
        source.write(data)
        source.flush()
        return _run([command, "-m", "UTF-8.txt", "-w", "0", source.name], "antiword").decode("utf-8", "replace")


def _run(args: list[str], what: str) -> bytes:
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
                               env={**os.environ, "LC_ALL": "C.UTF-8", "HOME": tempfile.gettempdir()})
    try:
        out, err = process.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired as error:
        os.killpg(process.pid, signal.SIGKILL)  # soffice forks soffice.bin: kill the group
        process.communicate()
        raise UnreadableDocument(f"{what} took longer than {TIMEOUT} s and was stopped") from error
    if process.returncode != 0:
        reason = err.decode("utf-8", "replace").strip().splitlines()[-1:] or [f"exit {process.returncode}"]
        raise UnreadableDocument(f"{what} failed: {reason[0]}")
    return out
