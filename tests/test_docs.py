"""The README stays true: its two commands exist and CI runs the test one; every command is documented."""

import re
from pathlib import Path

from click.testing import CliRunner

from archive.cli import cli

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
DOCS = README + "".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "docs").glob("*.md")))


def test_the_readme_names_two_scripts_that_exist():
    scripts = re.findall(r"^bash (scripts/\S+)", README, flags=re.MULTILINE)
    assert scripts[:2] == ["scripts/demo.sh", "scripts/test.sh"]
    assert all((ROOT / s).is_file() for s in scripts)


def test_ci_runs_the_readme_test_command():
    assert "bash scripts/test.sh" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_every_command_is_documented_and_has_help():
    runner = CliRunner()
    for name in cli.commands:
        assert f"nianbao {name}" in DOCS, f"nianbao {name} is not documented"
        result = runner.invoke(cli, [name, "--help"])
        assert result.exit_code == 0 and "Usage:" in result.output


def test_every_linked_document_exists():
    for target in re.findall(r"\]\((docs/[^)]+)\)", README):
        assert (ROOT / target).is_file(), target
