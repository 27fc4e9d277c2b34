"""``scrapy checkportals`` and ``scrapy savefixture`` (crawler/commands), run as a developer runs them."""

import os
import pkgutil
import shutil
import subprocess
import sys

import pytest

import crawler.commands
import crawler.lint
from crawler.lint import FIXTURES, adapter_problems, check_all
from crawler.platforms.base import Adapter
from crawler.registry import DEFAULT_REGISTRY, PLATFORM_PARAMS
from tests.crawler.conftest import ROOT


def scrapy(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "scrapy", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})


def test_checkportals_passes_on_the_real_registry():
    result = scrapy("checkportals")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().endswith("registry, adapters, spiders and fixtures OK")
    assert check_all(DEFAULT_REGISTRY) == []


BROKEN = """
[[portals]]
id = "shandong_jining_zoucheng_gov"
name_zh = "邹城市人民政府"
province = "山东省"
adcode = "330100"
platform = "hanweb"
start_urls = ["https://www.zoucheng.gov.cn/col/col1234/index.html"]

[[portals]]
id = "jining_zoucheng_xxgk"
name_zh = "邹城市信息公开"
province = "山东省"
platform = "hanweb"
start_urls = ["https://www.zoucheng.gov.cn/col/col1234/index.html"]

[[portals]]
id = "zhejiang_wenzhou_gov"
name_zh = "温州市人民政府"
province = "浙江"
platform = "trs"
start_urls = ["https://www.wenzhou.gov.cn/zfxxgknb/"]

[[portals]]
id = "jiangsu_wuxi_gov"
name_zh = "无锡市人民政府"
province = "江苏省"
platform = "wordpress"
start_urls = ["https://www.wuxi.gov.cn/"]

[[portals]]
id = "jiangsu_wuxi_xishan_gov"
name_zh = "无锡市锡山区人民政府"
province = "江苏省"
platform = "trs"
start_urls = ["https://www.wuxi.gov.cn/zfxxgknb/"]
[portals.trs]
max_pages = 3
"""


@pytest.fixture
def broken_fixtures(tmp_path):
    """The real fixtures, but a TRS page without its .url sidecar and a sidecar without its page."""
    folder = shutil.copytree(FIXTURES, tmp_path / "fixtures")
    trs = folder / "trs" / "replica_hubei_qingshan_gov"
    (trs / "list_2.html.url").unlink()
    (trs / "report.html").unlink()
    return folder


def test_checkportals_names_every_problem_of_a_broken_registry(tmp_path, broken_fixtures):
    registry = tmp_path / "portals.toml"
    registry.write_text(BROKEN, encoding="utf-8")
    result = scrapy("checkportals", "--registry", str(registry), "--fixtures", str(broken_fixtures))
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    expected = [
        "portal 'shandong_jining_zoucheng_gov': adcode 330100 is not in 山东省 (codes there start with 37)",
        "portal 'jining_zoucheng_xxgk': id must start with its province's pinyin 'shandong'",
        "portal 'jining_zoucheng_xxgk': start URL https://www.zoucheng.gov.cn/col/col1234/index.html is also "
        "a start URL of 'shandong_jining_zoucheng_gov'",
        "portal 'zhejiang_wenzhou_gov': province '浙江' is not a provincial-level division's full name",
        "portal #4 ('jiangsu_wuxi_gov'): unknown platform 'wordpress'",
        "portal #5 ('jiangsu_wuxi_xishan_gov'): unknown trs parameter(s) ['max_pages']",
        "list_2.html has no .url sidecar",
        "report.html.url has no saved page beside it",
        "report.html.headers has no saved page beside it",
    ]
    for text in expected:
        assert sum(text in line for line in lines) == 1, f"{text!r} not reported once in:\n{result.stdout}"
    assert all(str(registry) in line for line in lines if "portal" in line and "platform" not in line[:9])
    assert lines[-1] == f"{len(lines) - 1} problem(s)" == f"{len(expected)} problem(s)"


class MisnamedAdapter(Adapter):
    name = "trs"

    def parse_list(self, response, portal):
        yield from self.links(response)
        portal.params.get("page_size")


def test_adapter_lint_names_misnamed_classes_and_undeclared_or_unread_parameters(monkeypatch):
    monkeypatch.setitem(crawler.lint.ADAPTERS, "trs", MisnamedAdapter())
    monkeypatch.setitem(PLATFORM_PARAMS, "hanweb", {**PLATFORM_PARAMS["hanweb"], "group_size": (False, (int,))})
    problems = adapter_problems()
    where = "platform 'trs' (tests.crawler.test_commands.MisnamedAdapter)"
    assert f"{where}: must be defined in crawler/platforms/trs.py" in problems
    assert f"{where}: class must be named TrsAdapter" in problems
    assert f"{where}: reads parameter 'page_size' that PLATFORM_PARAMS['trs'] does not declare" in problems
    assert f'{where}: docstring has no registry example ([[portals]] … platform = "trs")' in problems
    assert f"{where}: docstring does not mention parameter 'max_list_pages'" in problems
    hanweb = "platform 'hanweb' (crawler.platforms.hanweb.HanwebAdapter)"
    assert f"{hanweb}: docstring does not mention parameter 'group_size'" in problems
    assert f"{hanweb}: declares parameter 'group_size' that no code reads" in problems
    assert len(problems) == 7


# ------------------------------------------------------------------------------- savefixture


def test_savefixture_saves_the_bytes_as_served_once_and_politely(replica, replica_registry, tmp_path):
    url = replica.origin("generic") + "/gk/zfxxgknb/list.asp?page=2"  # GBK bytes labelled UTF-8
    before = replica.hits.copy()
    result = scrapy("savefixture", url, "--portal", "replica_sichuan_xishan_gov", "--registry", str(replica_registry),
                    "--fixtures", str(tmp_path), "-s", "NIANBAO_DOWNLOAD_DELAY=0")
    assert result.returncode == 0, result.stderr[-2000:]
    saved = tmp_path / "generic" / "replica_sichuan_xishan_gov" / "list.html"
    assert result.stdout.strip() == str(saved)
    assert saved.read_bytes() == replica.site("generic")._list(2)  # GBK stays GBK
    assert saved.with_name("list.html.url").read_text() == url + "\n"
    headers = saved.with_name("list.html.headers").read_text().splitlines()
    assert headers[0] == "HTTP/1.1 200" and "Content-Type: text/html; charset=utf-8" in headers
    assert f"Content-Length: {saved.stat().st_size}" in headers
    hits = replica.hits.copy()
    hits.subtract(before)
    assert +hits == {("generic", "GET", "/robots.txt"): 1, ("generic", "GET", "/gk/zfxxgknb/list.asp"): 1}
    assert all(agent.startswith("nianbao/") for agent in replica.user_agents["generic"])

    again = scrapy("savefixture", url, "--portal", "replica_sichuan_xishan_gov", "--registry", str(replica_registry),
                   "--fixtures", str(tmp_path))
    assert again.returncode == 1 and "already saved as" in again.stderr
    assert replica.hits[("generic", "GET", "/gk/zfxxgknb/list.asp")] == hits[("generic", "GET", "/gk/zfxxgknb/list.asp")] \
        + before[("generic", "GET", "/gk/zfxxgknb/list.asp")], "a saved URL is not fetched again"


def test_savefixture_obeys_robots_txt_and_names_new_portals_by_platform(replica, replica_registry, tmp_path):
    secret = replica.origin("generic") + "/gk/private/content_999.html"
    refused = scrapy("savefixture", secret, "--portal", "replica_sichuan_xishan_gov", "--role", "report",
                     "--registry", str(replica_registry), "--fixtures", str(tmp_path), "-s", "NIANBAO_DOWNLOAD_DELAY=0")
    assert refused.returncode == 1 and "robots.txt" in refused.stderr
    assert ("generic", "GET", "/gk/private/content_999.html") not in replica.hits
    assert not (tmp_path / "generic").exists()

    column = replica.origin("hanweb") + "/col/col42150/index.html?uid=380055&pageNum=2"
    unknown = scrapy("savefixture", column, "--portal", "zhejiang_ningbo_xikou_gov", "--registry", str(replica_registry),
                     "--fixtures", str(tmp_path))
    assert unknown.returncode != 0 and "pass --platform" in unknown.stderr
    saved = scrapy("savefixture", column, "--portal", "zhejiang_ningbo_xikou_gov", "--platform", "hanweb",
                   "--registry", str(replica_registry), "--fixtures", str(tmp_path), "-s", "NIANBAO_DOWNLOAD_DELAY=0")
    assert saved.returncode == 0, saved.stderr[-2000:]
    assert saved.stdout.strip() == str(tmp_path / "hanweb" / "zhejiang_ningbo_xikou_gov" / "list.html")


def test_every_crawler_command_is_documented_and_has_help():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    guide = (ROOT / "docs" / "crawler.md").read_text(encoding="utf-8")
    names = [m.name for m in pkgutil.iter_modules(crawler.commands.__path__)]
    assert names == ["checkportals", "savefixture"]
    for name in names:
        assert f"scrapy {name}" in readme and f"scrapy {name}" in guide
        result = scrapy(name, "-h")
        assert result.returncode == 0 and f"scrapy {name}" in result.stdout
        # Scrapy's help formatter turns a wrapped line ending in ':' into an underlined heading
        assert [line for line in result.stdout.splitlines() if set(line.strip()) == {"="}] == ["=====", "======="]
