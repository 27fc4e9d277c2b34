"""Serve the replica portal: ``python -m tests.replica --port 8765``.

Site N of the replica listens on 127.0.0.1:<port + N>; tests/replica/portals.toml lists them
as portals for base port 8765 (``--write-registry PATH`` writes a copy for another port).
"""

import argparse
import time
from pathlib import Path

from tests.replica.server import REGISTRY_BASE_PORT, Replica


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.replica", description=__doc__)
    parser.add_argument("--port", type=int, default=REGISTRY_BASE_PORT, help="base port (site N on port+N)")
    parser.add_argument("--delay", type=float, default=0.0, help="seconds to wait before each response")
    parser.add_argument("--bench-pages", type=int, default=500, help="list pages of the synthetic bench column")
    parser.add_argument("--write-registry", type=Path, help="write the replica registry for this port here")
    args = parser.parse_args()
    replica = Replica(args.port, delay=args.delay, bench_pages=args.bench_pages).start()
    if args.write_registry:
        replica.write_registry(args.write_registry)
    for site in replica.sites:
        print(f"{site.name:10s} {replica.origin(site.name)}/  {site.site_name}", flush=True)
    print("replica ready", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        replica.stop()


if __name__ == "__main__":
    main()
