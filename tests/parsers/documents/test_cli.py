"""`nianbao parse` accepts every document type (issue 3, item 5)."""

import json

from click.testing import CliRunner

from archive.cli import cli
from tests.parsers.documents.conftest import DOCUMENTS


def test_nianbao_parse_reads_pdf_word_and_spreadsheets_in_one_run(html_report):
    names = ["report.pdf", "report.docx", "report.doc", "report.xlsx", "report.mht"]
    result = CliRunner().invoke(cli, ["parse", "--json", *[str(DOCUMENTS / n) for n in names]])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.output.splitlines()]
    assert [r["cells"] for r in records] == [html_report.cell_values()] * len(names)


def test_nianbao_parse_gives_the_reason_for_an_encrypted_pdf_and_goes_on():
    result = CliRunner().invoke(cli, ["parse", "--json", str(DOCUMENTS / "encrypted.pdf"),
                                      str(DOCUMENTS / "report.docx")])
    assert result.exit_code == 1
    assert "encrypted PDF" in result.stderr
    assert len(result.stdout.splitlines()) == 1
