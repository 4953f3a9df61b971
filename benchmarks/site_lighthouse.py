"""Lighthouse scores and page weights for the built site.

Serves a built site (default ``site/``, made by ``make site``) on 127.0.0.1 — with gzip,
as GitHub Pages serves it — and
runs Lighthouse 12.2.3 (npm, Node 20) with Debian's Chromium against the home
page and the heaviest page (most bytes of HTML plus the local scripts, styles
and images it loads). Prints JSON.

    python benchmarks/site_lighthouse.py [SITE_DIR]

Needs ``npx`` and ``/usr/bin/chromium`` (or CHROME_PATH); not part of the tests.
"""

from __future__ import annotations

import functools
import gzip
import io
import json
import os
import re
import subprocess
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

LIGHTHOUSE = "lighthouse@12.2.3"
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-quic --no-first-run "
    "--disable-background-networking --disable-component-update --disable-sync"
)
_ASSET = re.compile(r"""(?:src|href)="([^"#?]+\.(?:js|css|png|svg|woff2?))""")


class _GzipHandler(SimpleHTTPRequestHandler):
    """Serves the site as GitHub Pages does: text compressed with gzip when the browser asks."""

    COMPRESSIBLE = (".html", ".css", ".js", ".json", ".svg", ".xml", ".txt")

    def send_head(self) -> Any:
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        accepts = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (accepts and path.suffix in self.COMPRESSIBLE and path.is_file()):
            return super().send_head()
        body = gzip.compress(path.read_bytes(), compresslevel=6)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def page_weight(site: Path, page: Path) -> int:
    """Bytes of the page's HTML plus every local script, style sheet and image it references."""
    html = page.read_text(encoding="utf-8")
    total = len(html.encode())
    for reference in set(_ASSET.findall(html)):
        if reference.startswith(("http://", "https://", "//")):
            continue
        target = (page.parent / reference).resolve()
        if target.is_file() and site.resolve() in target.parents:
            total += target.stat().st_size
    return total


def lighthouse(url: str) -> dict[str, Any]:
    env = dict(os.environ, CHROME_PATH=os.environ.get("CHROME_PATH", "/usr/bin/chromium"))
    result = subprocess.run(
        [
            "npx", "--yes", LIGHTHOUSE, url, "--quiet", "--output=json", "--output-path=stdout",
            "--only-categories=performance,accessibility", f"--chrome-flags={CHROME_FLAGS}",
        ],
        capture_output=True, text=True, env=env, check=True,
    )  # fmt: skip
    report = json.loads(result.stdout)
    audits = report["audits"]
    return {
        "performance": round(report["categories"]["performance"]["score"] * 100),
        "accessibility": round(report["categories"]["accessibility"]["score"] * 100),
        "total_byte_weight": audits["total-byte-weight"]["numericValue"],
        "largest_contentful_paint_ms": round(audits["largest-contentful-paint"]["numericValue"]),
        "total_blocking_time_ms": round(audits["total-blocking-time"]["numericValue"]),
    }


def main(argv: list[str]) -> int:
    site = Path(argv[0] if argv else "site")
    if not (site / "index.html").is_file():
        print(f"no built site in {site}: run `make site` first", file=sys.stderr)
        return 2
    pages = [p for p in site.rglob("index.html") if "assets" not in p.parts]
    weights = {p: page_weight(site, p) for p in pages}
    heaviest = max(weights, key=lambda p: weights[p])
    handler = functools.partial(_GzipHandler, directory=str(site))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        report = {}
        for page in dict.fromkeys([site / "index.html", heaviest]):
            path = page.parent.relative_to(site).as_posix()
            url = base + ("" if path == "." else path + "/")
            report[path] = {"local_bytes": weights[page], **lighthouse(url)}
    finally:
        server.shutdown()
    print(json.dumps({"lighthouse": LIGHTHOUSE, "pages": report}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
