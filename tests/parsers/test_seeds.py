"""The five seed reports (real text extracted from Word/PDF/HTML) parse to their golden records.

Besides the whole-record comparison, the fields that matter most are pinned by hand here,
read off the seed tables cell by cell.
"""

import json

import pytest

from tests.parsers.golden import golden_path, record_of, seed_files

SEEDS = {seed.stem[:3]: seed for seed in seed_files()}


@pytest.fixture(scope="module")
def records():
    return {key: record_of(seed) for key, seed in SEEDS.items()}


@pytest.mark.parametrize("seed", seed_files(), ids=lambda p: p.stem[:3])
def test_seed_matches_golden_record(seed):
    expected = json.loads(golden_path(seed).read_text(encoding="utf-8"))
    assert record_of(seed) == expected


@pytest.mark.parametrize(
    ("seed", "title", "agency", "year", "published"),
    [
        ("000", "瓦庙镇2020年政府信息公开工作年度报告", "瓦庙镇人民政府", 2020, None),
        ("001", "2019年度桑洲镇政府信息公开工作年度报告", "宁海县桑洲镇人民政府", 2019, None),
        ("002", "兰西县兰河乡人民政府2020年政府信息公开工作年度报告", "兰西县兰河乡人民政府", 2020, None),
        ("003", "漳平市芦芝镇人民政府2020年政府信息公开工作年度报告", "漳平市芦芝镇人民政府", 2020, "2021-01-18"),
        ("004", "灵武市东塔镇人民政府2020年政府信息公开工作年度报告", "灵武市东塔镇人民政府", 2020, None),
    ],
)
def test_seed_identity(records, seed, title, agency, year, published):
    record = records[seed]
    assert (record["title"], record["agency"], record["year"], record["published_date"]) == (title, agency, year, published)
    assert record["template"] == "2019"  # all five use the 2019 tables (procurement row, one 其他处理 row)
    assert record["status"] == "complete" and record["problems"] == []
    assert all(check["status"] == "pass" for check in record["checks"])
    assert len(record["cells"]) == 198


def test_seed_000_blank_applicant_columns_and_money(records):
    cells, raw = records["000"]["cells"], records["000"]["cells_raw"]
    assert cells["active.art20_9.procurement.items"] == 22
    assert cells["active.art20_9.procurement.amount"] == 1190.1
    assert raw["active.art20_9.procurement.amount"] == "1190.1万元"
    # every applicant column is a &nbsp; blank, the total column says 0 on all 23 rows
    requests = {k: v for k, v in cells.items() if k.startswith("requests.")}
    assert {k: v for k, v in requests.items() if v is not None} == {
        k: 0 for k in requests if k.endswith(".total")
    }
    review = {k: v for k, v in cells.items() if k.startswith("review_litigation.") and v is not None}
    assert review == {
        "review_litigation.review.upheld": 1,
        "review_litigation.review.total": 1,
        "review_litigation.litigation_direct.total": 0,
        "review_litigation.litigation_after_review.total": 0,
    }
    blank_check = next(c for c in records["000"]["checks"] if c["rule"] == "requests.row_sum.new")
    assert blank_check["status"] == "pass" and blank_check["blanks"] is True


def test_seed_001_mostly_blank_table_3(records):
    cells = records["001"]["cells"]
    filled = {k: v for k, v in cells.items() if v is not None and not k.startswith("active.")}
    assert filled == {
        "requests.new.natural_person": 0,
        "requests.new.total": 0,
        "requests.carried_over.total": 0,
        "requests.total.natural_person": 0,
        "requests.total.total": 0,
        "requests.carried_forward.total": 0,
        "review_litigation.review.total": 0,
        "review_litigation.litigation_direct.total": 0,
        "review_litigation.litigation_after_review.total": 0,
    }
    assert cells["active.art20_9.procurement.items"] == 27
    assert cells["active.art20_9.procurement.amount"] == 9.2


def test_seed_003_tab_rows_split_table_and_repeated_row(records):
    cells = records["003"]["cells"]
    nonzero = {k: v for k, v in cells.items() if v}
    assert nonzero == {
        "active.art20_1.normative.total": 1,
        "active.art20_5.licensing.prev_items": 19,
        "active.art20_5.other_services.prev_items": 44,
        "active.art20_5.other_services.decisions": 212,
    }
    assert all(v == 0 for k, v in cells.items() if k not in nonzero)


@pytest.mark.parametrize("seed", ["002", "004"])
def test_all_zero_seeds(records, seed):
    assert set(records[seed]["cells"].values()) == {0}


def test_sections_are_split_at_their_headings(records):
    sections = records["003"]["sections"]
    assert sections["overview"].startswith("2020年以来，芦芝镇认真贯彻")
    assert sections["other"].startswith("没有其他需要报告的事项。")
    assert "存在的主要问题" not in sections["review_litigation"]
    assert records["000"]["sections"]["other"] == "无"
