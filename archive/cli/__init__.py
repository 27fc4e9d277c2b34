"""The ``nianbao`` command: the one entry point for everything a user does.

Each family of subcommands lives in its own module of this package and is registered here.
This package is the only place allowed to orchestrate across crawler and archive.
"""

import click


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="nianbao")
def cli() -> None:
    """nianbao (年报): an archive of Chinese government information disclosure annual reports."""


def main() -> None:
    cli()

from archive.cli import parse as _parse  # noqa: E402
cli.add_command(_parse.parse)
from archive.cli import crawl as _crawl  # noqa: E402
cli.add_command(_crawl.crawl)
cli.add_command(_crawl.portals)
from archive.cli import archive as _archive  # noqa: E402
for _command in _archive.COMMANDS: cli.add_command(_command)  # noqa: E702
from archive.cli import ops as _ops  # noqa: E402
for _command in _ops.COMMANDS: cli.add_command(_command)  # noqa: E702
from archive.cli import schedule as _schedule  # noqa: E402
cli.add_command(_schedule.schedule)
