"""Chinese full-text search over character bigrams, readable by any SQLite tool.

SQLite's tokenizers treat a run of Chinese characters as one word, so ``复议`` finds nothing
inside ``行政复议``. The archive therefore indexes *overlapping character bigrams* in an
ordinary FTS5 table (``ascii`` tokenizer): ``行政复议`` is stored as the tokens
``行政 政复 复议``. A query is rewritten the same way into an FTS5 phrase, so ``行政复议``
becomes ``"行政 政复 复议"`` and matches only where the four characters stand together.
Latin letters and digits are kept as whole lower-case words (``2020``, ``pdf``).

The same two functions serve the loader (``bigram_text``) and the Datasette plugin that
re-registers ``escape_fts`` (``match_expression``); docs/search.md has the measurements
behind this choice.
"""

from __future__ import annotations

import re
import unicodedata

# Han ideographs (CJK Unified, Extension A, Compatibility) form one class of run;
# Latin letters and digits another; everything else (punctuation, spaces) separates.
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_FULL_WIDTH = "\uff10-\uff19\uff21-\uff3a\uff41-\uff5a"
_RUNS = re.compile(f"([{_HAN}]+)|([0-9A-Za-z{_FULL_WIDTH}]+)")
_INDEX_RUNS = re.compile(f"[{_HAN}]+|[0-9A-Za-z]+")
_HAS_FULL_WIDTH = re.compile(f"[{_FULL_WIDTH}]")
_NARROW = str.maketrans({c: c - 0xFEE0 for c in range(0xFF10, 0xFF5B)
                         if _HAS_FULL_WIDTH.match(chr(c))})
_pair = str.__add__


def _word(run: str) -> str:
    # full-width ２０２０ / ＡＢ as typed in Chinese text -> 2020 / ab
    return unicodedata.normalize("NFKC", run).lower()


def _tokens(text: str) -> list[list[str]]:
    """Token groups, one per run: a Han run gives its bigrams, a Latin/digit run one word."""
    groups = []
    for han, word in _RUNS.findall(text):
        if han:
            groups.append([han] if len(han) == 1 else list(map(_pair, han, han[1:])))
        else:
            groups.append([_word(word)])
    return groups


def bigram_text(text: str | None) -> str:
    """The text as space-separated tokens for the FTS index.

    :param text: any text; ``None`` gives ``""``.

    >>> bigram_text("瓦庙镇2020年")
    '瓦庙 庙镇 2020 年'
    """
    if not text:
        return ""
    # The loader's hot path (~20,000 characters, ~4,000 runs per report): full-width letters
    # are rare, so the text is translated only when it has some (str.translate costs ~0.1 µs a
    # character); each run costs one join (Han: its bigrams; Latin/digits: the lower-cased word).
    if _HAS_FULL_WIDTH.search(text):
        text = text.translate(_NARROW)
    return " ".join([
        " ".join(map(_pair, run, run[1:])) if run > "\u3400" and len(run) > 1 else run.lower()
        for run in _INDEX_RUNS.findall(text)
    ])


def match_expression(query: str) -> str:
    """Rewrite what a person typed into an FTS5 MATCH expression over the bigram index.

    Each whitespace-separated term becomes one phrase of its tokens, and all terms must
    match. A term ending in a lone Han character ends in a prefix (``"2020 年"*``): the
    character is found at the start of a bigram but not at the end of a run, so a search for
    the single character ``复`` misses ``行政复``; ``复议`` finds it.

    :param query: the words typed in the search box; double quotes are ignored.

    >>> match_expression("行政复议 2020年")
    '"行政 政复 复议" "2020 年"*'
    """
    phrases = []
    for term in query.replace('"', " ").split():
        groups = _tokens(term)
        if not groups:
            continue
        phrase = '"' + " ".join(token for group in groups for token in group) + '"'
        last = groups[-1]
        if len(last) == 1 and len(last[0]) == 1 and not last[0].isascii():
            phrase += "*"
        phrases.append(phrase)
    return " ".join(phrases) or '""'
