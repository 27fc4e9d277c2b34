"""What the spider hands to the capture store: one fetched response with its provenance."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Literal

Role = Literal["list", "report", "attachment"]


@dataclass
class Capture:
    """A response worth keeping, byte-exact, and why it was fetched.

    ``url`` is the URL the crawl asked for (after canonicalisation), ``final_url`` the one
    that answered after redirects. ``headers`` are the response headers as served.
    ``rendered`` marks a DOM serialised by Chromium rather than bytes from the wire.
    """

    portal_id: str
    role: Role
    url: str
    final_url: str
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    fetched_at: str
    listing_title: str | None = None
    listing_date: str | None = None
    candidate_reason: str | None = None
    parent_url: str | None = None
    rendered: bool = False
    sha256: str = field(init=False)

    def __post_init__(self) -> None:
        self.sha256 = hashlib.sha256(self.body).hexdigest()

    @property
    def content_type(self) -> str | None:
        for name, value in self.headers:
            if name.lower() == "content-type":
                return value
        return None
