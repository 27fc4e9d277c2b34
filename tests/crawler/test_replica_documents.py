"""The replica's attachment-only reports are real, distinct PDF and Word files."""

import hashlib

import docx
import pdfplumber
import pytest

from parsers import parse
from tests.replica.content import T3_COLUMNS, Numbers, numbers_for
from tests.replica.documents import DOCUMENTS, document_path, numbers_of


def test_documents_open_and_name_their_report():
    digests = set()
    for key, (unit, year, fmt) in DOCUMENTS.items():
        path = document_path(key)
        digests.add(hashlib.sha256(path.read_bytes()).hexdigest())
        if fmt == "pdf":
            with pdfplumber.open(path) as pdf:
                text = "".join(page.extract_text() or "" for page in pdf.pages)
        else:
            text = "\n".join(p.text for p in docx.Document(path).paragraphs)
        assert f"{unit}{year}年政府信息公开工作年度报告" in text.replace(" ", "")
    assert len(digests) == len(DOCUMENTS), "identical files would be deduplicated as reposts"


def test_generated_numbers_satisfy_the_template_arithmetic():
    n = numbers_for("青山县审计局2024")
    columns = ("natural_person", "commercial", "research", "social_org", "legal_service", "other_org", "total")
    for column in columns:
        r = n.requests
        assert r["new"][column] + r["carried_over"][column] == r["total"][column] + r["carried_forward"][column]
    assert all(g["total"] == g["upheld"] + g["corrected"] + g["other"] + g["pending"] for g in n.review.values())


def _cells_of(numbers: Numbers) -> dict[str, float]:
    """The canonical cells the replica's content model puts in a report."""
    a = numbers.active
    cells = {f"active.art20_1.{row}.{column}": value for row in ("rules", "normative")
             for column, value in zip(("issued", "repealed", "in_force"), a[row], strict=True)}
    cells |= {"active.art20_5.licensing.decisions": a["licensing"][0], "active.art20_6.penalty.decisions":
              a["penalty"][0], "active.art20_6.coercion.decisions": a["coercion"][0],
              "active.art20_8.fees.amount": a["fees"][0]}
    cells |= {f"requests.{row}.{column}": values[column] for row, values in numbers.requests.items()
              for column in (*T3_COLUMNS, "total")}
    cells |= {f"review_litigation.{group}.{part}": value for group, parts in numbers.review.items()
              for part, value in parts.items()}
    return cells


@pytest.mark.parametrize("key", DOCUMENTS)
def test_attachment_reports_parse_complete_with_the_content_models_cells(key):
    # Review of the demo: the attachment-only reports parsed PARTIAL (only table 3, tables
    # without ruling lines). They are full 2021-template reports now, and must read whole.
    unit, year, _ = DOCUMENTS[key]
    report = parse(document_path(key).read_bytes(), url=f"http://127.0.0.1/{key}")
    assert report.problems == () and report.is_complete
    assert report.cell_values() == _cells_of(numbers_of(key))
    assert (report.agency, report.year, report.template) == (unit, year, "2021")
    assert all(report.sections.get(part) for part in ("overview", "problems", "other"))
