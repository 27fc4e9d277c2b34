"""The replica's sites: one per portal platform of the field guide, plus the hard cases.

Each site serves on its own port of 127.0.0.1 and knows the truth about itself: which
reports and attachments it publishes where a polite crawler may fetch them (``expected``).
Tests compare a crawl's manifest against that truth by content hash.

==========  ======  ==========================================================================
site        offset  what it reproduces
==========  ======  ==========================================================================
trs         0       TRS WCM: index_N.html + createPageHTML, t-date articles, P0… PDF/DOCX,
                    year × 部门/乡镇 sub-columns, Big5 gateway, repost, duplicate listing,
                    404 link, flaky 503, notice/budget/guide items
hanweb      1       Hanweb jcms: XML datastore in the first page, POST/GET dataproxy.jsp,
                    downfile.jsp attachment, xxgkAnnualReport.jsp endpoint; a newer column
                    paginated by ``index.html?uid=…&pageNum=N`` (pager built by script), and
                    one published statically whose every pageNum repeats page 1 (not in the
                    registry: tests crawl it by start URL)
anhui       2       Anhui 政务公开平台: /public/column list (xxgk_navli), /public/<unit>/<id>.html,
                    OpennessAnnualReport year routes and download route
gkmlpt      3       Guangdong gkmlpt: Vue shell with window._CONFIG, JSON list API, post_ pages
generic     4       self-built GBK site (charset only in <meta>; one page mislabelled UTF-8 in
                    HTTP), endless 下一页 trap,
                    PDF linked straight from the list, robots.txt-disallowed report
browser     5       list built by script from obfuscated inline data (needs Chromium)
challenge   6       TRS site behind a 412 JavaScript cookie challenge (Ruishu style)
bench       7       synthetic TRS column of any size, for benchmarks
dead        8       a portal whose server answers 503 to everything
big5        9       a Big5 gateway on its own host republishing the TRS site transcoded
                    (``http://<big5 host>/gate/big5/<trs host>/<path>``, as big5.www.gov.cn
                    does for www.gov.cn); one TRS listing links a report only through it
==========  ======  ==========================================================================
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass
from html import escape
from urllib.parse import parse_qs

from tests.replica.content import report_body, report_title
from tests.replica.documents import DOCUMENTS, MEDIA_TYPES, document_path

HTML = "text/html; charset=utf-8"


@dataclass(frozen=True)
class Expected:
    """A capture the crawl must archive exactly once (identified by its bytes)."""

    role: str
    sha256: str
    url: str


@dataclass
class Reply:
    status: int
    content_type: str
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def not_found() -> Reply:
    return Reply(404, HTML, "<html><head><title>404 Not Found</title></head><body>页面不存在</body></html>".encode())


DEPARTMENTS = (
    "发展和改革局", "教育局", "科学技术局", "工业和信息化局", "公安局", "民政局", "司法局", "财政局",
    "人力资源和社会保障局", "自然资源局", "生态环境分局", "住房和城乡建设局", "交通运输局", "水利局",
    "农业农村局", "商务局", "文化和旅游局", "卫生健康局", "退役军人事务局", "应急管理局", "审计局",
    "市场监督管理局", "统计局", "医疗保障局", "林业局", "城市管理局", "信访局", "数据资源管理局",
    "民族宗教事务局", "粮食和物资储备局", "人民防空办公室", "行政审批局", "乡村振兴局", "体育局", "档案局",
)
TOWNSHIPS = ("城关镇", "白石镇", "青河镇", "龙泉镇", "石门乡", "桃源乡", "云山乡", "新安街道",
             "东城街道", "西城街道", "南湖街道", "北山街道", "长乐镇", "金山镇", "马渡乡", "红岩乡",
             "高桥镇", "柳林街道")


def article_page(site_name: str, title: str, date: str, content: str, *, charset: str = "utf-8",
                 container: str = '<div class="TRS_Editor">{}</div>', extra_head: str = "",
                 top: str = "") -> str:
    """A detail page in the usual shape: head meta, site chrome, 发布日期, body container."""
    return f"""<!DOCTYPE html>
<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">
<title>{escape(title)}_{escape(site_name)}</title>
<meta name="SiteName" content="{escape(site_name)}"><meta name="ColumnName" content="政府信息公开年报">
<meta name="ArticleTitle" content="{escape(title)}"><meta name="PubDate" content="{date} 10:00">
{extra_head}</head><body>
<div class="top">{top}<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a></div>
<h1>{escape(title)}</h1><div class="info">发布日期：{date}　来源：{escape(site_name)}</div>
{container.format(content)}
</body></html>"""


def attachment_body(href: str, name: str) -> str:
    return (f'<p>{escape(name)}详见附件。</p><p>附件：<a href="{href}" OLDSRC="{href}">{escape(name)}</a></p>')


class Site:
    """A replica site: pages built once its address is known, then served from memory."""

    name = "site"
    offset = 0
    site_name = ""

    def __init__(self) -> None:
        self.host = ""
        self.pages: dict[str, Reply] = {}
        self.expected: list[Expected] = []
        self.lock = threading.Lock()

    # -- building ----------------------------------------------------------------------
    def build(self, host: str) -> None:
        self.host = host

    def url(self, path: str) -> str:
        return f"http://{self.host}{path}"

    def put(self, path: str, body: str | bytes, content_type: str = HTML, charset: str = "utf-8",
            status: int = 200, headers: tuple = ()) -> bytes:
        data = body.encode(charset, errors="xmlcharrefreplace") if isinstance(body, str) else body
        self.pages[path] = Reply(status, content_type, data, headers)
        return data

    def expect(self, role: str, path: str, data: bytes) -> None:
        self.expected.append(Expected(role, sha(data), self.url(path)))

    def put_document(self, path: str, key: str) -> bytes:
        data = document_path(key).read_bytes()
        fmt = DOCUMENTS[key][2]
        self.put(path, data, MEDIA_TYPES[fmt],
                 headers=(("Content-Disposition", f'attachment; filename="{key}.{fmt}"'),))
        return data

    def link(self, sites: list["Site"]) -> None:
        """Called once every site is built: a site that serves other sites' pages keeps them."""

    # -- serving -----------------------------------------------------------------------
    def robots(self) -> str:
        return "User-agent: *\nDisallow: /admin/\n"

    def handle(self, method: str, path: str, query: str, form: dict, cookies: dict) -> Reply:
        if path == "/robots.txt":
            return Reply(200, "text/plain", self.robots().encode())
        key = f"{path}?{query}" if query and f"{path}?{query}" in self.pages else path
        return self.pages.get(key) or not_found()


# ------------------------------------------------------------------------------- TRS


def trs_list_page(site_name: str, heading: str, items: list[tuple[str, str, str]], pages: int,
                  records: int, subcolumns: list[tuple[str, str]] = ()) -> str:
    lis = "\n".join(f'<li><a href="{href}" title="{escape(title)}" target="_blank">{escape(title[:28])}</a>'
                    f"<span>{date}</span></li>" for href, title, date in items)
    subs = "".join(f'<li><a href="{href}">{escape(text)}</a></li>' for href, text in subcolumns)
    pager = (f"<div id=\"page_div\"></div><script>createPageHTML('page_div',{pages},0,'index','html',{records});</script>"
             if pages > 1 else "")
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{escape(heading)}_{escape(site_name)}</title>
<script>function createPageHTML(div,n,c,p,e,r){{}}</script></head><body>
<div class="nav"><a href="/">首页</a> <a href="/zwgk/zfxxgkzn/">政府信息公开指南</a> <a href="/zwgk/fdzdgknr/">法定主动公开内容</a></div>
<div class="left"><ul class="subcolumns">{subs}</ul></div>
<div class="overview_right"><h2>{escape(heading)}</h2><ul class="list">
{lis}
</ul>{pager}</div></body></html>"""


class TrsSite(Site):
    name, offset, site_name = "trs", 0, "青山县人民政府"
    column = "/zwgk/zfxxgknb/"
    per_page = 10

    def __init__(self) -> None:
        super().__init__()
        self.flaky_path = ""
        self.flaky_failures = 0

    def build(self, host: str) -> None:
        super().build(host)
        self.docid = 5000
        col = self.column
        main_items = []
        for year in (2024, 2023, 2022):
            path, data, date = self._report(col, "青山县人民政府", year, month=3)
            main_items.append((path, report_title("青山县人民政府", year), date))
        notice = self._other(col, "关于做好2024年度政府信息公开工作年度报告编制工作的通知", "2025-01-06")
        guide = self._other(col, "青山县人民政府政府信息公开指南", "2024-06-01")
        main_items[1:1] = [notice, guide]
        subs = [(f"{col}{y}n/", f"{y}年度") for y in (2024, 2023)]
        self.put(f"{col}index.html", trs_list_page(self.site_name, "政府信息公开年报", self._rel(col, main_items), 1,
                                                   len(main_items), subs))
        for year in (2024, 2023):
            ydir = f"{col}{year}n/"
            year_items = []
            if year == 2023:  # a repost of the 民政局 report, byte-identical, under the year column
                year_items.append(("REPOST", "青山县民政局2023年政府信息公开工作年度报告（转载）", "2024-02-01"))
            bm = self._subcolumn(f"{ydir}bmnb/", year, [f"青山县{d}" for d in DEPARTMENTS], "部门年报")
            xz = self._subcolumn(f"{ydir}xzjd/", year, [f"青山县{t}人民政府" if "街道" not in t else f"青山县{t}办事处"
                                                       for t in TOWNSHIPS], "乡镇街道年报")
            if year == 2023:
                original = self.pages[bm["青山县民政局"]]
                repost = f"{ydir}202402/t20240201_{self._next_id()}.html"
                self.pages[repost] = original
                year_items[0] = (repost, year_items[0][1], year_items[0][2])
            self.put(f"{ydir}index.html", trs_list_page(self.site_name, f"{year}年度", self._rel(ydir, year_items), 1,
                                                        len(year_items), [(f"{ydir}bmnb/", "部门"), (f"{ydir}xzjd/", "乡镇街道")]))
            for sub in (f"{ydir}", f"{ydir}bmnb/", f"{ydir}xzjd/"):
                self.pages[sub] = self.pages.get(f"{sub}index.html", not_found())
        self.pages[col] = self.pages[f"{col}index.html"]

    def _next_id(self) -> int:
        self.docid += 7
        return self.docid

    def _rel(self, directory: str, items):
        return [("./" + href[len(directory):] if href.startswith(directory) else href, title, date)
                for href, title, date in items]

    def _report(self, directory: str, unit: str, year: int, month: int = 1, day: int = 20):
        date = f"{year + 1}-{month:02d}-{day:02d}"
        stamp = date.replace("-", "")
        path = f"{directory}{stamp[:6]}/t{stamp}_{self._next_id()}.html"
        title = report_title(unit, year)
        key = {("青山县交通运输局", 2023): "trs_jiaotong_2023", ("青山县白石镇人民政府", 2024): "trs_baishi_2024",
               ("青山县审计局", 2024): "trs_shenji_2024"}.get((unit, year))
        if key:
            ext = DOCUMENTS[key][2]
            file_path = f"{directory}{stamp[:6]}/P0{stamp[2:]}{self.docid:06d}.{ext}"
            data = self.put_document(file_path, key)
            self.expect("attachment", file_path, data)
            content = attachment_body(f"./P0{stamp[2:]}{self.docid:06d}.{ext}", title)
        else:
            content = report_body(unit, year, f"{unit}{year}", misadded=(unit, year) == ("青山县信访局", 2023))
        page = article_page(self.site_name, title, date, content,
                            top=f'<a href="/gate/big5/{self.host}{path}">繁體</a> ')
        data = self.put(path, page)
        self.expect("report", path, data)
        # The Big5 gateway republishes every page transcoded (field guide §1 gotchas).
        self.put(f"/gate/big5/{self.host}{path}", page.replace('charset=utf-8', 'charset=big5')
                 .replace("报告", "報告").replace("开", "開"), charset="big5")
        return path, data, date

    def _other(self, directory: str, title: str, date: str):
        stamp = date.replace("-", "")
        path = f"{directory}{stamp[:6]}/t{stamp}_{self._next_id()}.html"
        self.put(path, article_page(self.site_name, title, date, f"<p>{escape(title)}</p><p>各单位：……</p>"))
        return path, title, date

    def _subcolumn(self, sdir: str, year: int, units: list[str], heading: str) -> dict[str, str]:
        items, paths = [], {}
        for i, unit in enumerate(units):
            path, _, date = self._report(sdir, unit, year, month=1 + i % 2, day=10 + i % 18)
            items.append((path, report_title(unit, year), date))
            paths[unit] = path
        if "部门" in heading:
            items.insert(3, self._other(sdir, f"青山县{year + 1}年部门预算公开", f"{year + 1}-02-15"))
            if year == 2024:  # a listed report whose page was deleted: 404
                stamp = f"{year + 1}0131"
                items.append((f"{sdir}{stamp[:6]}/t{stamp}_{self._next_id()}.html",
                              report_title("青山县档案馆", year), f"{year + 1}-01-31"))
            if year == 2023:  # the server fails once (503) on this report, then serves it
                self.flaky_path = paths["青山县教育局"]
        else:
            items.insert(5, items[0])  # the same report listed twice
            if year == 2024:  # a listing that points into the Big5 gateway instead of the original
                original = paths["青山县新安街道办事处"]
                items.append((f"/gate/big5/{self.host}{original}", report_title("青山县新安街道办事处", year)
                              .replace("报告", "報告"), "2025-01-18"))
                # and one report listed only through the gateway on another host
                index = next(n for n, item in enumerate(items) if item[0] == paths["青山县桃源乡人民政府"])
                port = int(self.host.rsplit(":", 1)[1]) - self.offset + Big5GatewaySite.offset
                path, title, date = items[index]
                items[index] = (f"http://127.0.0.1:{port}/gate/big5/{self.host}{path}", title.replace("报告", "報告"), date)
        pages = -(-len(items) // self.per_page)
        for n in range(pages):
            chunk = items[n * self.per_page:(n + 1) * self.per_page]
            name = "index.html" if n == 0 else f"index_{n}.html"
            self.put(f"{sdir}{name}", trs_list_page(self.site_name, heading, self._rel(sdir, chunk), pages, len(items)))
        return paths

    def handle(self, method, path, query, form, cookies):
        if path == self.flaky_path:
            with self.lock:
                self.flaky_failures += 1
                if self.flaky_failures == 1:
                    return Reply(503, HTML, b"<html><body>Service Temporarily Unavailable</body></html>")
        return super().handle(method, path, query, form, cookies)


# ------------------------------------------------------------------------------- Hanweb


class HanwebSite(Site):
    name, offset, site_name = "hanweb", 1, "溪口区人民政府"
    column_id, unit_id, per_page = "1229460362", "212860", 8
    areas = {"11330203MB0123456X": "溪口区人民政府办公室", "11330203MB0654321Y": "溪口区发展和改革局"}
    endpoint_years = (2022, 2023, 2024)
    paged_column_id, paged_unit_id, paged_per_page = "42150", "380055", 8
    static_column_id, static_unit_id = "42151", "380056"

    def build(self, host: str) -> None:
        super().build(host)
        records = []
        docid = 87000
        for year in (2023, 2022):
            for i, dept in enumerate(DEPARTMENTS[:24]):
                docid += 3
                unit = f"溪口区{dept}"
                month, day = 1 + i % 3, 5 + i
                path = f"/art/{year + 1}/{month}/{day}/art_{self.column_id}_{docid}.html"
                title = report_title(unit, year)
                if (unit, year) == ("溪口区民政局", 2023):
                    file_path = f"/module/download/downfile.jsp?classid=0&filename={sha(title.encode())[:16]}.pdf"
                    data = self.put_document(file_path, "hanweb_minzheng_2023")
                    self.expect("attachment", file_path, data)
                    content = attachment_body(file_path, title)
                else:
                    content = report_body(unit, year, f"{unit}{year}")
                data = self.put(path, self._article(title, f"{year + 1}-{month:02d}-{day:02d}", docid, content))
                self.expect("report", path, data)
                records.append((path, title, f"{year + 1}-{month:02d}-{day:02d}"))
        for n, (title, date) in enumerate((("溪口区2024年部门预算公开", "2024-02-20"),
                                           ("溪口区政府信息公开指南", "2023-06-01"),
                                           ("关于印发《溪口区2023年政务公开工作要点》的通知", "2023-04-12"))):
            path = f"/art/{date[:4]}/{int(date[5:7])}/{int(date[8:])}/art_{self.column_id}_{90000 + n}.html"
            self.put(path, self._article(title, date, 90000 + n, f"<p>{title}</p>"))
            records.insert(5 + n * 9, (path, title, date))
        self.records = records
        self.put(f"/col/col{self.column_id}/index.html", self._column_page())
        self._build_paged_column()
        self._build_static_column()
        for area, unit in self.areas.items():
            for year in self.endpoint_years:
                path = f"/module/xxgk/xxgkAnnualReport.jsp?area={area}&fbtime={year}"
                if (unit, year) == ("溪口区发展和改革局", 2024):
                    self.put(path, "<html><head><title>年度报告</title></head><body><div>暂无数据</div></body></html>")
                    continue
                title = report_title(unit, year)
                data = self.put(path, self._article(title, f"{year + 1}-01-15", 0, report_body(unit, year, area + str(year))))
                self.expect("report", path, data)

    def _article(self, title: str, date: str, docid: int, content: str) -> str:
        container = ('<div id="zoom"><!--ZJEG_RSS.content.begin--><meta name="ContentStart">{}'
                     '<meta name="ContentEnd"><!--ZJEG_RSS.content.end--></div>')
        head = (f'<meta name="i_columnid" content="{self.column_id}"><meta name="i_articleid" content="{docid}">'
                f'<meta name="ContentSource" content="{self.site_name}">')
        return article_page(self.site_name, title, date, content, container=container, extra_head=head)

    def _build_paged_column(self) -> None:
        """乡镇街道年报 on the newer jcms: ``col/col42150/index.html?uid=380055&pageNum=2`` serves
        page 2's records in the page's own datastore; no nextgroup, no dataproxy, and the pager
        links exist only once jpage's script has run (field guide §2.2, "Newer")."""
        records = []
        for i, town in enumerate(TOWNSHIPS):
            unit = f"溪口区{town}{'办事处' if '街道' in town else '人民政府'}"
            date = f"2025-01-{8 + i:02d}"
            path = f"/art/2025/1/{8 + i}/art_{self.paged_column_id}_{95000 + i * 3}.html"
            title = report_title(unit, 2024)
            data = self.put(path, self._article(title, date, 95000 + i * 3, report_body(unit, 2024, f"{unit}pageNum")))
            self.expect("report", path, data)
            records.append((path, title, date))
        for n, (title, date) in enumerate((("关于做好2024年度政府信息公开工作年度报告编制发布工作的通知", "2025-01-03"),
                                           ("溪口区2025年乡镇部门预算公开说明", "2025-02-10"))):
            path = f"/art/{date[:4]}/{int(date[5:7])}/{int(date[8:])}/art_{self.paged_column_id}_{96000 + n}.html"
            self.put(path, self._article(title, date, 96000 + n, f"<p>{title}</p>"))
            records.insert(4 + n * 8, (path, title, date))
        self.paged_records = records

    def _build_static_column(self) -> None:
        """A statically published column (the web server ignores the query string): its jpage
        call still counts pages that no longer exist, so every ``pageNum`` repeats page 1."""
        self.static_expected = []
        records = []
        for i, dept in enumerate(DEPARTMENTS[24:30]):
            unit = f"溪口区{dept}"
            path = f"/art/2024/2/{1 + i}/art_{self.static_column_id}_{97000 + i}.html"
            title = report_title(unit, 2023)
            data = self.put(path, self._article(title, f"2024-02-{1 + i:02d}", 97000 + i,
                                                report_body(unit, 2023, f"{unit}static")))
            self.static_expected.append(Expected("report", sha(data), self.url(path)))
            records.append((path, title, f"2024-02-{1 + i:02d}"))
        self.put(f"/col/col{self.static_column_id}/index.html",
                 self._paged_page(records, self.static_unit_id, total=3 * len(records), per_page=len(records)))

    def _paged_page(self, records, unit_id: str, total: int, per_page: int) -> str:
        rows = "\n".join(self._record(*r) for r in records)
        return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>乡镇街道年报_{self.site_name}</title>
<script src="/module/jpage/jpage.min.js"></script></head><body>
<div class="bt">乡镇街道政府信息公开年报</div>
<div id="{unit_id}"><script type="text/xml"><datastore>
<recordset>
{rows}
</recordset></datastore></script></div>
<script>$('#{unit_id}').jpage({{dataStore:[],perPage:{per_page},totalRecord:{total},barPosition:'bottom',
pageNumParam:'pageNum',uidParam:'uid'}});</script>
</body></html>"""

    def _record(self, href: str, title: str, date: str) -> str:
        return (f"<record><![CDATA[<li><a href='{href}' title='{escape(title)}' target='_blank'>{escape(title)}</a>"
                f"<span>{date}</span></li>]]></record>")

    def _column_page(self) -> str:
        first = "\n".join(self._record(*r) for r in self.records[:self.per_page])
        nextgroup = (f'<a href="/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid=3&path=/&columnid={self.column_id}'
                     f'&unitid={self.unit_id}&webname=溪口区人民政府&permissiontype=0"></a>')
        return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>政府信息公开年报_{self.site_name}</title>
<script src="/module/web/jpage/jpage.js"></script></head><body>
<div class="bt">政府信息公开年报</div>
<div id="{self.unit_id}"><script type="text/xml"><datastore>
<nextgroup><![CDATA[{nextgroup}]]></nextgroup>
<recordset>
{first}
</recordset></datastore></script></div>
<script>var param_{self.unit_id}={{col:1,appid:1,webid:3,path:'/',columnid:{self.column_id},sourceContentType:1,unitid:'{self.unit_id}',webname:'溪口区人民政府',permissiontype:0}};
$('#{self.unit_id}').jpage({{dataStore:[],perPage:{self.per_page},totalRecord:{len(self.records)},proxyUrl:'/module/web/jpage/dataproxy.jsp',ajaxParam:param_{self.unit_id}}});</script>
</body></html>"""

    def handle(self, method, path, query, form, cookies):
        if path == f"/col/col{self.paged_column_id}/index.html":
            args = {k: v[-1] for k, v in parse_qs(query).items()}
            per, total = self.paged_per_page, len(self.paged_records)
            last = -(-total // per)
            # a page number past the end (or unreadable) is clamped, as jcms does
            page = int(args["pageNum"]) if args.get("pageNum", "").isdigit() else 1
            page = min(max(page, 1), last) if args.get("uid", self.paged_unit_id) == self.paged_unit_id else 1
            chunk = self.paged_records[(page - 1) * per:page * per]
            return Reply(200, HTML, self._paged_page(chunk, self.paged_unit_id, total, per).encode())
        if path == "/module/web/jpage/dataproxy.jsp":
            args = {k: v[-1] for k, v in parse_qs(query).items()}
            args.update(form)
            if args.get("columnid") != self.column_id:
                return Reply(200, "text/xml; charset=utf-8", b"<datastore><totalrecord>0</totalrecord></datastore>")
            per = int(args.get("perpage", self.per_page))
            if "startrecord" in args:
                start, end = int(args["startrecord"]), int(args["endrecord"])
            else:
                page = int(args.get("page", 1))
                start, end = (page - 1) * per + 1, page * per
            rows = "\n".join(self._record(*r) for r in self.records[start - 1:end])
            total = len(self.records)
            xml = (f"<?xml version=\"1.0\" encoding=\"UTF-8\"?><datastore><totalrecord>{total}</totalrecord>"
                   f"<totalpage>{-(-total // per)}</totalpage><recordset>{rows}</recordset></datastore>")
            return Reply(200, "text/xml; charset=utf-8", xml.encode())
        return super().handle(method, path, query, form, cookies)


# ------------------------------------------------------------------------------- Anhui


class AnhuiSite(Site):
    name, offset, site_name = "anhui", 2, "东河县人民政府"
    unit, cat = "6596", "7721"
    per_page = 10
    units = {"341": "东河县财政局", "342": "东河县教育局"}

    @property
    def column_query(self) -> str:
        return f"type=4&action=list&nav=3&catId={self.cat}"

    def build(self, host: str) -> None:
        super().build(host)
        items = []
        docid = 109853900
        for year in (2023, 2022):
            for i, town in enumerate(TOWNSHIPS[:8]):
                docid += 11
                unit = f"东河县{town}"
                date = f"{year + 1}-0{1 + i % 3}-{10 + i}"
                path = f"/public/{self.unit}/{docid}.html"
                title = report_title(unit, year)
                data = self.put(path, self._article(title, date, report_body(unit, year, unit + str(year))))
                self.expect("report", path, data)
                items.append((path, title, date, f"{self.unit}/{year + 1}-{docid % 100000:05d}"))
        for title, date in (("东河县2024年政府信息公开工作要点", "2024-03-01"), ("东河县政府信息公开指南", "2023-05-01")):
            docid += 11
            self.put(f"/public/{self.unit}/{docid}.html", self._article(title, date, f"<p>{title}</p>"))
            items.insert(4, (f"/public/{self.unit}/{docid}.html", title, date, ""))
        pages = -(-len(items) // self.per_page)
        for n in range(pages):
            chunk = items[n * self.per_page:(n + 1) * self.per_page]
            query = self.column_query + ("" if n == 0 else f"&page={n + 1}")
            more = f'<a href="/public/column/{self.unit}?{self.column_query}&page={n + 2}">下一页</a>' if n + 1 < pages else ""
            self.put(f"/public/column/{self.unit}?{query}", self._list(chunk, more))
        download = 6280
        for unit_id, unit in self.units.items():
            for year in (2022, 2023, 2024):
                path = f"/OpennessAnnualReport/year/show/{unit_id}/{year}.html"
                if (unit_id, year) == ("342", 2024):
                    self.put(path, "<html><head><title>政府信息公开年报</title></head><body><p>该单位暂未发布年度报告</p></body></html>")
                    continue
                title = report_title(unit, year)
                key = {("341", 2023): "anhui_341_2023", ("342", 2022): "anhui_342_2022"}.get((unit_id, year))
                if key:
                    download += 1
                    file_path = f"/OpennessAnnualReport/download/{download}.html"
                    self.expect("attachment", file_path, self.put_document(file_path, key))
                    content = attachment_body(file_path, title)
                else:
                    content = report_body(unit, year, unit_id + str(year))
                data = self.put(path, self._article(title, f"{year + 1}-01-28", content))
                self.expect("report", path, data)

    def _article(self, title: str, date: str, content: str) -> str:
        return article_page(self.site_name, title, date, content, container='<div class="j-fontContent minh500">{}</div>')

    def _list(self, items, more: str) -> str:
        rows = "\n".join(
            f'<div class="xxgk_navli"><span class="syh">{syh}</span><a href="{href}" title="{escape(title)}">'
            f"{escape(title)}</a><span class=\"date\">{date}</span></div>" for href, title, date, syh in items)
        return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>政府信息公开年报_{self.site_name}</title></head>
<body><div class="xxgk_nav_con">{rows}</div><div class="pagination">{more}</div></body></html>"""


# ------------------------------------------------------------------------------- gkmlpt


class GkmlptSite(Site):
    name, offset, site_name = "gkmlpt", 3, "南岭区人民政府"
    sid, cat, per_page = "662021", "2947", 10

    def build(self, host: str) -> None:
        super().build(host)
        self.articles = []
        post = 963100
        for year in (2023, 2022):
            for i, dept in enumerate(DEPARTMENTS[5:15]):
                post += 7
                unit = f"南岭区{dept}"
                self._post(post, report_title(unit, year), f"{year + 1}-02-{1 + i:02d}", unit, year)
        for n, title in enumerate(("南岭区政府信息公开指南", "关于报送2023年政府信息公开工作年度报告的通知",
                                   "南岭区2024年部门预算")):
            post += 7
            self._post(post, title, "2024-01-05", None, None)
            self.articles.insert(3 + n * 7, self.articles.pop())
        self.put("/gkmlpt/index", f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>政府信息公开_{self.site_name}</title>
<script>window._CONFIG = {{SID:'{self.sid}', TREE:[{{id:{self.cat},name:'政府信息公开年报',parent:0}}], SITE_NAME:'{self.site_name}'}};</script>
<script src="/gkmlpt/static/js/app.js"></script></head>
<body><div id="app"></div><noscript>请开启JavaScript</noscript></body></html>""")

    def _post(self, post: int, title: str, date: str, unit: str | None, year: int | None) -> None:
        path = f"/gkmlpt/content/0/{post // 1000}/post_{post}.html"
        attachment = None
        if (unit, year) == ("南岭区水利局", 2023):
            attachment = f"/attachment/0/88/88{post % 1000}/{post}.pdf"
            self.expect("attachment", attachment, self.put_document(attachment, "gkmlpt_shuili_2023"))
            content = f'<p>详见附件：</p><a class="nfw-cms-attachment" href="{attachment}">{escape(title)}.pdf</a>'
        elif unit:
            content = report_body(unit, year, unit + str(year))
        else:
            content = f"<p>{escape(title)}</p>"
        detail = json.dumps({"id": post, "title": title, "publish_time": date}, ensure_ascii=False)
        page = article_page(self.site_name, title, date, content, container='<div class="article-content">{}</div>',
                            extra_head=f"<script>window._CONFIG = {{SID:'{self.sid}', DETAIL:{detail}}};</script>")
        data = self.put(path, page)
        if unit:
            self.expect("report", path, data)
        self.articles.append({"id": post, "title": title, "url": self.url(path), "post_url": path,
                              "created_at": date + " 09:30:00", "document_number": "", "identifier": f"007{post}",
                              "attachment": [attachment] if attachment else []})

    def handle(self, method, path, query, form, cookies):
        if path == f"/gkmlpt/api/all/{self.cat}":
            args = {k: v[-1] for k, v in parse_qs(query).items()}
            if args.get("sid") != self.sid:
                return Reply(403, "application/json", b'{"error":"sid"}')
            page = int(args.get("page", 1))
            chunk = self.articles[(page - 1) * self.per_page:page * self.per_page]
            if not chunk:
                return not_found()
            body = {"total": len(self.articles), "articles": chunk, "classify": {"post_count": len(self.articles)}}
            return Reply(200, "application/json;charset=UTF-8", json.dumps(body, ensure_ascii=False).encode())
        return super().handle(method, path, query, form, cookies)


# ------------------------------------------------------------------------------- generic (GBK)


class GenericSite(Site):
    name, offset, site_name = "generic", 4, "西山县人民政府"
    per_page, real_pages = 9, 3

    def robots(self) -> str:
        return "User-agent: *\nDisallow: /gk/private/\nDisallow: /admin/\n"

    def build(self, host: str) -> None:
        super().build(host)
        items = []
        n = 300
        for year in (2023, 2022):
            for i, dept in enumerate(DEPARTMENTS[20:32]):
                n += 1
                unit = f"西山县{dept}"
                title, date = report_title(unit, year), f"{year + 1}-03-{1 + i:02d}"
                path = f"/gk/zfxxgknb/content_{n}.html"
                if (unit, year) == ("西山县林业局", 2023):  # the list links the PDF itself
                    path = "/gk/uploadfiles/202403/20240301093512345.pdf"
                    self.expect("report", path, self.put_document(path, "generic_direct_2023"))
                else:
                    page = article_page(self.site_name, title, date, report_body(unit, year, unit + str(year)),
                                        charset="gb2312", container='<div class="article-con">{}</div>')
                    self.expect("report", path, self.put(path, page, "text/html", charset="gbk"))
                items.append((path, title, date))
        secret = "/gk/private/content_999.html"
        self.put(secret, article_page(self.site_name, report_title("西山县保密局", 2023), "2024-03-20", "<p>…</p>",
                                      charset="gb2312"), "text/html", charset="gbk")
        items.insert(2, (secret, report_title("西山县保密局", 2023), "2024-03-20"))
        items.insert(6, ("/gk/zfxxgknb/content_900.html", "西山县预算公开", "2024-02-01"))
        self.put("/gk/zfxxgknb/content_900.html", article_page(self.site_name, "西山县预算公开", "2024-02-01", "<p>…</p>",
                                                               charset="gb2312"), "text/html", charset="gbk")
        self.items = items

    def _list(self, page: int) -> bytes:
        shown = min(page, self.real_pages)  # past the end the CMS clamps to the last page
        chunk = self.items[(shown - 1) * self.per_page:shown * self.per_page]
        rows = "\n".join(f'<tr><td><a href="{href}">{escape(title)}</a></td><td>{date}</td></tr>'
                         for href, title, date in chunk)
        html = f"""<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>政府信息公开年报-{self.site_name}</title></head><body>
<table class="list">{rows}</table>
<div class="page">第{page}页 <a href="list.asp?page={page + 1}">下一页</a></div></body></html>"""
        return html.encode("gbk", errors="xmlcharrefreplace")

    def handle(self, method, path, query, form, cookies):
        if path in ("/gk/zfxxgknb/", "/gk/zfxxgknb/index.html"):
            return Reply(200, "text/html", self._list(1))
        if path == "/gk/zfxxgknb/list.asp":
            page = int((parse_qs(query).get("page") or ["1"])[0])
            # page 2 comes from a server that labels everything UTF-8 (its bytes are GBK)
            return Reply(200, "text/html; charset=utf-8" if page == 2 else "text/html", self._list(page))
        return super().handle(method, path, query, form, cookies)


# ------------------------------------------------------------------------------- script-built list


class BrowserSite(Site):
    name, offset, site_name = "browser", 5, "北岭市人民政府"
    per_page = 6

    def build(self, host: str) -> None:
        super().build(host)
        items = []
        for i, dept in enumerate(DEPARTMENTS[:10]):
            unit = f"北岭市{dept}"
            title, date = report_title(unit, 2023), f"2024-01-{10 + i}"
            path = f"/xxgk/gknb/202401/t202401{10 + i}_{7700 + i}.html"
            self.expect("report", path, self.put(path, article_page(self.site_name, title, date,
                                                                      report_body(unit, 2023, unit))))
            items.append((path, title, date))
        for i, title in enumerate(("北岭市政府信息公开指南", "北岭市2024年部门预算")):
            path = f"/xxgk/gknb/202401/t2024010{i + 1}_{7800 + i}.html"
            self.put(path, article_page(self.site_name, title, "2024-01-02", "<p>…</p>"))
            items.insert(3 + i * 5, (path, title, "2024-01-02"))
        for n in range(2):
            chunk = items[n * self.per_page:(n + 1) * self.per_page]
            name = "index.html" if n == 0 else f"index_{n}.html"
            self.put(f"/xxgk/gknb/{name}", self._page(chunk, n + 1 < 2 and "index_1.html"))
        self.pages["/xxgk/gknb/"] = self.pages["/xxgk/gknb/index.html"]

    def _page(self, items, next_page) -> str:
        # The list exists only as character codes: no link is in the HTML a plain fetch sees.
        codes = [ord(c) for c in json.dumps(items, ensure_ascii=False)]
        pager = (f"document.getElementById('pager').innerHTML = '<a href=\"{next_page}\">下一页</a>';"
                 if next_page else "")
        return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>公开年报_{self.site_name}</title></head>
<body><ul id="list"></ul><div id="pager"></div>
<script>
(function(){{
  var d = {codes};
  setTimeout(function(){{
    var items = JSON.parse(String.fromCharCode.apply(null, d)), ul = document.getElementById('list');
    items.forEach(function(it){{
      var li = document.createElement('li'), a = document.createElement('a');
      a.href = it[0]; a.title = it[1]; a.textContent = it[1]; li.appendChild(a);
      var s = document.createElement('span'); s.textContent = it[2]; li.appendChild(s); ul.appendChild(li);
    }});
    {pager}
  }}, 50);
}})();
</script></body></html>"""


# ------------------------------------------------------------------------------- 412 challenge


class ChallengeSite(TrsSite):
    """A TRS site whose every page first answers 412 with a cookie-setting script (瑞数 style)."""

    name, offset, site_name = "challenge", 6, "东岭县人民政府"
    column = "/zfxxgk/zfxxgknb/"
    seed = "k9Xq2v"

    def build(self, host: str) -> None:
        Site.build(self, host)
        self.docid = 1200
        items = []
        for i, dept in enumerate(DEPARTMENTS[:6]):
            unit = f"东岭县{dept}"
            path, _, date = self._report(self.column, unit, 2023, month=2, day=1 + i)
            items.append((path, report_title(unit, 2023), date))
        self.pages = {p: r for p, r in self.pages.items() if not p.startswith("/gate/")}
        self.put(f"{self.column}index.html", trs_list_page(self.site_name, "政府信息公开年报",
                                                           self._rel(self.column, items), 1, len(items)))
        self.challenges = 0

    @classmethod
    def token(cls) -> str:
        value = 0
        for ch in cls.seed:
            value = (value * 31 + ord(ch)) % 1000003
        return format(value * 7919 % 1000003, "x")

    def _challenge(self) -> Reply:
        page = f"""<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<meta id="9DhefwqGPrzGxEp9hPaoag" content="{self.seed}" r='m'>
<script type="text/javascript">var $_ts=window['$_ts'];if(!$_ts)$_ts={{}};$_ts.nsd=84751;</script>
<script type="text/javascript">
(function(){{
  var s = document.getElementById('9DhefwqGPrzGxEp9hPaoag').getAttribute('content'), v = 0;
  for (var i = 0; i < s.length; i++) v = (v * 31 + s.charCodeAt(i)) % 1000003;
  document.cookie = 'NBWAF_T=' + (v * 7919 % 1000003).toString(16) + '; path=/';
  setTimeout(function(){{ location.reload(); }}, 20);
}})();
</script></head><body></body></html>"""
        return Reply(412, "text/html", page.encode(), (("Set-Cookie", "NBWAF_S=1; path=/; HttpOnly"),))

    def handle(self, method, path, query, form, cookies):
        if path != "/robots.txt" and cookies.get("NBWAF_T") != self.token():
            with self.lock:
                self.challenges += 1
            return self._challenge()
        return Site.handle(self, method, path, query, form, cookies)


# ------------------------------------------------------------------------------- benchmark column


class BenchSite(Site):
    """A synthetic TRS column of ``pages`` list pages × 20 items, generated on request."""

    name, offset, site_name = "bench", 7, "基准测试县人民政府"
    items_per_page = 20

    def __init__(self, pages: int = 500) -> None:
        super().__init__()
        self.list_pages = pages

    def handle(self, method, path, query, form, cookies):
        if path == "/robots.txt":
            return super().handle(method, path, query, form, cookies)
        for column, kind in (("/reports/", "报告"), ("/plain/", "动态")):
            if path.startswith(column):
                break
        else:
            return not_found()
        name = path[len(column):] or "index.html"
        if name.startswith("index"):
            n = int(name[6:-5] or 0) if name.startswith("index_") else 0
            if n >= self.list_pages:
                return not_found()
            items = [(f"./202401/t20240115_{n * 100 + i}.html",
                      f"基准{n}-{i}单位2023年政府信息公开工作年度{kind}", "2024-01-15") for i in range(self.items_per_page)]
            return Reply(200, HTML, trs_list_page(self.site_name, "年报", items, self.list_pages,
                                                  self.list_pages * self.items_per_page).encode())
        doc = name.rsplit("_", 1)[-1].split(".")[0]
        return Reply(200, HTML, article_page(self.site_name, f"基准{doc}单位2023年政府信息公开工作年度报告", "2024-01-15",
                                             f"<p>第{doc}号报告正文。</p>" * 20).encode())


class DeadSite(Site):
    """A portal whose server is down: 503 for every path."""

    name, offset, site_name = "dead", 8, "停机县人民政府"

    def handle(self, method, path, query, form, cookies):
        return Reply(503, HTML, b"<html><body>503 Service Unavailable</body></html>")


class Big5GatewaySite(Site):
    """A traditional-character gateway on a host of its own: ``/gate/big5/<host>/<path>`` serves
    the page of that replica site transcoded to Big5 (field guide §1: Big5 mirrors duplicate pages)."""

    name, offset, site_name = "big5", 9, "繁體網關"

    def link(self, sites: list[Site]) -> None:
        self.sources = [site for site in sites if site is not self]

    def handle(self, method, path, query, form, cookies):
        for source in self.sources:
            if path.startswith(f"/gate/big5/{source.host}/"):
                return source.pages.get(path) or not_found()
        return super().handle(method, path, query, form, cookies)


SITE_CLASSES = (TrsSite, HanwebSite, AnhuiSite, GkmlptSite, GenericSite, BrowserSite, ChallengeSite, BenchSite, DeadSite,
                Big5GatewaySite)
