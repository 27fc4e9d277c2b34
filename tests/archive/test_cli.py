"""The archive's ``nianbao`` commands: documented options, and ingest/reparse/export end to end."""

from __future__ import annotations

import json
import sqlite3

import pytest
from click.testing import CliRunner

from archive.cli import cli
from archive.cli.archive import COMMANDS
from tests.archive.conftest import ARCHIVE_FIXTURES, PARSER_FIXTURES


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c.name)
def test_every_option_has_help(command):
    assert command.help
    for param in command.params:
        if param.param_type_name == "option":
            assert param.help, f"{command.name} {param.opts}"


def test_ingest_reparse_export(tmp_path):
    runner = CliRunner()
    db = tmp_path / "a.db"
    result = runner.invoke(cli, ["ingest", str(PARSER_FIXTURES / "gbk_meta_2019.html"),
                                 str(ARCHIVE_FIXTURES), "--db", str(db)])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output.strip().splitlines()[-1])
    assert summary["actions"] == {"new": 2}
    assert summary["parse_failures"] == {"not_report": 1}  # the attachment page alone is no report

    result = runner.invoke(cli, ["reparse", "--db", str(db)])
    assert result.exit_code == 0 and json.loads(result.output.strip().splitlines()[-1])["captures"] == 0
    result = runner.invoke(cli, ["reparse", "--all", "--db", str(db)])
    assert json.loads(result.output.strip().splitlines()[-1])["actions"] == {"unchanged": 2}

    out = tmp_path / "out.db"
    result = runner.invoke(cli, ["export", str(out), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert sqlite3.connect(out).execute("select count(*) from reports").fetchone() == (2,)


def test_ingest_with_url_needs_exactly_one_file(tmp_path):
    result = CliRunner().invoke(cli, ["ingest", str(ARCHIVE_FIXTURES), "--url", "http://127.0.0.1/a",
                                      "--db", str(tmp_path / "a.db")])
    assert result.exit_code == 2 and "--url" in result.output


def test_commands_on_a_missing_archive_fail_clearly(tmp_path):
    for args in (["serve"], ["reparse"], ["export", str(tmp_path / "x.db")]):
        result = CliRunner().invoke(cli, [*args, "--db", str(tmp_path / "missing.db")])
        assert result.exit_code == 2 and "no archive" in result.output
