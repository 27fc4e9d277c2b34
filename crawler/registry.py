"""The portal registry: which portals to crawl, on which platform, from which column URLs.

Portals are data, not code (style guide C.2). A registry is a TOML file with one
``[[portals]]`` table per portal; platform parameters sit in a sub-table named after the
platform::

    [[portals]]
    id = "zhejiang_taizhou_luqiao_gov"        # ASCII pinyin, largest unit first; never changes
    name_zh = "台州市路桥区人民政府"
    province = "浙江省"
    city = "台州市"
    county = "路桥区"
    adcode = "331004"                         # administrative division code, where known
    level = "county"                          # province | city | county | township | department
    platform = "hanweb"                       # trs | hanweb | anhui | gkmlpt | generic | auto
    start_urls = ["https://www.luqiao.gov.cn/col/col1229460362/index.html"]
    browser = false                           # list pages are built by script: render in Chromium
    wait_for = "#list li"                     # (browser portals) CSS selector of the rendered list
    verified = false                          # true once a crawl of the real portal succeeded
    notes = "…"
    [portals.hanweb]
    annual_report_areas = ["11370883004325769B"]

``load_registry`` validates everything on load and raises ``RegistryError`` naming the file,
the portal and the problem, so a bad row never reaches a crawl.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping
from urllib.parse import urlsplit

DEFAULT_REGISTRY = Path(__file__).with_name("portals.toml")

PORTAL_ID = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
LEVELS = frozenset({"province", "city", "county", "township", "department"})

_YEARS = (list, int)
_STRINGS = (list, str)
# Parameters each platform reads from its sub-table: name -> (required, element type of a list,
# or the scalar type). Anything else in the sub-table is a typo and rejected.
PLATFORM_PARAMS: dict[str, dict[str, tuple[bool, tuple]]] = {
    "trs": {
        "max_list_pages": (False, (int,)),
    },
    "hanweb": {
        "annual_report_areas": (False, _STRINGS),
        "annual_report_years": (False, _YEARS),
        "records_per_call": (False, (int,)),
    },
    "anhui": {
        "annual_report_units": (False, _STRINGS),
        "annual_report_years": (False, _YEARS),
    },
    "gkmlpt": {
        "cat_id": (False, (str,)),
    },
    "generic": {
        "max_list_pages": (False, (int,)),
    },
    # Detected from the first column page; reads no parameters of its own.
    "auto": {},
}
PLATFORMS = frozenset(PLATFORM_PARAMS)

_TOP_FIELDS = {
    "id", "name_zh", "province", "city", "county", "adcode", "level", "platform",
    "start_urls", "browser", "wait_for", "verified", "notes",
}


class RegistryError(ValueError):
    """The registry file is malformed; the message names the file, the portal and the problem."""


@dataclass(frozen=True)
class Portal:
    """One portal's annual-report columns and how to walk them."""

    id: str
    name_zh: str
    province: str
    platform: str
    start_urls: tuple[str, ...]
    level: str = "county"
    city: str | None = None
    county: str | None = None
    adcode: str | None = None
    browser: bool = False
    wait_for: str | None = None
    verified: bool = False
    notes: str = ""
    params: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def hosts(self) -> frozenset[str]:
        """The host:port pairs of the start URLs; list navigation never leaves them."""
        return frozenset(urlsplit(u).netloc for u in self.start_urls)

    def to_dict(self) -> dict:
        return {
            "id": self.id, "name_zh": self.name_zh, "province": self.province,
            "city": self.city, "county": self.county, "adcode": self.adcode,
            "level": self.level, "platform": self.platform, "start_urls": list(self.start_urls),
            "browser": self.browser, "wait_for": self.wait_for, "verified": self.verified, "notes": self.notes,
            "params": dict(self.params),
        }


def ad_hoc_portal(start_url: str, platform: str = "auto", browser: bool = False) -> Portal:
    """A portal for ``--start-url``: not in any registry, named after its host."""
    if platform not in PLATFORMS:
        raise RegistryError(f"unknown platform {platform!r}; known: {', '.join(sorted(PLATFORMS))}")
    parts = urlsplit(start_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise RegistryError(f"start URL {start_url!r} is not an http(s) URL")
    slug = re.sub(r"[^a-z0-9]+", "_", parts.netloc.lower()).strip("_")
    return Portal(
        id=f"adhoc_{slug}", name_zh=parts.netloc, province="", platform=platform,
        start_urls=(start_url,), level="county", browser=browser,
    )


def _check_params(where: str, platform: str, raw: Any) -> dict:
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise RegistryError(f"{where}: [{platform}] must be a table of parameters")
    schema = PLATFORM_PARAMS[platform]
    unknown = sorted(set(raw) - set(schema))
    if unknown:
        raise RegistryError(f"{where}: unknown {platform} parameter(s) {unknown}; known: {sorted(schema)}")
    for name, (required, types) in schema.items():
        if name not in raw:
            if required:
                raise RegistryError(f"{where}: missing required {platform} parameter {name!r}")
            continue
        value = raw[name]
        if types[0] is list:
            if not isinstance(value, list) or not all(isinstance(v, types[1]) for v in value):
                raise RegistryError(f"{where}: {platform}.{name} must be a list of {types[1].__name__}")
        elif not isinstance(value, types):
            raise RegistryError(f"{where}: {platform}.{name} must be a {types[0].__name__}")
    return raw


def _check_portal(where: str, raw: dict) -> Portal:
    platform = raw.get("platform")
    if platform not in PLATFORMS:
        raise RegistryError(f"{where}: unknown platform {platform!r}; known: {', '.join(sorted(PLATFORMS))}")
    unknown = sorted(set(raw) - _TOP_FIELDS - set(PLATFORM_PARAMS))
    if unknown:
        raise RegistryError(f"{where}: unknown field(s) {unknown}")
    foreign = sorted(p for p in PLATFORM_PARAMS if p in raw and p != platform)
    if foreign:
        raise RegistryError(f"{where}: parameters for platform(s) {foreign} but platform is {platform!r}")
    for name in ("name_zh", "province"):
        if not isinstance(raw.get(name), str) or not raw[name].strip():
            raise RegistryError(f"{where}: missing {name!r}")
    level = raw.get("level", "county")
    if level not in LEVELS:
        raise RegistryError(f"{where}: level {level!r} is not one of {sorted(LEVELS)}")
    urls = raw.get("start_urls")
    if not isinstance(urls, list) or not urls:
        raise RegistryError(f"{where}: start_urls must be a non-empty list")
    for url in urls:
        parts = urlsplit(url) if isinstance(url, str) else None
        if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
            raise RegistryError(f"{where}: start URL {url!r} is not an http(s) URL")
    adcode = raw.get("adcode")
    if adcode is not None and not re.fullmatch(r"\d{6}(\d{3}|\d{6})?", str(adcode)):
        raise RegistryError(f"{where}: adcode {adcode!r} is not a 6-, 9- or 12-digit division code")
    for flag in ("browser", "verified"):
        if not isinstance(raw.get(flag, False), bool):
            raise RegistryError(f"{where}: {flag} must be true or false")
    wait_for = raw.get("wait_for")
    if wait_for is not None and (not isinstance(wait_for, str) or not raw.get("browser")):
        raise RegistryError(f"{where}: wait_for is a CSS selector for browser portals: set browser = true or drop it")
    params = _check_params(where, platform, raw.get(platform))
    return Portal(
        id=raw["id"], name_zh=raw["name_zh"].strip(), province=raw["province"].strip(),
        platform=platform, start_urls=tuple(urls), level=level,
        city=raw.get("city"), county=raw.get("county"),
        adcode=str(adcode) if adcode is not None else None,
        browser=raw.get("browser", False), wait_for=wait_for, verified=raw.get("verified", False),
        notes=raw.get("notes", ""), params=MappingProxyType(params),
    )


def load_registry(path: str | Path = DEFAULT_REGISTRY) -> dict[str, Portal]:
    """Read and validate a registry file; returns portals by id, in file order."""
    portals, problems = read_registry(path)
    if problems:
        raise RegistryError(problems[0])
    return portals


def read_registry(path: str | Path = DEFAULT_REGISTRY) -> tuple[dict[str, Portal], list[str]]:
    """Every valid portal of a registry file, and one message per invalid row (or for the
    file itself): ``load_registry`` stops at the first, ``scrapy checkportals`` lists all."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}, [f"{path}: registry file not found"]
    except tomllib.TOMLDecodeError as exc:
        return {}, [f"{path}: not valid TOML: {exc}"]
    extra = sorted(set(data) - {"portals"})
    if extra:
        return {}, [f"{path}: unknown top-level key(s) {extra}; portals go in [[portals]] tables"]
    rows = data.get("portals", [])
    if not isinstance(rows, list):
        return {}, [f"{path}: portals must be [[portals]] tables"]
    portals: dict[str, Portal] = {}
    problems: list[str] = []
    seen: set[str] = set()
    for n, raw in enumerate(rows, 1):
        pid = raw.get("id")
        where = f"{path}: portal #{n} ({pid!r})"
        if not isinstance(pid, str) or not PORTAL_ID.fullmatch(pid):
            problems.append(f"{where}: id must be lowercase ASCII words joined by '_' (e.g. zhejiang_taizhou_luqiao_gov)")
            continue
        if pid in seen:
            problems.append(f"{where}: duplicate portal id {pid!r}")
            continue
        seen.add(pid)
        try:
            portals[pid] = _check_portal(where, raw)
        except RegistryError as problem:
            problems.append(str(problem))
    return portals, problems


def select_portals(
    portals: Mapping[str, Portal], portal: str | None = None, province: str | None = None,
) -> list[Portal]:
    """The portals a crawl covers: one id, ``all``, or every portal of a province."""
    if portal and portal != "all":
        ids = [p.strip() for p in portal.split(",") if p.strip()]
        missing = [i for i in ids if i not in portals]
        if missing:
            raise RegistryError(f"unknown portal id(s) {missing}")
        return [portals[i] for i in ids]
    chosen = list(portals.values())
    if province:
        chosen = [p for p in chosen if p.province == province or p.province.rstrip("省市") == province.rstrip("省市")]
        if not chosen:
            raise RegistryError(f"no portal in province {province!r}")
    return chosen
