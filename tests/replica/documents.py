"""Attachment-only reports of the replica: real small PDF and Word files, made once.

``python -m tests.replica.documents`` writes them to tests/fixtures/replica/documents/ with
python-docx (DOCX) and LibreOffice (PDF from that DOCX); the files are committed so the
replica serves the same bytes on every machine.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from tests.replica.content import T3_COLUMNS, T3_ROWS, numbers_for, report_title

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


def _docx(unit: str, year: int, path: Path) -> None:
    from docx import Document

    document = Document()
    document.core_properties.author = unit
    document.add_heading(report_title(unit, year), level=1)
    document.add_paragraph("一、总体情况")
    document.add_paragraph(f"{year}年，{unit}认真贯彻落实《中华人民共和国政府信息公开条例》，"
                           "坚持以公开为常态、不公开为例外，依法做好政府信息公开工作。")
    document.add_paragraph("三、收到和处理政府信息公开申请情况")
    numbers = numbers_for(f"{unit}{year}")
    keys = ("new", "carried_over", *(k for k, _ in T3_ROWS), "total", "carried_forward")
    labels = {"new": "一、本年新收政府信息公开申请数量", "carried_over": "二、上年结转政府信息公开申请数量",
              "total": "（七）总计", "carried_forward": "四、结转下年度继续办理", **dict(T3_ROWS)}
    table = document.add_table(rows=1, cols=8)
    header = ("", "自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计")
    for cell, text in zip(table.rows[0].cells, header):
        cell.text = text
    for key in keys:
        cells = table.add_row().cells
        cells[0].text = labels[key]
        for cell, column in zip(cells[1:], (*T3_COLUMNS, "total")):
            cell.text = str(numbers.requests[key][column])
    document.add_paragraph("五、存在的主要问题及改进情况")
    document.add_paragraph("公开内容的及时性有待提高，下一步将加强培训。")
    document.save(path)


def make_all() -> None:
    DOCUMENTS_DIR.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for key, (unit, year, fmt) in DOCUMENTS.items():
            docx_path = Path(tmp) / f"{key}.docx"
            _docx(unit, year, docx_path)
            if fmt == "docx":
                document_path(key).write_bytes(docx_path.read_bytes())
                continue
            subprocess.run(
                ["soffice", f"-env:UserInstallation=file://{tmp}/profile", "--headless",
                 "--convert-to", "pdf", "--outdir", tmp, str(docx_path)],
                check=True, capture_output=True, timeout=120,
            )
            document_path(key).write_bytes((Path(tmp) / f"{key}.pdf").read_bytes())
            print(key, document_path(key).stat().st_size, file=sys.stderr)


if __name__ == "__main__":
    make_all()
