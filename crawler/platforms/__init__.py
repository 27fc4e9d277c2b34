"""Platform adapters: one module per CMS family portals run on (TRS, Hanweb, Anhui, gkmlpt,
generic), each knowing its list pages, pagination and article links. ``ADAPTERS`` maps the
registry's ``platform`` names to them; ``detect.detect_platform`` serves ``--platform auto``."""

from crawler.platforms.anhui import AnhuiAdapter
from crawler.platforms.base import Adapter
from crawler.platforms.generic import GenericAdapter
from crawler.platforms.gkmlpt import GkmlptAdapter
from crawler.platforms.hanweb import HanwebAdapter
from crawler.platforms.trs import TrsAdapter

ADAPTERS: dict[str, Adapter] = {
    adapter.name: adapter
    for adapter in (TrsAdapter(), HanwebAdapter(), AnhuiAdapter(), GkmlptAdapter(), GenericAdapter())
}

__all__ = ["ADAPTERS", "Adapter"]
