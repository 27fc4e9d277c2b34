"""Is this an annual report, and whose, for which year, on which template?

Title first (the page's or the document's first lines, else the crawler's listing title),
then the body. A notice *about* compiling reports (关于编制公布…年度报告的通知) is not a report.
"""

from __future__ import annotations

import re
from functools import lru_cache

from parsers.text import clean_line, cn_year_digits, find_dates, label_key, nfkc

_REPORT_TITLE = re.compile(r"(信息公开|政务公开|公开).{0,16}(年度报告|年报|工作报告)|年度.{0,12}信息公开.{0,8}报告")
_NOTICE = re.compile(r"(关于.{0,60}(通知|通告|公告|意见|方案|要点|函|批复))|(的通知|通知$)")
# "当前位置：首页 > 政务公开 > 政府信息公开年度报告": a breadcrumb copied with the page text.
_BREADCRUMB = re.compile(r"当前位置|您的位置|[>＞»›]\s*\S+\s*[>＞»›]")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_TITLE_TAIL = re.compile(
    r"(?:关于)?(?:(?:19|20)\d{2}\s*年度?)?[的]?(?:政府|政务)?(?:信息公开|政务公开|信息)?(?:工作)?(?:年度)?(?:报告|年报)$"
)
_PERIOD_START = re.compile(r"统计(?:期限|期间|时限|时间)")
_PERIOD = re.compile(_PERIOD_START.pattern + r"(?:自|为|是|从|:)?\s*((?:19|20)\d{2})\s*年")
_YEAR_TOKEN = re.compile(r"(?:19|20)\d{2}\s*年度?")
_PLACE_SUFFIX = ("镇", "乡", "县", "市", "区", "旗", "州", "盟", "省", "自治区")
# "兰西县兰河乡…", "漳平市芦芝镇…", "宁海县财政局": a county/city named before the organ itself.
_HAS_PARENT = re.compile(r"^[\u4e00-\u9fff]{1,8}?(?:省|自治区|市|州|盟|县|旗|区)(?=[\u4e00-\u9fff]{2,})")
# "宁海发布", "漳平发布": the official media account a county or city names after itself.
_MEDIA_ACCOUNT = re.compile(r"(?:^|[、“\"《，,])([\u4e00-\u9fff]{2,3})发布(?=[、”\"》，,。等])")
# "明溪县人民政府办公室关于…", "沙县区政务公开办公室关于…": the office that asked for the report
_ISSUER = re.compile(
    r"([县区旗市])(?:人民政府办公室|人民政府办公厅|政府办公室|政务公开办公室|政务公开领导小组办公室)关于"
)
# words that run into a place name in running text: "根据明溪县…", "我们宁海县…"
_LEAD_WORDS = ("根据", "按照", "依据", "遵照", "对照", "结合", "落实", "贯彻", "关于", "我们", "转发", "通过", "由",
               "在", "经", "据", "按", "依", "和", "及", "与", "我", "对")
_LEVEL_HINT = (("县政府", "县"), ("县委", "县"), ("市政府", "市"), ("区政府", "区"))

MARKERS_2021 = ("制发件数", "废止件数", "现行有效件", "逾期不补正", "收费通知", "本年收费金额")
MARKERS_2019 = ("新制作数量", "新公开数量", "对外公开总数", "上一年项目数量", "采购总金额", "集中采购")


# "（全文）", "(修订版)": a note after a title's last word
_TITLE_NOTE = re.compile(r"\s*[(（][^()（）]{1,8}[)）]$")
# sentence punctuation and path separators: a title has none ("根据《条例》规定编制本报告。" is
# the preamble, "首页/政务公开/年报/…年度报告" a breadcrumb)
_SENTENCE_MARKS = re.compile(r"[。；;！？!?：:，,/>＞»›|｜]")
_MAX_TITLE = 60
_ORGAN_LINE = re.compile(
    r"^[\u4e00-\u9fff（）()]{2,30}(?:局|委|办|室|府|处|镇|乡|县|市|区|旗|街道|中心|院|会|厅|部|所|站|队|署|馆|委员会)$"
)


def is_plausible_title(text: str) -> bool:
    """A report's title, not a sentence that mentions one: short, no sentence punctuation,
    no 《》 inside (a whole title in 《》 is fine), ending in 报告/年报 and naming a report.

    >>> is_plausible_title("测试市2025年政府信息公开工作年度报告")
    True
    >>> is_plausible_title("根据《中华人民共和国政府信息公开条例》规定编制本报告。")
    False
    """
    text = _TITLE_NOTE.sub("", clean_line(text).strip("《》\"“” "))
    return (
        0 < len(text) <= _MAX_TITLE
        and not _SENTENCE_MARKS.search(text)
        and "《" not in text
        and "》" not in text
        and text.endswith(("报告", "年报"))
        and (is_report_title(text) or text.endswith(("年度报告", "年报")))
    )


def find_title(first_lines: list[str], page_title: str | None, listing_title: str | None) -> str | None:
    """The report's title: from the first lines of the text (a title broken over two lines is
    joined), else the page's own title, else the listing title; only a plausible title
    (``is_plausible_title``), never a sentence of the preamble, and one that names its organ
    before one that does not (a bare "政府信息公开年度报告" column name). None when there is none."""
    without_organ = None
    for title in _title_candidates(first_lines, page_title, listing_title):
        if is_plausible_title(title):
            if organ_named(title):
                return title
            without_organ = without_organ or title
    return without_organ


def _title_candidates(first_lines: list[str], page_title: str | None, listing_title: str | None):
    first_lines = [line for line in first_lines[:24] if not _BREADCRUMB.search(line)]
    for index, line in enumerate(first_lines[:16]):
        cleaned = clean_line(line)
        yield cleaned
        following = first_lines[index + 1] if index + 1 < len(first_lines) else ""
        # a title broken over two lines: "2021年度" / "宁化县水利局政府信息公开工作年度报告",
        # "云溪市统计局" / "2023年政府信息公开工作年度报告"
        if following and (
            _YEAR.search(nfkc(line)) or (_ORGAN_LINE.match(cleaned) and not organ_named(following))
        ):
            yield clean_line(line + following)
    for candidate in (page_title, listing_title):
        if candidate:
            yield clean_line(candidate)


def is_report_title(title: str) -> bool:
    return bool(_REPORT_TITLE.search(title))


def is_notice_title(title: str) -> bool:
    return bool(_NOTICE.search(title)) and not title.endswith(("报告", "年报"))


def find_year(title: str, listing_title: str | None, body: str) -> int | None:
    """The year reported on: from the title, the listing title, then the statistics period."""
    for text in (title, listing_title or ""):
        years = [int(y) for y in _YEAR.findall(cn_year_digits(nfkc(text)))]
        if years:
            return years[0]
    period = period_year(body)
    if period:
        return period
    years = [int(y) for y in _YEAR.findall(cn_year_digits(nfkc(body[:600])))]
    return years[0] if years else None


def period_year(body: str) -> int | None:
    """The year of the statistics period ("统计期限自2020年1月1日起", "统计期限为2025年1月1日至…")."""
    for start in _PERIOD_START.finditer(body):
        # only the words after "统计…" are normalised: NFKC over a whole body is costly
        period = _PERIOD.match(cn_year_digits(nfkc(body[start.start() : start.start() + 24])))
        if period:
            return int(period.group(1))
    return None


def find_template(year: int | None, text: str) -> str | None:
    """``2019``/``2021`` from the tables' wording, ``pre2019`` for earlier years without them."""
    key = label_key(text)
    votes_2021 = sum(marker in key for marker in MARKERS_2021)
    votes_2019 = sum(marker in key for marker in MARKERS_2019)
    if votes_2021 or votes_2019:
        return "2021" if votes_2021 > votes_2019 else "2019"
    if year is None:
        return None
    if year <= 2018:
        return "pre2019"
    return "2021" if year >= 2021 else "2019"


# an organ's name: Chinese characters and the brackets of "中共XX委员会（XX办公室）"
_ORGAN_NAME = re.compile(r"^[\u4e00-\u9fff（）()]{2,40}$")
_NOT_ORGAN = re.compile(r"报告|年报").search
_SHORT_GOVERNMENT = re.compile(r"([镇乡县市区旗州盟省])政府$")


def find_agency(title: str | None, body: str) -> str | None:
    """The organ that reports: the title minus year and report words, completed as an organ
    (镇 -> 镇人民政府) and, when the title omits it, with the county or city named in the body.
    None without a title, or when what is left is no organ's name."""
    name = organ_named(title) if title else None
    if name is None:
        return None
    # "云溪市政府", "青河镇政府", "东城街道办": the usual short forms of the organs' names
    name = _SHORT_GOVERNMENT.sub(r"\1人民政府", name)
    if name.endswith("街道办"):
        name += "事处"
    elif name.endswith(_PLACE_SUFFIX):
        name += "人民政府"
    elif name.endswith("街道"):
        name += "办事处"
    if _HAS_PARENT.match(name):
        return name
    parent = _find_parent(name, label_key(body))
    return parent + name if parent else name


def organ_named(title: str) -> str | None:
    """The organ as a title names it ("测试市" of "测试市2025年政府信息公开工作年度报告")."""
    title = _TITLE_NOTE.sub("", label_key(title)).strip("《》\"")
    name = _TITLE_TAIL.sub("", _YEAR_TOKEN.sub("", cn_year_digits(title)))
    name = name.removeprefix("关于")
    # what is left still naming the report ("…2023年度总结报告") is no organ
    return name if _ORGAN_NAME.match(name) and not _NOT_ORGAN(name) else None


def _find_parent(name: str, body: str) -> str | None:
    place = name.split("人民政府")[0]
    for match in re.finditer(rf"[县市区旗](?={re.escape(place)})", body):
        county = _name_ending_at(body, match.start())
        if county:
            return county + match.group()
    issuer = _notice_issuer(body)
    if issuer:
        return issuer
    level = next((suffix for hint, suffix in _LEVEL_HINT if hint in body), None)
    if level:
        names = [m for m in _MEDIA_ACCOUNT.findall(body) if m not in place]
        if names:
            candidate = names[0]
            if body.count(candidate) >= 2:
                return candidate + level
    return None


_DATE_LABEL = re.compile(r"^(?:发布日期|发布时间|公开日期)\s*[:：]?\s*(.*)$")


def labelled_date(first_lines: list[str]) -> str | None:
    """The 发布日期 of a 索引号 block copied with the page text, its date on the same line or
    the next ("发布日期：" / "2022-01-25")."""
    for index, line in enumerate(first_lines):
        match = _DATE_LABEL.match(line)
        if match:
            following = first_lines[index + 1] if index + 1 < len(first_lines) else ""
            dates = find_dates(match.group(1)) or (find_dates(following) if not match.group(1) else [])
            if dates:
                return dates[0]
    return None


def _name_ending_at(text: str, end: int) -> str | None:
    """The two to four characters of a place name before ``text[end]`` (its 县/市/区/旗),
    without the words of the sentence that run into it; None when fewer than two are left."""
    start = end
    while start > 0 and end - start < 4 and "\u4e00" <= text[start - 1] <= "\u9fff":
        start -= 1
    name = text[start:end]
    stripped = True
    while stripped:
        stripped = False
        for word in _LEAD_WORDS:
            if name.startswith(word) and len(name) - len(word) >= 2:
                name, stripped = name[len(word):], True
                break
    return name if len(name) >= 2 else None


def _notice_issuer(body: str) -> str | None:
    """The one county whose government office issued the notice the report answers
    ("根据《明溪县人民政府办公室关于做好2020年政府信息公开工作年度报告…》").
    A city is never taken: "三明市" may be the prefecture above the county (a town's, or a
    county department's that cites the city's notice). Two different issuers: nothing."""
    issuers = set()
    for match in _ISSUER.finditer(body):
        name = _name_ending_at(body, match.start())
        if name and match.group(1) != "市":
            issuers.add(name + match.group(1))
    return issuers.pop() if len(issuers) == 1 else None


def signature_date(last_lines: list[str]) -> str | None:
    """The date under the signature at the end of a report (a short line that is a date)."""
    for line in reversed(last_lines):
        # a signature carries no label: "更新时间：2024年5月20日" under a page is no signature
        if len(line) <= 24 and ":" not in line and "：" not in line:
            dates = find_dates(line)
            if dates:
                return dates[-1]
    return None


@lru_cache(maxsize=8192)
def table_marker(key: str) -> str | None:
    """Which statistical table a header row or line (a ``label_key``) opens, if any:
    ``active`` (第二十条/信息内容), ``requests`` (申请人情况/自然人) or ``review_litigation``."""
    if "第二十条" in key or key.startswith("信息内容"):
        return "active"
    if "申请人情况" in key or "自然人" in key:
        return "requests"
    if key == "行政复议" or ("复议" in key and ("诉讼" in key or "维持" in key)):
        return "review_litigation"
    return None
