"""Lint the registry and the platform adapters: what ``scrapy checkportals`` reports.

Registry loading (``crawler.registry``) already rejects what would break a crawl; this adds
the project's conventions (style guide C.5, F), each problem one line:

* every registry row validates (all problems, not only the first);
* portal ids name the geography from the largest unit: the first word is the province's
  pinyin (``zhejiang_taizhou_luqiao_gov`` for 浙江省), the province is one of the 34
  provincial-level divisions, and an ``adcode`` starts with that province's two digits;
* no column start URL belongs to two portals;
* adapters: ``crawler/platforms/<name>.py`` defines ``<Name>Adapter`` with ``name = "<name>"``,
  every registry platform has an adapter and every adapter a parameter schema, the module
  docstring names each parameter and shows a ``[[portals]]`` example of its platform, and
  every parameter the code reads is declared (an undeclared one is rejected by the registry,
  so the code could never receive it) and every declared one is read;
* spiders: ``crawler/spiders/<name>.py`` defines ``<Name>Spider`` with ``name = "<name>"``; a
  module other than ``reports`` is a per-portal escape hatch, named after a registry portal;
* fixtures: each platform has saved pages under ``tests/fixtures/crawler/<platform>/``
  (``scrapy savefixture``), and every saved page has its ``.url`` sidecar.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from pathlib import Path

from scrapy import Spider

import crawler.spiders
from crawler.platforms import ADAPTERS
from crawler.registry import PLATFORM_PARAMS, Portal, read_registry

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "crawler"
SIDECARS = (".url", ".headers")

# The 34 provincial-level divisions: name -> (pinyin used in portal ids, adcode prefix).
PROVINCES: dict[str, tuple[str, str]] = {
    "北京市": ("beijing", "11"), "天津市": ("tianjin", "12"), "河北省": ("hebei", "13"),
    "山西省": ("shanxi", "14"), "内蒙古自治区": ("neimenggu", "15"), "辽宁省": ("liaoning", "21"),
    "吉林省": ("jilin", "22"), "黑龙江省": ("heilongjiang", "23"), "上海市": ("shanghai", "31"),
    "江苏省": ("jiangsu", "32"), "浙江省": ("zhejiang", "33"), "安徽省": ("anhui", "34"),
    "福建省": ("fujian", "35"), "江西省": ("jiangxi", "36"), "山东省": ("shandong", "37"),
    "河南省": ("henan", "41"), "湖北省": ("hubei", "42"), "湖南省": ("hunan", "43"),
    "广东省": ("guangdong", "44"), "广西壮族自治区": ("guangxi", "45"), "海南省": ("hainan", "46"),
    "重庆市": ("chongqing", "50"), "四川省": ("sichuan", "51"), "贵州省": ("guizhou", "52"),
    "云南省": ("yunnan", "53"), "西藏自治区": ("xizang", "54"), "陕西省": ("shaanxi", "61"),
    "甘肃省": ("gansu", "62"), "青海省": ("qinghai", "63"), "宁夏回族自治区": ("ningxia", "64"),
    "新疆维吾尔自治区": ("xinjiang", "65"), "台湾省": ("taiwan", "71"),
    "香港特别行政区": ("xianggang", "81"), "澳门特别行政区": ("aomen", "82"),
}

# portal.params.get("name" …) / portal.params["name"]
_PARAM_READ = re.compile(r"""\.params(?:\.get\(\s*|\[\s*)["'](\w+)["']""")


def camel(name: str) -> str:
    """``hanweb`` -> ``Hanweb``, ``zhejiang_taizhou_gov`` -> ``ZhejiangTaizhouGov``."""
    return "".join(word.capitalize() for word in name.split("_"))


def registry_problems(path: str | Path, portals: dict[str, Portal]) -> list[str]:
    """The naming rules and start-URL ownership on the registry's valid rows."""
    problems: list[str] = []
    owner: dict[str, str] = {}
    for portal in portals.values():
        where = f"{path}: portal {portal.id!r}"
        problems += [f"{where}: {problem}" for problem in _naming_problems(portal)]
        for url in portal.start_urls:
            if url in owner:
                problems.append(f"{where}: start URL {url} is also a start URL of {owner[url]!r}")
            owner.setdefault(url, portal.id)
    return problems


def _naming_problems(portal: Portal) -> list[str]:
    if portal.province not in PROVINCES:
        return [f"province {portal.province!r} is not a provincial-level division's full name (e.g. 浙江省)"]
    pinyin, code = PROVINCES[portal.province]
    problems = []
    if portal.id.split("_")[0] != pinyin:
        problems.append(f"id must start with its province's pinyin {pinyin!r} (geography from the largest unit)")
    if portal.adcode and not portal.adcode.startswith(code):
        problems.append(f"adcode {portal.adcode} is not in {portal.province} (codes there start with {code})")
    return problems


def adapter_problems(fixtures: Path = FIXTURES) -> list[str]:
    """Naming, schema, docstring, parameter and fixture problems of the platform adapters."""
    problems = []
    platforms = set(PLATFORM_PARAMS) - {"auto"}  # auto reads no parameters and has no adapter
    problems += [f"platform {name!r}: in the registry schema but has no adapter in crawler.platforms.ADAPTERS"
                 for name in sorted(platforms - set(ADAPTERS))]
    shared_reads = _params_read(Path(inspect.getfile(crawler.spiders)).parent)
    for name, adapter in sorted(ADAPTERS.items()):
        cls = type(adapter)
        where = f"platform {name!r} ({cls.__module__}.{cls.__name__})"
        module = importlib.import_module(cls.__module__)
        if cls.__module__ != f"crawler.platforms.{name}":
            problems.append(f"{where}: must be defined in crawler/platforms/{name}.py")
        if cls.__name__ != f"{camel(name)}Adapter":
            problems.append(f"{where}: class must be named {camel(name)}Adapter")
        if name not in PLATFORM_PARAMS:
            problems.append(f"{where}: no parameter schema in crawler.registry.PLATFORM_PARAMS")
            continue
        declared = set(PLATFORM_PARAMS[name])
        doc = inspect.getdoc(module) or ""
        if not doc:
            problems.append(f"{where}: module has no docstring (what it handles, parameters, an example)")
        else:
            problems += [f"{where}: docstring does not mention parameter {param!r}" for param in sorted(declared)
                         if param not in doc]
            if "[[portals]]" not in doc or not re.search(rf'platform\s*=\s*"{name}"', doc):
                problems.append(f'{where}: docstring has no registry example ([[portals]] … platform = "{name}")')
        read = set(_PARAM_READ.findall(inspect.getsource(module)))
        problems += [f"{where}: reads parameter {param!r} that PLATFORM_PARAMS[{name!r}] does not declare"
                     for param in sorted(read - declared)]
        problems += [f"{where}: declares parameter {param!r} that no code reads"
                     for param in sorted(declared - read - shared_reads)]
        problems += fixture_problems(name, fixtures)
    return problems


def _params_read(folder: Path) -> set[str]:
    return {param for path in folder.glob("*.py") for param in _PARAM_READ.findall(path.read_text(encoding="utf-8"))}


def fixture_problems(platform: str, fixtures: Path = FIXTURES) -> list[str]:
    """A platform needs saved pages, and every saved page its ``.url`` sidecar."""
    folder = fixtures / platform
    files = [p for p in folder.rglob("*") if p.is_file()] if folder.is_dir() else []
    saved = [p for p in files if p.suffix not in SIDECARS]
    if not saved:
        return [f"platform {platform!r}: no saved pages under {folder} (save some with `scrapy savefixture`)"]
    problems = [f"platform {platform!r}: {p} has no .url sidecar naming where it was fetched"
                for p in sorted(saved) if not p.with_name(p.name + ".url").is_file()]
    problems += [f"platform {platform!r}: sidecar {p} has no saved page beside it"
                 for p in sorted(files) if p.suffix in SIDECARS and not p.with_suffix("").is_file()]
    return problems


def spider_problems(portal_ids: set[str]) -> list[str]:
    """Spider modules: module = spider name = snake_case of the class; escape hatches name a portal."""
    problems = []
    for info in pkgutil.iter_modules(crawler.spiders.__path__):
        module = importlib.import_module(f"crawler.spiders.{info.name}")
        where = f"crawler/spiders/{info.name}.py"
        spiders = [obj for obj in vars(module).values()
                   if inspect.isclass(obj) and issubclass(obj, Spider) and obj.__module__ == module.__name__]
        if not spiders:
            problems.append(f"{where}: defines no spider")
        for spider in spiders:
            if spider.name != info.name:
                problems.append(f"{where}: spider {spider.__name__} is named {spider.name!r}, not {info.name!r}")
            if spider.__name__ != f"{camel(info.name)}Spider":
                problems.append(f"{where}: spider class must be named {camel(info.name)}Spider")
            if not inspect.getdoc(spider):
                problems.append(f"{where}: spider {spider.__name__} has no docstring")
        if info.name != "reports" and info.name not in portal_ids:
            problems.append(f"{where}: a per-portal spider must be named after a registry portal id")
    return problems


def check_all(registry: str | Path, fixtures: Path = FIXTURES) -> list[str]:
    """Every problem of the registry, the adapters, the spiders and the fixtures."""
    portals, problems = read_registry(registry)  # validation problems of every row
    return problems + registry_problems(registry, portals) + adapter_problems(fixtures) + spider_problems(set(portals))
