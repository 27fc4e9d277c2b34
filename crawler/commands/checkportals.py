"""``scrapy checkportals``: lint the portal registry and the platform adapters.

Prints one line per problem (``crawler.lint`` lists what is checked) and exits 1 when there
is any, 0 with a one-line summary when there is none::

    scrapy checkportals                                  # crawler/portals.toml (NIANBAO_REGISTRY)
    scrapy checkportals --registry tests/replica/portals.toml
"""

from __future__ import annotations

from pathlib import Path

from scrapy.commands import ScrapyCommand

from crawler.lint import FIXTURES, check_all


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "[--registry PATH] [--fixtures DIR]"

    def short_desc(self) -> str:
        return "Lint the portal registry, platform adapters, spiders and their fixtures"

    def add_options(self, parser) -> None:
        super().add_options(parser)
        parser.add_argument("--registry", help="registry to lint (default: the NIANBAO_REGISTRY setting)")
        parser.add_argument("--fixtures", default=str(FIXTURES),
                            help="saved-page fixtures, one folder per platform (default is tests/fixtures/crawler)")

    def run(self, args, opts) -> None:
        registry = opts.registry or self.settings.get("NIANBAO_REGISTRY")
        problems = check_all(registry, Path(opts.fixtures))
        for problem in problems:
            print(problem)
        if problems:
            print(f"{len(problems)} problem(s)")
            self.exitcode = 1
        else:
            print(f"{registry}: registry, adapters, spiders and fixtures OK")
