"""Report content for the replica portal: realistic 2021-template annual reports.

The body follows 国办公开办函〔2021〕30号 (six parts, tables 2-4 with the rowspan/colspan markup
portals paste from Word, see the field guide §3 and the seed reports); numbers are drawn from a
seeded generator so that every arithmetic check of the template holds.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from html import escape

T3_COLUMNS = ("natural_person", "commercial", "research", "social_org", "legal_service", "other_org")
T3_ROWS = (
    ("granted", "（一）予以公开"),
    ("partial", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"),
    ("withheld.state_secret", "1.属于国家秘密"),
    ("withheld.other_law", "2.其他法律行政法规禁止公开"),
    ("withheld.security_stability", "3.危及“三安全一稳定”"),
    ("withheld.third_party", "4.保护第三方合法权益"),
    ("withheld.internal_affairs", "5.属于三类内部事务信息"),
    ("withheld.process_info", "6.属于四类过程性信息"),
    ("withheld.enforcement_file", "7.属于行政执法案卷"),
    ("withheld.query_matter", "8.属于行政查询事项"),
    ("unable.not_held", "1.本机关不掌握相关政府信息"),
    ("unable.needs_creation", "2.没有现成信息需要另行制作"),
    ("unable.unclear", "3.补正后申请内容仍不明确"),
    ("not_processed.petition", "1.信访举报投诉类申请"),
    ("not_processed.duplicate", "2.重复申请"),
    ("not_processed.publication", "3.要求提供公开出版物"),
    ("not_processed.excessive", "4.无正当理由大量反复申请"),
    ("not_processed.confirmation", "5.要求行政机关确认或重新出具已获取信息"),
    ("other.overdue_correction", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
    ("other.overdue_fee", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
    ("other.other", "3.其他"),
)
_OUTCOMES_USED = ("granted", "partial", "unable.not_held", "not_processed.duplicate", "other.other")


@dataclass
class Numbers:
    """One report's table values, consistent with the template's 勾稽关系."""

    active: dict[str, tuple[int, ...]]
    requests: dict[str, dict[str, int]] = field(default_factory=dict)
    review: dict[str, dict[str, int]] = field(default_factory=dict)


def numbers_for(seed: str) -> Numbers:
    rng = random.Random(seed)
    active = {
        "rules": (0, 0, rng.randint(0, 3)),
        "normative": (rng.randint(0, 5), rng.randint(0, 2), rng.randint(5, 30)),
        "licensing": (rng.randint(0, 900),),
        "penalty": (rng.randint(0, 300),),
        "coercion": (rng.randint(0, 20),),
        "fees": (round(rng.uniform(0, 50), 1),),
    }
    requests: dict[str, dict[str, int]] = {key: {} for key in
                                           ("new", "carried_over", "total", "carried_forward")}
    for key, _ in T3_ROWS:
        requests[key] = {}
    for column in T3_COLUMNS:
        new = rng.randint(0, 12) if column == "natural_person" else rng.choice((0, 0, 0, 1, 2))
        carried = rng.choice((0, 0, 1))
        forward = rng.choice((0, 0, 1)) if new + carried else 0
        handled = new + carried - forward
        split = {key: 0 for key, _ in T3_ROWS}
        for _ in range(handled):
            split[rng.choice(_OUTCOMES_USED)] += 1
        requests["new"][column], requests["carried_over"][column] = new, carried
        requests["total"][column], requests["carried_forward"][column] = handled, forward
        for key, value in split.items():
            requests[key][column] = value
    for row in requests.values():
        row["total"] = sum(row[c] for c in T3_COLUMNS)
    review = {}
    for group in ("review", "litigation_direct", "litigation_after_review"):
        parts = {k: rng.choice((0, 0, 0, 1)) for k in ("upheld", "corrected", "other", "pending")}
        review[group] = {**parts, "total": sum(parts.values())}
    return Numbers(active=active, requests=requests, review=review)


def _cells(values) -> str:
    return "".join(f"<td>{v}</td>" for v in values)


def _table2(n: Numbers) -> str:
    a = n.active
    return f"""<table border="1" cellspacing="0" cellpadding="0" style="border-collapse:collapse">
<tr><td colspan="4"><p align="center"><b>第二十条第（一）项</b></p></td></tr>
<tr><td>信息内容</td><td>本年制发件数</td><td>本年废止件数</td><td>现行有效件数</td></tr>
<tr><td>规章</td>{_cells(a["rules"])}</tr>
<tr><td>行政规范性文件</td>{_cells(a["normative"])}</tr>
<tr><td colspan="4"><p align="center"><b>第二十条第（五）项</b></p></td></tr>
<tr><td>信息内容</td><td colspan="3">本年处理决定数量</td></tr>
<tr><td>行政许可</td><td colspan="3">{a["licensing"][0]}</td></tr>
<tr><td colspan="4"><p align="center"><b>第二十条第（六）项</b></p></td></tr>
<tr><td>信息内容</td><td colspan="3">本年处理决定数量</td></tr>
<tr><td>行政处罚</td><td colspan="3">{a["penalty"][0]}</td></tr>
<tr><td>行政强制</td><td colspan="3">{a["coercion"][0]}</td></tr>
<tr><td colspan="4"><p align="center"><b>第二十条第（八）项</b></p></td></tr>
<tr><td>信息内容</td><td colspan="3">本年收费金额（单位：万元）</td></tr>
<tr><td>行政事业性收费</td><td colspan="3">{a["fees"][0]}</td></tr>
</table>"""


def _table3(n: Numbers) -> str:
    r = n.requests
    keys = (*T3_COLUMNS, "total")

    def row(key):
        return _cells(r[key][c] for c in keys)

    labels = dict(T3_ROWS)
    lines = [
        '<table border="1" cellspacing="0" cellpadding="0" style="border-collapse:collapse">',
        '<tr><td colspan="3" rowspan="3">（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）</td>'
        '<td colspan="7">申请人情况</td></tr>',
        '<tr><td rowspan="2">自然人</td><td colspan="5">法人或其他组织</td><td rowspan="2">总计</td></tr>',
        "<tr><td>商业企业</td><td>科研机构</td><td>社会公益组织</td><td>法律服务机构</td><td>其他</td></tr>",
        f'<tr><td colspan="3">一、本年新收政府信息公开申请数量</td>{row("new")}</tr>',
        f'<tr><td colspan="3">二、上年结转政府信息公开申请数量</td>{row("carried_over")}</tr>',
        f'<tr><td rowspan="22">三、本年度办理结果</td><td colspan="2">{labels["granted"]}</td>{row("granted")}</tr>',
        f'<tr><td colspan="2">{labels["partial"]}</td>{row("partial")}</tr>',
    ]
    groups = (("（三）不予公开", "withheld."), ("（四）无法提供", "unable."),
              ("（五）不予处理", "not_processed."), ("（六）其他处理", "other."))
    for heading, prefix in groups:
        members = [k for k, _ in T3_ROWS if k.startswith(prefix)]
        for i, key in enumerate(members):
            head = f'<td rowspan="{len(members)}">{heading}</td>' if i == 0 else ""
            lines.append(f"<tr>{head}<td>{labels[key]}</td>{row(key)}</tr>")
    lines.append(f'<tr><td colspan="2">（七）总计</td>{row("total")}</tr>')
    lines.append(f'<tr><td colspan="3">四、结转下年度继续办理</td>{row("carried_forward")}</tr>')
    lines.append("</table>")
    return "\n".join(lines)


def _table4(n: Numbers) -> str:
    parts = ("upheld", "corrected", "other", "pending", "total")
    values = "".join(_cells(n.review[g][p] for p in parts)
                     for g in ("review", "litigation_direct", "litigation_after_review"))
    sub = "<td>结果维持</td><td>结果纠正</td><td>其他结果</td><td>尚未审结</td><td>总计</td>"
    return f"""<table border="1" cellspacing="0" cellpadding="0" style="border-collapse:collapse">
<tr><td colspan="5" rowspan="2">行政复议</td><td colspan="10">行政诉讼</td></tr>
<tr><td colspan="5">未经复议直接起诉</td><td colspan="5">复议后起诉</td></tr>
<tr>{sub}{sub}{sub}</tr>
<tr>{values}</tr>
</table>"""


def report_title(unit: str, year: int) -> str:
    return f"{unit}{year}年政府信息公开工作年度报告"


def report_body(unit: str, year: int, seed: str, misadded: bool = False) -> str:
    """The report's HTML body (headings, prose, tables 2-4), as pasted into a CMS editor.

    ``misadded`` prints a 总计 one higher than its parts, as real reports sometimes do, so the
    archive's checks have a contradiction to find.
    """
    n = numbers_for(seed)
    if misadded:
        n.requests["total"]["natural_person"] += 1
    applied = n.requests["new"]["total"]
    p = (f"<p>本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）编制，"
         f"全文包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、"
         f"政府信息公开行政复议及行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项。"
         f"本报告所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。</p>")
    return f"""<p style="text-align:center"><b>{escape(report_title(unit, year))}</b></p>
{p}
<p><b>一、总体情况</b></p>
<p>{year}年，{escape(unit)}坚持以公开为常态、不公开为例外，认真贯彻落实《条例》和上级关于政务公开工作的部署，
妥善处理公开与保密的关系，及时回应社会关切，保障人民群众的知情权、参与权、表达权和监督权。</p>
<p>1.主动公开情况。全年通过政府网站、政务新媒体、公示栏等渠道主动公开政府信息{120 + len(seed) * 3}条。</p>
<p>2.依申请公开情况。全年共收到政府信息公开申请{applied}件，均在法定期限内答复。</p>
<p>3.政府信息管理情况。严格执行信息发布审核和保密审查制度，动态更新政府信息公开目录。</p>
<p>4.平台建设情况。持续优化政府网站政务公开专栏，规范栏目设置。</p>
<p>5.监督保障情况。将政务公开工作纳入年度绩效考核，开展业务培训。</p>
<p><b>二、主动公开政府信息情况</b></p>
{_table2(n)}
<p><b>三、收到和处理政府信息公开申请情况</b></p>
{_table3(n)}
<p><b>四、政府信息公开行政复议、行政诉讼情况</b></p>
{_table4(n)}
<p><b>五、存在的主要问题及改进情况</b></p>
<p>一是公开内容的及时性有待提高；二是政策解读形式较为单一。下一步，将加强业务培训，丰富解读形式，提升公开质量。</p>
<p><b>六、其他需要报告的事项</b></p>
<p>本年度未收取信息处理费。</p>"""
