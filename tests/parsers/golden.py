"""Golden records: the seed reports and what parsing them must give, as committed JSON.

``python -m tests.parsers.regenerate_golden`` rewrites them; review the diff before committing.
"""

from __future__ import annotations

import json
from pathlib import Path

from parsers import parse

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SEEDS = FIXTURES / "seeds"
GOLDEN = FIXTURES / "golden"


def seed_files() -> list[Path]:
    return sorted(SEEDS.glob("*.txt"))


def golden_path(seed: Path) -> Path:
    return GOLDEN / f"seed_{seed.stem}.json"


def record_of(seed: Path) -> dict:
    """The whole record parsed from ``seed``, as plain JSON data."""
    return json.loads(json.dumps(parse(seed.read_bytes()).to_dict(), ensure_ascii=False))


def render(record: dict) -> str:
    return json.dumps(record, ensure_ascii=False, indent=1, sort_keys=False) + "\n"
