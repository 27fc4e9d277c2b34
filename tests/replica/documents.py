"""Attachment-only reports of the replica: real small PDF and Word files, made once.

Each is a full report of the 2021 template (six parts; tables 2, 3 and 4 with the official
merged cells and ruling lines) holding the numbers ``tests.replica.content.numbers_for`` gives
its unit and year, the same numbers the replica's HTML reports are built from. The document
fixtures' generator writes them (``make_fixtures.write_docx``: python-docx, "Table Grid"
borders, table 3's header repeated on each page), LibreOffice converts the PDFs.
``python -m tests.replica.documents`` writes them to tests/fixtures/replica/documents/; the
files are committed so the replica serves the same bytes on every machine.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from tests.fixtures.parsers.documents import report_model
from tests.fixtures.parsers.documents.make_fixtures import soffice_convert, write_docx
from tests.replica.content import T3_COLUMNS, T3_ROWS, Numbers, numbers_for, report_title

DOCUMENTS_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "replica" / "documents"

# key -> (unit, report year, format)
DOCUMENTS: dict[str, tuple[str, int, str]] = {
    "trs_jiaotong_2023": ("青山县交通运输局", 2023, "pdf"),
    "trs_baishi_2024": ("青山县白石镇人民政府", 2024, "pdf"),
    "trs_shenji_2024": ("青山县审计局", 2024, "docx"),
    "hanweb_minzheng_2023": ("溪口区民政局", 2023, "pdf"),
    "anhui_341_2023": ("东河县财政局", 2023, "docx"),
    "anhui_342_2022": ("东河县教育局", 2022, "pdf"),
    "gkmlpt_shuili_2023": ("南岭区水利局", 2023, "pdf"),
    "generic_direct_2023": ("西山县林业局", 2023, "pdf"),
}
MEDIA_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def document_path(key: str) -> Path:
    return DOCUMENTS_DIR / f"{key}.{DOCUMENTS[key][2]}"


def numbers_of(key: str) -> Numbers:
    """The numbers in document ``key``: those of its unit and year."""
    unit, year, _ = DOCUMENTS[key]
    return numbers_for(f"{unit}{year}")


def report_of(unit: str, year: int, numbers: Numbers) -> list[tuple[str, object]]:
    """The report in the generator's reading-order form (headings, paragraphs, tables 2-4)."""
    a, r = numbers.active, numbers.requests

    def columns(key: str) -> list[int]:
        return [r[key][column] for column in T3_COLUMNS]

    disposals = [(group, item, columns(key))
                 for (group, item), (key, _) in zip(report_model.DISPOSAL_LABELS, T3_ROWS, strict=True)]
    review = [[numbers.review[g][p] for p in ("upheld", "corrected", "other", "pending")]
              for g in ("review", "litigation_direct", "litigation_after_review")]
    tables = [
        report_model.table2(a["rules"], a["normative"], a["licensing"][0], a["penalty"][0], a["coercion"][0],
                            a["fees"][0]),
        report_model.table3(columns("new"), columns("carried_over"), disposals),
        report_model.table4(review),
    ]
    intro = (f"本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）编制。全文包括总体情况、主动公开政府信息"
             f"情况、收到和处理政府信息公开申请情况、政府信息公开行政复议和行政诉讼情况、存在的主要问题及改进情况、"
             f"其他需要报告的事项。本报告所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。")
    overview = [f"{year}年，{unit}认真贯彻落实《条例》，坚持以公开为常态、不公开为例外，依法做好政府信息公开工作。",
                f"全年共收到政府信息公开申请{r['new']['total']}件，均在法定期限内答复。"]
    problems = ["公开内容的及时性有待提高。下一步，将加强业务培训，提升公开质量。"]
    return report_model.body(report_title(unit, year), intro, overview, tables, problems,
                             ["本年度未收取信息处理费。"], [unit, f"{year + 1}年1月20日"])


def make_all() -> None:
    DOCUMENTS_DIR.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for key, (unit, year, fmt) in DOCUMENTS.items():
            docx_path = Path(tmp) / f"{key}.docx"
            write_docx(docx_path, report_of(unit, year, numbers_of(key)))
            made = docx_path if fmt == "docx" else soffice_convert(docx_path, "pdf", Path(tmp))
            document_path(key).write_bytes(made.read_bytes())
            print(key, document_path(key).stat().st_size, file=sys.stderr)


if __name__ == "__main__":
    make_all()
