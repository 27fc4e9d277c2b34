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

from functools import lru_cache

from parsers import schema
from parsers.models import Check

Values = dict[str, int | float | None]


def _check(rule: str, totals: tuple[str, ...], parts: tuple[str, ...], values: Values, missing: set[str]) -> Check:
    keys = totals + parts
    found = [values.get(k) for k in keys]
    expected = sum(v for v in found[: len(totals)] if v is not None)
    actual = sum(v for v in found[len(totals):] if v is not None)
    blanks = None in found
    if missing and not missing.isdisjoint(keys):
        status = "not_assessable"
    elif abs(expected - actual) < 1e-9:
        status = "pass"
    else:
        status = "not_assessable" if blanks else "fail"
    return Check(rule=rule, keys=keys, expected=expected, actual=actual, status=status, blanks=blanks)


@lru_cache(maxsize=None)
def _rules(template: str) -> tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...]:
    """(rule, total keys, part keys) of every rule of ``template``, in a stable order."""
    rows = schema.REQUEST_ROWS[template]
    outcome_rows = [r for r in rows if r not in ("new", "carried_over", "total", "carried_forward")]
    rules = []
    for column in (c.key for c in schema.REQUEST_COLUMNS):
        at = lambda row: f"requests.{row}.{column}"  # noqa: E731
        rules.append((f"requests.balance.{column}", (at("new"), at("carried_over")), (at("total"), at("carried_forward"))))
        rules.append((f"requests.outcomes.{column}", (at("total"),), tuple(at(r) for r in outcome_rows)))
    for row in rows:
        rules.append((f"requests.row_sum.{row}", (f"requests.{row}.total",),
                      tuple(f"requests.{row}.{c}" for c in schema.REQUEST_PARTS)))
    for group in ("review", "litigation_direct", "litigation_after_review"):
        at = lambda outcome: f"review_litigation.{group}.{outcome}"  # noqa: E731
        rules.append((f"review_litigation.sum.{group}", (at("total"),),
                      tuple(at(o) for o in ("upheld", "corrected", "other", "pending"))))
    return tuple(rules)


def run_checks(template: str, values: Values, missing: set[str]) -> tuple[Check, ...]:
    """Every rule of the spec for ``template`` (``2019``/``2021``); ``missing`` = keys not found."""
    return tuple(_check(rule, totals, parts, values, missing) for rule, totals, parts in _rules(template))
