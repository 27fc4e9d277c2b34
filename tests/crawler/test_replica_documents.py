"""The replica's attachment-only reports are real, distinct PDF and Word files."""

import hashlib

import docx
import pdfplumber

from tests.replica.content import numbers_for
from tests.replica.documents import DOCUMENTS, document_path


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
