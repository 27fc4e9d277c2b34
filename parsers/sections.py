"""The six parts of a report, found by their headings ("一、总体情况", "总体情况", "六、其它需要报告的事项").

A heading is a short line, numbered 一、…六、 or not numbered at all; "（二）主动公开政府信息情况。"
inside the overview is a sub-heading and does not count. Parts are taken in order, so a
phrase quoted later in the text cannot move a part backwards.

Some reports number their parts otherwise ("（四）政府信息公开行政复议…", "第二部分 主动公开…",
"3.收到和处理…"). Those numberings are also how sub-headings are numbered, so they are
accepted (``extended``) only for a part the usual numbering did not find.
"""

from __future__ import annotations

import re
from functools import lru_cache

from parsers.text import label_key

SECTION_KEYS = ("overview", "active", "requests", "review_litigation", "problems", "other")
# The vocabulary of part headings, the one place to add a wording a report uses. A numbered
# heading ("五、存在问题及改进情况") may contain a phrase anywhere; an unnumbered one must start
# with it. Compared after ``label_key`` (其它 -> 其他, half-width brackets).
HEADING_PHRASES = (
    ("overview", ("总体情况", "概述", "基本情况", "总体工作情况", "工作概况", "概况")),
    ("active", ("主动公开政府信息", "主动公开情况")),
    # "收到和处理政府信息公开申请情况", "收到和处理信息公开申请情况", "依申请公开政府信息情况"
    ("requests", ("收到和处理政府信息公开申请", "处理政府信息公开申请", "收到和处理信息公开申请",
                  "政府信息公开申请情况", "依申请公开")),
    # "政府信息公开行政复议、行政诉讼情况" or "行政复议、行政诉讼情况"
    ("review_litigation", ("行政复议", "行政诉讼")),
    # "存在的主要问题及改进情况", "存在问题及改进情况", "存在的问题及改进情况", "主要问题及改进情况",
    # "存在的主要问题和改进情况", "存在的不足及改进措施", "存在的主要问题及下一步工作打算"
    ("problems", ("存在的主要问题", "存在主要问题", "存在问题", "存在的问题", "存在的不足", "存在不足",
                  "主要问题", "问题及改进", "问题和改进", "不足及改进", "不足和改进")),
    # "其他需要报告的事项", "其它需要报告的事项", "其他需报告的事项", "需要报告的其他事项"
    ("other", ("其他需要报告", "其他需报告", "需要报告的其他事项", "其他事项")),
)
_NUMBERED = re.compile(r"^[一二三四五六七八九十]{1,2}[、.．]")
_NUMBERED_OTHERWISE = re.compile(r"^(?:第[一二三四五六]部分[、:：.．]?|[(（][一二三四五六][)）]|[1-6][、.．](?!\d))")
_MAX_HEADING = 40


@lru_cache(maxsize=8192)
def heading_key(line: str, after: int, extended: frozenset[str] = frozenset()) -> str | None:
    """The section key ``line`` is the heading of, if any section after index ``after``;
    the parts in ``extended`` may also be numbered otherwise ("（四）", "第四部分", "4.")."""
    key = label_key(line)
    if not key or len(key) > _MAX_HEADING or key.endswith(("。", "；", ";")):
        return None
    numbered = _NUMBERED.match(key)
    if numbered:
        return _section_of(key[numbered.end():], True, after)
    if extended:
        otherwise = _NUMBERED_OTHERWISE.match(key)
        if otherwise:
            section = _section_of(key[otherwise.end():], True, after)
            return section if section in extended else None
    return _section_of(key, False, after) if len(key) <= 20 else None


def _section_of(body: str, numbered: bool, after: int) -> str | None:
    for index, (section, phrases) in enumerate(HEADING_PHRASES):
        if index <= after:
            continue
        if any(p in body for p in phrases) and (numbered or body.startswith(phrases)):
            return section
    return None
