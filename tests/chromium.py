"""Headless Chromium (Debian's ``chromium``; .ci/run installs it) for tests that look at a page the
way a person's browser shows it: the DOM after rendering, a screenshot, and every URL the page
asked for (from Chromium's net log)."""
from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]
# requests Chromium makes for itself carry no page origin; the page's own carry the page's
BROWSER_INITIATOR = "not an origin"


@dataclass
class Rendered:
    dom: str
    page_requests: list[str]  # URLs the page asked for (file:// ones included)


def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    assert path, "Debian's chromium is not installed: apt-get install -y chromium (.ci/run does it)"
    return path


def _page_requests(net_log: Path) -> list[str]:
    log = json.loads(net_log.read_text(encoding="utf-8"))
    start_job = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    jobs = [e.get("params", {}) for e in log["events"] if e["type"] == start_job]
    return [job["url"] for job in jobs if "url" in job and job.get("initiator") != BROWSER_INITIATOR]


def render(page: Path, screenshot: Path | None = None, width: int = 1280, height: int = 2400,
           timeout: float = 120) -> Rendered:
    """Open ``page`` in a fresh headless Chromium profile: the DOM after rendering, the URLs the page
    requested, and (when asked) a PNG screenshot of its first ``height`` pixels."""
    with tempfile.TemporaryDirectory(prefix="nianbao-chromium-") as tmp:
        net_log = Path(tmp) / "net-log.json"
        common = [chromium(), *FLAGS, f"--window-size={width},{height}"]
        dumped = subprocess.run([*common, f"--user-data-dir={tmp}/dom", f"--log-net-log={net_log}", "--dump-dom",
                                 page.resolve().as_uri()], capture_output=True, text=True, timeout=timeout, check=True)
        requests = _page_requests(net_log)
        if screenshot is not None:
            subprocess.run([*common, f"--user-data-dir={tmp}/shot", f"--screenshot={screenshot.resolve()}",
                            page.resolve().as_uri()], capture_output=True, timeout=timeout, check=True)
            assert screenshot.stat().st_size > 0
    return Rendered(dumped.stdout, requests)
