"""The list numbers Word draws in front of paragraphs ("一、", "（二）", "3."), as text.

A heading typed as an automatic list ("一、总体情况" with ``w:numPr`` and the text "总体情况")
keeps its number in ``word/numbering.xml``, not in the paragraph: python-docx returns
"总体情况" alone, while the HTML and PDF renderings of the same document say "一、总体情况".
``Numbering`` counts list items in document order, as Word does, and renders the level's
``w:lvlText`` with its ``w:numFmt`` (decimal, Chinese counting, circled digits, letters,
roman numerals). Bullets give no text.
"""

from __future__ import annotations

from docx.oxml.ns import qn

_CHINESE_DIGITS = "零一二三四五六七八九"
_CHINESE_FORMATS = {"chineseCounting", "chineseCountingThousand", "chineseLegalSimplified",
                    "ideographTraditional", "japaneseCounting", "taiwaneseCounting"}


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 105 → 一百零五 (list numbers stay small).

    >>> [chinese_number(n) for n in (1, 10, 12, 20, 21, 105)]
    ['一', '十', '十二', '二十', '二十一', '一百零五']
    """
    if n < 10:
        return _CHINESE_DIGITS[n]
    if n < 20:
        return "十" + (_CHINESE_DIGITS[n % 10] if n % 10 else "")
    if n < 100:
        return _CHINESE_DIGITS[n // 10] + "十" + (_CHINESE_DIGITS[n % 10] if n % 10 else "")
    rest = n % 100
    tail = "" if rest == 0 else ("零" + chinese_number(rest) if rest < 10 else
                                  (chinese_number(rest) if rest >= 20 else "一" + chinese_number(rest)))
    return _CHINESE_DIGITS[n // 100] + "百" + tail


def _roman(n: int) -> str:
    values = ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"), (40, "xl"),
              (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"))
    out = ""
    for value, letters in values:
        while n >= value:
            out, n = out + letters, n - value
    return out


def _letters(n: int) -> str:
    return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)


def format_number(n: int, fmt: str) -> str:
    """One list number in a ``w:numFmt`` format."""
    if fmt in _CHINESE_FORMATS:
        return chinese_number(n)
    if fmt == "decimalEnclosedCircle" or fmt == "decimalEnclosedCircleChinese":
        return chr(0x2460 + n - 1) if 1 <= n <= 20 else str(n)
    if fmt == "lowerLetter":
        return _letters(n)
    if fmt == "upperLetter":
        return _letters(n).upper()
    if fmt == "lowerRoman":
        return _roman(n)
    if fmt == "upperRoman":
        return _roman(n).upper()
    if fmt == "decimalFullWidth":
        return str(n).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    if fmt == "decimalZero":
        return f"{n:02d}"
    return str(n)


class Numbering:
    """Renders the list number of each paragraph, counting in the order paragraphs are given."""

    def __init__(self, document) -> None:
        self._levels: dict[str, dict[int, tuple[str, str, int]]] = {}  # numId -> ilvl -> (fmt, text, start)
        self._style_numbering: dict[str, tuple[str, int]] = {}
        self._counters: dict[str, list[int]] = {}
        try:
            numbering = document.part.numbering_part.element
        except (KeyError, NotImplementedError):
            numbering = None
        if numbering is not None:
            self._read_definitions(numbering)
        for style in document.styles.element.iterfind(qn("w:style")):
            num_pr = style.find(f"{qn('w:pPr')}/{qn('w:numPr')}")
            if num_pr is not None:
                num_id, ilvl = _num_pr(num_pr)
                if num_id:
                    self._style_numbering[style.get(qn("w:styleId"))] = (num_id, ilvl)

    def _read_definitions(self, numbering) -> None:
        abstract = {}
        for node in numbering.iterfind(qn("w:abstractNum")):
            levels = {}
            for lvl in node.iterfind(qn("w:lvl")):
                levels[int(lvl.get(qn("w:ilvl"), "0"))] = (
                    _val(lvl, "w:numFmt", "decimal"), _val(lvl, "w:lvlText", ""), int(_val(lvl, "w:start", "1")))
            abstract[node.get(qn("w:abstractNumId"))] = levels
        for num in numbering.iterfind(qn("w:num")):
            levels = dict(abstract.get(_val(num, "w:abstractNumId", ""), {}))
            for override in num.iterfind(qn("w:lvlOverride")):
                ilvl = int(override.get(qn("w:ilvl"), "0"))
                start = override.find(qn("w:startOverride"))
                if start is not None and ilvl in levels:
                    fmt, text, _ = levels[ilvl]
                    levels[ilvl] = (fmt, text, int(start.get(qn("w:val"), "1")))
            self._levels[num.get(qn("w:numId"))] = levels

    def prefix(self, p) -> str:
        """The number Word shows before paragraph ``p`` (a ``w:p``), or ``""``; counts it."""
        num_pr = p.find(f"{qn('w:pPr')}/{qn('w:numPr')}")
        if num_pr is not None:
            num_id, ilvl = _num_pr(num_pr)
        else:
            style = p.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
            num_id, ilvl = self._style_numbering.get(style.get(qn("w:val")) if style is not None else "", ("", 0))
        levels = self._levels.get(num_id)
        if not levels or ilvl not in levels:
            return ""
        counters = self._counters.setdefault(num_id, [0] * 9)
        for level in range(ilvl + 1, 9):
            counters[level] = 0
        counters[ilvl] = counters[ilvl] + 1 if counters[ilvl] else levels[ilvl][2]
        fmt, text, _ = levels[ilvl]
        if fmt in ("bullet", "none"):
            return ""
        for level in range(ilvl, -1, -1):
            if level in levels:
                value = counters[level] or levels[level][2]
                text = text.replace(f"%{level + 1}", format_number(value, levels[level][0]))
        return text


def _val(node, tag: str, default: str) -> str:
    child = node.find(qn(tag))
    return child.get(qn("w:val"), default) if child is not None else default


def _num_pr(num_pr) -> tuple[str, int]:
    return _val(num_pr, "w:numId", ""), int(_val(num_pr, "w:ilvl", "0"))
