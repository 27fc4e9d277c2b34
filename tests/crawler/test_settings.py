"""Polite and safe defaults, each overridable from the environment (NIANBAO_* names)."""

import json
import os
import subprocess
import sys

from tests.crawler.conftest import ROOT


def settings_in_subprocess(**env) -> dict:
    code = ("import json; from scrapy.utils.project import get_project_settings as g; s = g(); "
            "print(json.dumps({k: s.get(k) for k in ('ROBOTSTXT_OBEY', 'AUTOTHROTTLE_ENABLED', "
            "'CONCURRENT_REQUESTS_PER_DOMAIN', 'TELNETCONSOLE_ENABLED', 'REMOTE_CONTROL_ENABLED', 'USER_AGENT', "
            "'DOWNLOAD_MAXSIZE', 'RETRY_HTTP_CODES', 'NIANBAO_OUTPUT_DIR', 'PLAYWRIGHT_LAUNCH_OPTIONS', "
            "'DOWNLOAD_DELAY')}, default=str))")
    clean = {k: v for k, v in os.environ.items() if not k.startswith("NIANBAO_")}
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                            env={**clean, "PYTHONPATH": str(ROOT), **env}, check=True)
    return json.loads(result.stdout)


def test_polite_and_closed_by_default():
    s = settings_in_subprocess()
    assert s["ROBOTSTXT_OBEY"] is True and s["AUTOTHROTTLE_ENABLED"] is True
    assert s["CONCURRENT_REQUESTS_PER_DOMAIN"] <= 2 and s["DOWNLOAD_DELAY"] > 0
    assert s["TELNETCONSOLE_ENABLED"] is False and s["REMOTE_CONTROL_ENABLED"] is False
    assert s["USER_AGENT"].startswith("nianbao/") and "+https://" in s["USER_AGENT"]
    assert 0 < s["DOWNLOAD_MAXSIZE"] <= 200 * 1024 * 1024
    assert {500, 502, 503, 504, 408, 429} <= set(s["RETRY_HTTP_CODES"])
    if os.path.exists("/usr/bin/chromium"):
        assert s["PLAYWRIGHT_LAUNCH_OPTIONS"]["executable_path"] == "/usr/bin/chromium"


def test_environment_overrides():
    s = settings_in_subprocess(NIANBAO_CONTACT_URL="https://example.org/contact", NIANBAO_OUTPUT_DIR="archive-crawls/zhejiang",
                               NIANBAO_AUTOTHROTTLE="false", NIANBAO_CHROMIUM="/opt/chrome")
    assert "+https://example.org/contact;" in s["USER_AGENT"]
    assert s["NIANBAO_OUTPUT_DIR"] == "archive-crawls/zhejiang" and s["AUTOTHROTTLE_ENABLED"] is False
    assert s["PLAYWRIGHT_LAUNCH_OPTIONS"]["executable_path"] == "/opt/chrome"
