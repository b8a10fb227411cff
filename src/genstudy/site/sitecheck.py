"""Check the rendered book in a real browser: headless Chromium driven by Selenium.

:func:`check_site` serves a built site (``_build/html``) on loopback, loads every page in
Chromium and reports, page by page:

* ``image``: an ``<img>`` that did not load (missing file, broken data);
* ``link``: an internal link to a file that is not in the site, or to an ``#anchor`` that
  the target page does not define;
* ``math``: a math element that MathJax did not typeset, a TeX error MathJax rendered as
  ``merror``, or MathJax loaded from anywhere but the site itself (math must render offline);
* ``cell-error``: a notebook cell with an error output (traceback) that is not tagged
  ``raises-exception``, or any stderr output;
* ``console``: a severe message in the browser console (a failed request, a script error).

It can also save full-page screenshots of chosen pages. The book's test suite runs it on
the smoke build (``tests/test_site.py``); ``genstudy site check`` runs it on any build.
Needs Debian's ``chromium`` and ``chromium-driver`` (``make setup`` installs them).
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urldefrag, urlsplit

from genstudy.errors import GenstudyError

#: Folders of a Sphinx build that hold assets, not pages.
ASSET_DIRS = ("_static", "_sources", "_images", "_sphinx_design_static", ".doctrees")
#: Chromium flags for a machine without a display or a network (see the env notes).
CHROMIUM_FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage", "--hide-scrollbars")
SCREENSHOT_WIDTH, MAX_SCREENSHOT_HEIGHT = 1280, 12_000
#: The book's pages worth a screenshot (file stem -> page): a model chapter, the comparison, the claims.
BOOK_SCREENSHOTS = {"model_chapter_gan": "book/executed/02_gan.html",
                    "comparison": "book/executed/90_comparison.html",
                    "claims": "book/executed/91_claims.html"}
PAGE_TIMEOUT_S = 60

#: Collected in the page once it (and MathJax) finished: what the checks need, as JSON.
_PROBE = """
const cells = Array.from(document.querySelectorAll('div.cell'));
const mathEls = Array.from(document.querySelectorAll('.math'));
const mjScript = Array.from(document.scripts).map(s => s.src).find(s => /mathjax/i.test(s)) || null;
return {
  images: Array.from(document.images).map(i => ({src: i.currentSrc || i.src,
                                                ok: i.complete && i.naturalWidth > 0})),
  links: Array.from(document.querySelectorAll('a[href]')).map(a => a.href),
  ids: Array.from(document.querySelectorAll('[id]')).map(e => e.id)
        .concat(Array.from(document.querySelectorAll('a[name]')).map(a => a.name)),
  math: mathEls.length,
  unrendered: mathEls.filter(e => !e.querySelector('mjx-container') && e.tagName !== 'MJX-CONTAINER')
                     .map(e => e.textContent.trim().slice(0, 80)),
  merrors: Array.from(document.querySelectorAll('mjx-merror'))
                .map(e => (e.getAttribute('data-mjx-error') || e.textContent).slice(0, 80)),
  mathjax: mjScript,
  cellErrors: cells.filter(c => !c.classList.contains('tag_raises-exception'))
                   .flatMap(c => Array.from(c.querySelectorAll('.output.traceback')))
                   .map(e => e.textContent.trim().split('\\n').slice(-1)[0].slice(0, 120)),
  stderr: Array.from(document.querySelectorAll('.output.stderr')).map(e => e.textContent.trim().slice(0, 120)),
  height: Math.max(document.body.scrollHeight, document.documentElement.scrollHeight),
};
"""

#: Resolves when MathJax has typeset the page (at once when the page loads no MathJax).
_WAIT_FOR_MATHJAX = """
const done = arguments[arguments.length - 1];
const start = Date.now();
(function poll() {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    MathJax.startup.promise.then(() => done('typeset'), e => done('error: ' + e));
  } else if (!document.querySelector('script[src*="mathjax" i]') || Date.now() - start > 20000) {
    done('no mathjax');
  } else { setTimeout(poll, 50); }
})();
"""


@dataclass
class PageReport:
    """What one page showed: counts of what was checked and the problems found."""

    path: str
    images: int = 0
    links: int = 0
    math: int = 0
    problems: list[str] = field(default_factory=list)


@dataclass
class SiteReport:
    """Every page of a site: ``pages`` in load order, ``screenshots`` written (name → file)."""

    pages: list[PageReport]
    screenshots: dict[str, Path] = field(default_factory=dict)

    @property
    def problems(self) -> list[str]:
        """``"<page>: <kind>: <detail>"`` for every problem, in page order."""
        return [f"{p.path}: {problem}" for p in self.pages for problem in p.problems]

    def totals(self) -> dict[str, int]:
        return {"pages": len(self.pages), "images": sum(p.images for p in self.pages),
                "links": sum(p.links for p in self.pages), "math": sum(p.math for p in self.pages),
                "problems": len(self.problems)}


def site_pages(html_dir: Path) -> list[str]:
    """Every HTML page of the site (paths relative to ``html_dir``, POSIX), assets excluded."""
    pages = []
    for path in sorted(html_dir.rglob("*.html")):
        rel = path.relative_to(html_dir)
        if rel.parts[0] not in ASSET_DIRS:
            pages.append(rel.as_posix())
    return pages


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextlib.contextmanager
def serve(directory: Path) -> Iterator[str]:
    """Serve ``directory`` over HTTP on 127.0.0.1 (a free port) while the block runs; yield the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def _executable(name: str, *fallbacks: str) -> str:
    for candidate in (name, *fallbacks):
        found = shutil.which(candidate)
        if found:
            return found
    raise GenstudyError(f"{name} not found: the browser check needs Debian's chromium and chromium-driver "
                        f"(`make setup` installs them; or apt-get install chromium chromium-driver)")


@contextlib.contextmanager
def chromium() -> Iterator[Any]:
    """A headless Chromium WebDriver with console logging, on a throw-away profile."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = _executable("chromium", "chromium-browser", "google-chrome")
    with tempfile.TemporaryDirectory(prefix="genstudy-chromium-") as profile:
        for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--window-size={SCREENSHOT_WIDTH},900"):
            options.add_argument(flag)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        driver = webdriver.Chrome(options=options, service=Service(executable_path=_executable("chromedriver")))
        try:
            driver.set_page_load_timeout(PAGE_TIMEOUT_S)
            driver.set_script_timeout(PAGE_TIMEOUT_S)
            yield driver
        finally:
            driver.quit()


def _load(driver: Any, url: str) -> dict[str, Any]:
    driver.get(url)
    deadline = time.monotonic() + PAGE_TIMEOUT_S
    while driver.execute_script("return document.readyState") != "complete":
        if time.monotonic() > deadline:
            raise GenstudyError(f"{url}: did not finish loading in {PAGE_TIMEOUT_S} s")
        time.sleep(0.05)
    outcome = driver.execute_async_script(_WAIT_FOR_MATHJAX)
    probe = driver.execute_script(_PROBE)
    probe["mathjax_outcome"] = outcome
    probe["console"] = _severe_console_messages(driver)
    return probe


def _severe_console_messages(driver: Any) -> list[str]:
    """Severe browser-console messages since the last call (reading the log empties it).
    The browser's own request for ``/favicon.ico`` is not the site's doing and is ignored."""
    return [e["message"] for e in driver.get_log("browser")
            if e.get("level") == "SEVERE" and "/favicon.ico" not in e["message"]]


def _page_problems(probe: dict[str, Any], base: str) -> list[str]:
    problems = [f"image: {_local(i['src'], base)} did not load" for i in probe["images"] if not i["ok"]]
    problems += [f"math: not typeset: {text!r}" for text in probe["unrendered"]]
    problems += [f"math: TeX error: {text!r}" for text in probe["merrors"]]
    if probe["math"] and probe["mathjax"] and not probe["mathjax"].startswith(base):
        problems.append(f"math: MathJax is loaded from {probe['mathjax']}, not from the site (needs a network)")
    if str(probe["mathjax_outcome"]).startswith("error"):
        problems.append(f"math: MathJax failed: {probe['mathjax_outcome']}")
    problems += [f"cell-error: {text!r}" for text in probe["cellErrors"]]
    problems += [f"cell-error: stderr output {text!r}" for text in probe["stderr"]]
    problems += [f"console: {message[:200]}" for message in probe["console"]]
    return problems


def _local(url: str, base: str) -> str:
    return url[len(base):] if url.startswith(base) else url


def _link_problems(links: list[str], base: str, html_dir: Path, ids: Mapping[str, set[str]]) -> list[str]:
    """Internal links whose file is missing or whose #anchor the target page lacks."""
    problems = []
    for link in dict.fromkeys(links):
        if not link.startswith(base):
            continue  # external (http elsewhere, mailto:) links are not followed offline
        target, fragment = urldefrag(link)
        path = unquote(urlsplit(target).path).lstrip("/") or "index.html"
        if path.endswith("/"):
            path += "index.html"
        if not (html_dir / path).is_file():
            problems.append(f"link: {_local(link, base)} points to a missing file")
        elif fragment and path in ids and unquote(fragment) not in ids[path]:
            problems.append(f"link: {_local(link, base)} points to a missing anchor #{fragment}")
    return problems


def _screenshot(driver: Any, url: str, height: int, out: Path) -> None:
    driver.set_window_size(SCREENSHOT_WIDTH, max(600, min(height, MAX_SCREENSHOT_HEIGHT)))
    driver.get(url)
    driver.execute_async_script(_WAIT_FOR_MATHJAX)
    out.parent.mkdir(parents=True, exist_ok=True)
    if not driver.save_screenshot(str(out)):
        raise GenstudyError(f"{url}: the screenshot could not be written to {out}")
    driver.set_window_size(SCREENSHOT_WIDTH, 900)
    _severe_console_messages(driver)  # the reload's messages were reported with the page already


def check_site(html_dir: Path | str, *, screenshots: Mapping[str, str] | None = None,
               screenshot_dir: Path | str | None = None) -> SiteReport:
    """Load every page of the site in ``html_dir`` in headless Chromium and check it.

    ``screenshots`` maps a file stem to a page (relative path, e.g.
    ``book/executed/90_comparison.html``); each is saved as ``<screenshot_dir>/<stem>.png``
    at 1280 px wide and its full height (capped at 12,000 px). A page named there that
    does not exist is an error.
    """
    html_dir = Path(html_dir).resolve()
    pages = site_pages(html_dir)
    if "index.html" not in pages:
        raise GenstudyError(f"{html_dir}: no index.html (build the book first: make book)")
    wanted = dict(screenshots or {})
    for stem, page in wanted.items():
        if page not in pages:
            raise GenstudyError(f"screenshot {stem!r}: page {page!r} is not in {html_dir}")
    if wanted and screenshot_dir is None:
        raise GenstudyError("screenshot_dir is required when screenshots are asked for")
    reports: list[PageReport] = []
    ids: dict[str, set[str]] = {}
    links: dict[str, list[str]] = {}
    shots: dict[str, Path] = {}
    with serve(html_dir) as base, chromium() as driver:
        for page in pages:
            probe = _load(driver, base + page)
            ids[page] = set(probe["ids"])
            links[page] = probe["links"]
            reports.append(PageReport(page, images=len(probe["images"]), links=len(probe["links"]),
                                      math=probe["math"], problems=_page_problems(probe, base)))
            for stem in [s for s, p in wanted.items() if p == page]:
                shots[stem] = Path(screenshot_dir) / f"{stem}.png"  # type: ignore[arg-type]
                _screenshot(driver, base + page, int(probe["height"]), shots[stem])
        for report in reports:
            report.problems += _link_problems(links[report.path], base, html_dir, ids)
    return SiteReport(reports, shots)
