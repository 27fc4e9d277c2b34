"""The replica's HTTP servers: one ThreadingHTTPServer per site, on consecutive 127.0.0.1 ports.

``Replica(base_port).start()`` builds every site and serves site ``offset`` on
``base_port + offset``; ``hits`` counts requests per (site, method, path) so tests can check
what a crawl did (e.g. that the Big5 gateway was never fetched), ``user_agents`` who asked.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections import Counter, defaultdict
from http.cookies import SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from tests.replica.sites import SITE_CLASSES, Expected, Site

REGISTRY = Path(__file__).with_name("portals.toml")
REGISTRY_BASE_PORT = 8765  # the port the committed registry's URLs use


def _handler(site: Site, replica: "Replica"):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "ReplicaCMS/1.0"

        def _serve(self, method: str) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            form = dict(parse_qsl(raw.decode("utf-8", "replace"))) if raw else {}
            jar = SimpleCookie(self.headers.get("Cookie") or "")
            cookies = {k: m.value for k, m in jar.items()}
            with replica.lock:
                replica.hits[(site.name, method, parts.path)] += 1
                replica.user_agents[site.name].add(self.headers.get("User-Agent", ""))
            if replica.delay:
                time.sleep(replica.delay)
            reply = site.handle(method, parts.path, parts.query, form, cookies)
            self.send_response(reply.status)
            self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(len(reply.body)))
            for name, value in reply.headers:
                self.send_header(name, value)
            self.end_headers()
            if method != "HEAD":
                self.wfile.write(reply.body)

        def do_GET(self):
            self._serve("GET")

        def do_POST(self):
            self._serve("POST")

        def do_HEAD(self):
            self._serve("HEAD")

        def log_message(self, format, *args):  # quiet: tests read `hits`, not stderr
            pass

    return Handler


class _Server(ThreadingHTTPServer):
    # socketserver's default listen backlog is 5: a crawler opening 16 connections at once
    # would see SYNs dropped and retried a second later, which measures TCP, not the crawler.
    request_queue_size = 128
    daemon_threads = True


def free_base_port(count: int) -> int:
    """A base port with ``count`` consecutive free ports above it on 127.0.0.1."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            base = probe.getsockname()[1]
        if base + count >= 65535:
            continue
        try:
            held = []
            for port in range(base, base + count):
                s = socket.socket()
                held.append(s)
                s.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
        finally:
            for s in held:
                s.close()
    raise RuntimeError("no run of free ports on 127.0.0.1")


class Replica:
    """All replica sites, served from background threads."""

    def __init__(self, base_port: int | None = None, delay: float = 0.0, bench_pages: int = 500):
        self.sites = [cls(bench_pages) if cls.name == "bench" else cls() for cls in SITE_CLASSES]
        self.base_port = base_port if base_port is not None else free_base_port(len(self.sites))
        self.delay = delay
        self.hits: Counter = Counter()
        self.user_agents: defaultdict[str, set[str]] = defaultdict(set)  # per site: who fetched
        self.lock = threading.Lock()
        self.servers: list[ThreadingHTTPServer] = []

    def site(self, name: str) -> Site:
        return next(s for s in self.sites if s.name == name)

    def origin(self, name: str) -> str:
        return f"http://127.0.0.1:{self.base_port + self.site(name).offset}"

    def start(self) -> "Replica":
        for site in self.sites:
            site.build(f"127.0.0.1:{self.base_port + site.offset}")
        for site in self.sites:
            site.link(self.sites)
        for site in self.sites:
            port = self.base_port + site.offset
            server = _Server(("127.0.0.1", port), _handler(site, self))
            threading.Thread(target=server.serve_forever, daemon=True, name=f"replica-{site.name}").start()
            self.servers.append(server)
        return self

    def stop(self) -> None:
        for server in self.servers:
            server.shutdown()
            server.server_close()

    def expected(self, *site_names: str) -> list[Expected]:
        """Reports and attachments a complete, polite crawl of these sites archives."""
        names = site_names or [s.name for s in self.sites]
        return [e for s in self.sites if s.name in names for e in s.expected]

    def write_registry(self, path: Path) -> Path:
        """The replica registry with its URLs moved to this replica's ports."""
        text = REGISTRY.read_text(encoding="utf-8")
        moved = re.sub(r"127\.0\.0\.1:(\d+)",
                       lambda m: f"127.0.0.1:{int(m.group(1)) - REGISTRY_BASE_PORT + self.base_port}", text)
        path.write_text(moved, encoding="utf-8")
        return path
