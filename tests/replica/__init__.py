"""The replica portal: local sites reproducing how real portals publish annual reports.

``python -m tests.replica --port 8765`` serves it; ``tests/replica/portals.toml`` is its
registry (same format as crawler/portals.toml); tests import ``Replica`` to serve it on free
ports and ask it which captures a complete crawl must archive.
"""

from tests.replica.server import REGISTRY, Replica

__all__ = ["REGISTRY", "Replica"]
