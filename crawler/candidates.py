"""The crawler's cheap, permissive test: could this link be an annual report?

Kept: a title (or URL) that mentions an annual report (年度报告, 年报, 工作报告 about 信息公开)
together with a plausible year. Dropped: items that only talk *about* reports, which sit in the
same columns on real portals — 关于…通知 (the yearly 编制通知 and the 国办 template notice),
guides (指南), budgets and final accounts (预算, 决算). The final word is the parser's; the
crawler only records *why* it kept a link (``candidate_reason``).

>>> candidate_reason("瓦庙镇2020年政府信息公开工作年度报告", "http://x/t.html")
'title: 年度报告 + year 2020'
>>> candidate_reason("关于做好2023年政府信息公开工作年度报告编制工作的通知", "http://x/t.html") is None
True
"""

from __future__ import annotations

import datetime as _dt
import re

FIRST_REPORT_YEAR = 2007  # the 2008 条例 took effect for report year 2008; a margin of one

_REPORT_WORDS = re.compile(r"(年度报告|年度報告|年报|年報|信息公开工作报告|信息公開工作報告|公开工作报告)")
_URL_REPORT = re.compile(r"(annualreport|annual_report|xxgknb|zfxxgknb|gknb|ndbg|nianbao)", re.I)
_NOT_REPORT = re.compile(r"(关于.*(通知|函|意见)|關於.*通知|指南|预算|預算|决算|決算|报告格式|模板|要点|解读)")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_CN_DIGITS = str.maketrans("〇○零一二三四五六七八九", "000123456789")
_CN_YEAR = re.compile(r"[二][〇○零][〇○零一二三四五六七八九]{2}")


def plausible_years(text: str, today: _dt.date | None = None) -> list[int]:
    """Four-digit years (also written 二〇二二) from FIRST_REPORT_YEAR to next year."""
    last = (today or _dt.date.today()).year + 1
    found = [int(y) for y in _YEAR.findall(text)]
    found += [int(y.translate(_CN_DIGITS)) for y in _CN_YEAR.findall(text)]
    return [y for y in found if FIRST_REPORT_YEAR <= y <= last]


def candidate_reason(title: str | None, url: str, today: _dt.date | None = None) -> str | None:
    """Why a link might be an annual report, or None when it is not one."""
    title = re.sub(r"\s+", "", title or "")
    if _NOT_REPORT.search(title):
        return None
    title_words = _REPORT_WORDS.search(title)
    title_years = plausible_years(title, today)
    if title_words and title_years:
        return f"title: {title_words.group(1)} + year {title_years[0]}"
    url_words = _URL_REPORT.search(url)
    url_years = plausible_years(url, today)
    if title_words and url_years:
        return f"title: {title_words.group(1)} + URL year {url_years[0]}"
    if url_words and (title_years or url_years):
        # e.g. a unit name "止戈镇" listed under .../zfxxgknb/n2022n/xz/zgz.htm
        return f"url: {url_words.group(1)} + year {(title_years or url_years)[0]}"
    return None


def looks_like_report_title(text: str | None) -> bool:
    """A page heading that names an annual report (used for endpoint pages without a listing)."""
    return candidate_reason(text, "") is not None
