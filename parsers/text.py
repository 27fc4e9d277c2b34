"""Chinese text normalisation: width, whitespace, label keys, numbers, money and dates.

Everything that compares or reads text in the extractor goes through here, so that
"（一）" and "(一)", "１２" and "12", "其它" and "其他" are the same thing everywhere.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

_WHITESPACE = re.compile(r"[\s\u00a0\u3000\u200b\ufeff]+")
_CJK = r"\u3400-\u9fff\uf900-\ufaff"
# A space between two CJK characters (or a CJK character and a digit) is layout, not text:
# "行 政 复 议", "2020 年", "漳平市芦芝镇人民政府 2020 年".
_LAYOUT_SPACE = re.compile(rf"(?<=[{_CJK}，。、：；）（])[ \t]+(?=[{_CJK}\d（）])|(?<=\d)[ \t]+(?=[{_CJK}])")
_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "〝": '"', "〞": '"'})
_VARIANTS = (("其它", "其他"), ("帐", "账"))


def nfkc(text: str) -> str:
    """Full-width digits, letters and brackets to half-width ("（１）" -> "(1)")."""
    return unicodedata.normalize("NFKC", text)


@lru_cache(maxsize=8192)
def clean_line(text: str) -> str:
    """One line of running text: whitespace runs collapsed, layout spaces between CJK dropped."""
    text = _WHITESPACE.sub(" ", text).strip()
    return _LAYOUT_SPACE.sub("", text)


@lru_cache(maxsize=8192)  # table cells repeat ("0", labels) across rows and reports
def label_key(text: str) -> str:
    """A label reduced for comparison: NFKC, no whitespace at all, unified quotes and variants.

    >>> label_key("（三）不\\n予\\n公\\n开")
    '(三)不予公开'
    """
    text = _WHITESPACE.sub("", nfkc(text)).translate(_QUOTES)
    for variant, canonical in _VARIANTS:
        text = text.replace(variant, canonical)
    return text


# ------------------------------------------------------------------------------ numbers

_BLANK_MARKS = frozenset({"", "-", "--", "---", "—", "——", "–", "/", "\\", "／", "空", "null", "none", "n/a"})
_ZERO_WORDS = frozenset({"无", "没有", "零"})
_NUMBER = re.compile(r"^([+-]?)(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?$")
_COUNT_UNITS = ("件次", "件", "个", "条", "项", "次", "人次", "人", "家", "起", "份")
_MONEY_UNITS = (("亿元", 10000), ("万元", 1), ("千元", 0.1), ("元", 0.0001))
_CHANGE_WORDS = (("增加", "+"), ("增", "+"), ("减少", "-"), ("减", "-"))


@dataclass(frozen=True)
class Reading:
    """What a number cell says: ``value`` (None when blank or unreadable) and why."""

    value: int | float | None
    status: str
    """``number``, ``blank`` (not filled in), ``text`` (words where a number belongs)."""
    unit_known: bool = True


def _plain_number(text: str) -> int | float | None:
    match = _NUMBER.match(text)
    if not match:
        return None
    sign, whole, frac = match.groups()
    whole = whole.replace(",", "")
    if frac is not None and frac.strip("0"):
        value: int | float = float(f"{whole}.{frac}")
    else:
        value = int(whole)
    return -value if sign == "-" else value


# "1 2" or "0\n0" in one cell is two numbers, never twelve or zero
_SPLIT_DIGITS = re.compile(r"\d\s+\d").search


def _marked_cell(raw: str) -> tuple[str, Reading | None]:
    """A cell's normalised text, and its reading when the cell settles it without a number:
    two numbers in one cell ("1 2": text), a blank mark ("—", "/": blank), a zero word ("无")."""
    if _SPLIT_DIGITS(nfkc(raw)):
        return "", Reading(None, "text")
    text = label_key(raw).strip("。.")
    if text.lower() in _BLANK_MARKS:
        return text, Reading(None, "blank")
    if text in _ZERO_WORDS:
        return text, Reading(0, "number")
    return text, None


@lru_cache(maxsize=4096)
def read_count(raw: str, *, signed: bool = False) -> Reading:
    """A count cell: "0", "１２", "3件", "—" (blank), "无" (zero), "+2"/"减少2" when ``signed``."""
    text, marked = _marked_cell(raw)
    if marked is not None:
        return marked
    if signed:
        for word, sign in _CHANGE_WORDS:
            if text.startswith(word):
                text = sign + text[len(word):]
                break
    for unit in _COUNT_UNITS:
        if text.endswith(unit):
            text = text[: -len(unit)]
            break
    value = _plain_number(text)
    if value is None or (value < 0 and not signed):
        return Reading(None, "text")
    return Reading(value, "number")


def read_money(raw: str, *, default_unit: float | None) -> Reading:
    """A money cell normalised to 万元: "1190.1万元", "251000元", or a bare number in the
    header's unit (``default_unit`` = factor to 万元, None when the table states no unit)."""
    text, marked = _marked_cell(raw)
    if marked is not None:
        return marked
    factor = default_unit
    for unit, unit_factor in _MONEY_UNITS:
        if text.endswith(unit):
            text, factor = text[: -len(unit)], unit_factor
            break
    value = _plain_number(text)
    if value is None or value < 0:
        return Reading(None, "text")
    if value == 0:
        return Reading(0, "number")
    if factor is None:
        return Reading(None, "number", unit_known=False)
    if factor == 1:
        return Reading(value, "number")
    scaled = round(value * factor, 6)
    return Reading(int(scaled) if scaled == int(scaled) else scaled, "number")


@lru_cache(maxsize=8192)
def looks_like_value(raw: str) -> bool:
    """True for a cell that holds a number, a blank mark, or a zero word (not a label);
    "1 2" is two values, not one."""
    if _SPLIT_DIGITS(raw):
        return False
    text = label_key(raw)
    if text.lower() in _BLANK_MARKS or text in _ZERO_WORDS:
        return True
    return _VALUE_SHAPE.match(text) is not None


_VALUE_SHAPE = re.compile(
    r"^(?:增加|减少|增|减)?[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:件次|件|个|条|项|次|人次|人|家|起|份|亿元|万元|千元|元)?[。.]?$"
)


# ------------------------------------------------------------------------------ dates and years

_CN_DIGITS = str.maketrans("〇零○Ｏ一二三四五六七八九", "0000123456789")
_DATE = re.compile(r"(\d{4})\s*[年\-./]\s*(\d{1,2})\s*[月\-./]\s*(\d{1,2})\s*日?")
_CN_YEAR = re.compile(r"[〇零○Ｏ一二三四五六七八九]{4}(?=\s*年)")


def cn_year_digits(text: str) -> str:
    """"二〇二〇年" -> "2020年" (only four-character numeral years are rewritten)."""
    return _CN_YEAR.sub(lambda m: m.group(0).translate(_CN_DIGITS), text)


def find_dates(text: str) -> list[str]:
    """Every plausible date in ``text`` as ``YYYY-MM-DD``, in order."""
    found = []
    for match in _DATE.finditer(cn_year_digits(nfkc(text))):
        year, month, day = (int(g) for g in match.groups())
        if 1990 <= year <= 2100 and 1 <= month <= 12 and 1 <= day <= 31:
            found.append(f"{year:04d}-{month:02d}-{day:02d}")
    return found
