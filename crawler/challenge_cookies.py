"""Cookies earned in Chromium by solving a JavaScript challenge, kept between runs per portal.

A scheduled crawl of a portal behind a 412/521 challenge would otherwise start a browser at
every run. The cookies the browser earned are saved in the output directory with their expiry,
and the next run sends them with the portal's first requests, so the site answers plain HTTP
at once. A cookie the site no longer accepts costs one 412: the challenge is solved again and
the fresh cookies replace the old ones.

``<out>/challenge_cookies.json``::

    {"hubei_wuhan_qiaokou_gov": [{"name": "FSSBBIl1UgzbN7N80T", "value": "…", "domain": "www.qiaokou.gov.cn",
                                  "path": "/", "expires": 1767225600.0, "saved_at": 1767139200.0}]}

``expires`` is the cookie's own expiry (Unix seconds), or null for a browser-session cookie,
which is reused for ``max_session_age`` seconds after ``saved_at``. A cookie is dropped a
minute before it expires, so it never runs out in the middle of a run's first requests.
"""

from __future__ import annotations

import json
import logging
import os
import time
from pathlib import Path

logger = logging.getLogger(__name__)

FILE_NAME = "challenge_cookies.json"
EXPIRY_MARGIN = 60.0  # seconds: a cookie this close to its expiry is not sent again
JAR_KEYS = ("name", "value", "domain", "path")  # what Request(cookies=…) takes of a cookie


class ChallengeCookies:
    """The saved challenge cookies of one output directory."""

    def __init__(self, out_dir: str | Path, max_session_age: float) -> None:
        self.path = Path(out_dir) / FILE_NAME
        self.max_session_age = max_session_age
        self.saved: dict[str, list[dict]] = self._read()

    def _read(self) -> dict[str, list[dict]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as problem:  # a damaged file costs one challenge, never the crawl
            logger.warning("%s unreadable (%s); challenges will be solved again", self.path, problem)
            return {}
        return data if isinstance(data, dict) else {}

    def valid(self, portal_id: str, now: float | None = None) -> list[dict]:
        """The portal's cookies still worth sending, as ``Request(cookies=…)`` dicts."""
        now = time.time() if now is None else now
        kept = []
        for cookie in self.saved.get(portal_id, []):
            ends = cookie.get("expires")
            if ends is None:
                ends = cookie.get("saved_at", 0) + self.max_session_age
            if ends - EXPIRY_MARGIN > now:
                kept.append({key: cookie[key] for key in JAR_KEYS if key in cookie})
        return kept

    def save(self, portal_id: str, browser_cookies: list[dict], now: float | None = None) -> None:
        """Replace the portal's cookies with those Chromium holds (Playwright's cookie dicts,
        ``expires`` -1 for a session cookie); written atomically."""
        now = time.time() if now is None else now
        self.saved[portal_id] = [
            {**{key: c[key] for key in JAR_KEYS}, "expires": c["expires"] if c.get("expires", -1) > 0 else None,
             "saved_at": now}
            for c in browser_cookies
        ]
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_name(f"{FILE_NAME}.{os.getpid()}.tmp")
        partial.write_text(json.dumps(self.saved, ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(partial, self.path)
