"""Rewrite the golden records of the seed reports: ``python -m tests.parsers.regenerate_golden``.

Run only after a deliberate parser change, then read ``git diff tests/fixtures/golden``.
"""

from tests.parsers.golden import golden_path, record_of, render, seed_files


def main() -> None:
    for seed in seed_files():
        path = golden_path(seed)
        path.write_text(render(record_of(seed)), encoding="utf-8")
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
