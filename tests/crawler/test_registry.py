"""The portal registry: validation on load, selection, and the fleet sweep (no downloads)."""

from urllib.parse import urlsplit

import pytest

from crawler.platforms import ADAPTERS
from crawler.registry import DEFAULT_REGISTRY, RegistryError, ad_hoc_portal, load_registry, select_portals
from tests.replica import REGISTRY as REPLICA_REGISTRY

REGISTRIES = [DEFAULT_REGISTRY, REPLICA_REGISTRY]


@pytest.mark.parametrize("path", REGISTRIES, ids=["real", "replica"])
def test_registry_loads(path):
    portals = load_registry(path)
    assert len(portals) >= 7
    assert all(p.name_zh and p.province and p.start_urls for p in portals.values())


def test_real_portals_are_seeded_unverified():
    portals = load_registry(DEFAULT_REGISTRY).values()
    assert {p.platform for p in portals} >= {"trs", "hanweb", "anhui", "generic"}
    assert not any(p.verified for p in portals), "nobody crawled these yet"
    assert all(not urlsplit(u).hostname.startswith("127.") for p in portals for u in p.start_urls)


@pytest.mark.parametrize("portal", list(load_registry(DEFAULT_REGISTRY).values())
                         + list(load_registry(REPLICA_REGISTRY).values()), ids=lambda p: p.id)
def test_fleet_sweep_start_requests_stay_on_the_portal(portal):
    requests = [follow.request for follow in ADAPTERS[portal.platform].start(portal)]
    assert requests
    assert {urlsplit(r.url).netloc for r in requests} <= portal.hosts


@pytest.mark.parametrize("name, message", [
    ("unknown_platform", "unknown platform 'wordpress'"),
    ("duplicate_id", "duplicate portal id 'zhejiang_test_gov'"),
    ("malformed_id", "id must be lowercase ASCII"),
    ("missing_start_urls", "start_urls must be a non-empty list"),
    ("bad_param_type", "hanweb.annual_report_years must be a list of int"),
    ("unknown_param", "unknown hanweb parameter(s) ['annual_report_year']"),
    ("foreign_params", "parameters for platform(s) ['hanweb'] but platform is 'trs'"),
    ("not_toml", "not valid TOML"),
    ("wait_for_without_browser", "wait_for is a CSS selector for browser portals"),
])
def test_bad_registry_is_rejected_with_a_clear_message(fixture_path, name, message):
    with pytest.raises(RegistryError) as error:
        load_registry(fixture_path("crawler", "registry", f"{name}.toml"))
    assert message in str(error.value)
    assert f"{name}.toml" in str(error.value)


def test_select_by_province_portal_and_all():
    portals = load_registry(DEFAULT_REGISTRY)
    zhejiang = select_portals(portals, province="浙江省")
    assert zhejiang and {p.province for p in zhejiang} == {"浙江省"}
    assert select_portals(portals, province="浙江") == zhejiang
    assert [p.id for p in select_portals(portals, portal="tianjin_gk")] == ["tianjin_gk"]
    assert len(select_portals(portals, portal="all")) == len(portals)
    with pytest.raises(RegistryError, match="unknown portal id"):
        select_portals(portals, portal="nowhere_gov")
    with pytest.raises(RegistryError, match="no portal in province"):
        select_portals(portals, province="火星省")


def test_ad_hoc_portal_from_a_start_url():
    portal = ad_hoc_portal("http://127.0.0.1:8765/zwgk/zfxxgknb/", "auto")
    assert portal.id == "adhoc_127_0_0_1_8765" and portal.platform == "auto"
    with pytest.raises(RegistryError):
        ad_hoc_portal("ftp://example/", "auto")
    with pytest.raises(RegistryError, match="unknown platform"):
        ad_hoc_portal("http://example.gov.cn/", "joomla")
