"""The arithmetic every report declares about itself (勾稽关系), evaluated cell by cell.

Rules (names are stable; they appear in ``Check.rule``):

* ``requests.balance.<column>``: new + carried_over = total + carried_forward
* ``requests.outcomes.<column>``: total = granted + partial + Σwithheld + Σunable + Σnot_processed + Σother
* ``requests.row_sum.<row>``: the total column = the six applicant columns
* ``review_litigation.sum.<group>``: total = upheld + corrected + other + pending

Blanks count as 0. A rule that holds passes (``blanks`` says a blank was involved); one that
does not hold is ``not_assessable`` when a blank or missing cell is involved, else ``fail``.
"""

from __future__ import annotations

from parsers import schema
from parsers.models import Check

Values = dict[str, int | float | None]


def _check(rule: str, totals: list[str], parts: list[str], values: Values, missing: set[str]) -> Check:
    keys = tuple(totals + parts)
    expected = sum(values.get(k) or 0 for k in totals)
    actual = sum(values.get(k) or 0 for k in parts)
    blanks = any(values.get(k) is None for k in keys)
    if any(k in missing for k in keys):
        status = "not_assessable"
    elif abs(expected - actual) < 1e-9:
        status = "pass"
    else:
        status = "not_assessable" if blanks else "fail"
    return Check(rule=rule, keys=keys, expected=expected, actual=actual, status=status, blanks=blanks)


def run_checks(template: str, values: Values, missing: set[str]) -> tuple[Check, ...]:
    """Every rule of the spec for ``template`` (``2019``/``2021``); ``missing`` = keys not found."""
    rows = schema.REQUEST_ROWS[template]
    outcome_rows = [r for r in rows if r not in ("new", "carried_over", "total", "carried_forward")]
    checks = []
    for column in (c.key for c in schema.REQUEST_COLUMNS):
        at = lambda row: f"requests.{row}.{column}"  # noqa: E731
        checks.append(_check(f"requests.balance.{column}", [at("new"), at("carried_over")],
                             [at("total"), at("carried_forward")], values, missing))
        checks.append(_check(f"requests.outcomes.{column}", [at("total")], [at(r) for r in outcome_rows], values, missing))
    for row in rows:
        checks.append(_check(f"requests.row_sum.{row}", [f"requests.{row}.total"],
                             [f"requests.{row}.{c}" for c in schema.REQUEST_PARTS], values, missing))
    for group in ("review", "litigation_direct", "litigation_after_review"):
        at = lambda outcome: f"review_litigation.{group}.{outcome}"  # noqa: E731
        checks.append(_check(f"review_litigation.sum.{group}", [at("total")],
                             [at(o) for o in ("upheld", "corrected", "other", "pending")], values, missing))
    return tuple(checks)
