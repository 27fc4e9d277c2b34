"""Body text and section texts give a merged table cell's text once, whatever the reader,
while the table grids the numbers are read from keep it in every slot they cover."""

import pytest

from parsers import Table, parse
from parsers.html import read_layout as read_html_layout
from tests.parsers.documents.conftest import document_bytes, layout_of

MERGED_LABELS = (
    "三、本年度办理结果",  # rowspan down the whole results block of table 3
    "（三）不予公开",  # rowspan over its eight reasons
    "申请人情况",  # colspan over the applicant columns
    "第二十条第（一）项",  # colspan over the whole width of table 2
)


def _slots_holding(layout, text: str) -> int:
    return sum(row.count(text) for block in layout.blocks if isinstance(block, Table) for row in block.rows)


@pytest.mark.parametrize("name", ["report.html", "report.docx", "report.pdf", "report.xlsx", "report.mht"])
def test_a_merged_label_is_written_once_while_the_grid_repeats_it(name, html_report):
    data = document_bytes(name)
    layout = read_html_layout(data) if name.endswith(".html") else layout_of(name)
    report = parse(data)
    for label in MERGED_LABELS:
        assert _slots_holding(layout, label) > 1, label  # the grid still fills every slot
        assert report.body_text.count(label) == 1, label
    requests = report.sections["requests"]
    assert sum(requests.count(label) for label in MERGED_LABELS[:3]) == 3
    # one line per row, columns in place: the covered slots are empty, not dropped
    assert "\n\t（三）不予公开\t1.属于国家秘密\t0\t" in requests
    assert "\n\t\t2.其他法律行政法规禁止公开\t1\t" in requests
    assert report.cell_values() == html_report.cell_values()
    assert report.cell_values()["requests.withheld.state_secret.total"] == 0
    assert report.cell_values()["requests.withheld.other_law.total"] == 1
