"""The rendered book in a real browser (headless Chromium): the checker finds each kind of
defect on a planted site, passes a clean one, and passes the smoke build of the book."""

from __future__ import annotations

import re
import shutil
import struct
import zlib
from pathlib import Path

import pytest

import conftest
from conftest import ROOT
from genstudy.errors import GenstudyError
from genstudy.site.sitecheck import BOOK_SCREENSHOTS, check_site, site_pages
from genstudy.site.sphinx_site import mathjax_source

MATHJAX = '<script async src="{up}_static/mathjax/tex-mml-chtml.js"></script>'


def png(width: int = 4, height: int = 3) -> bytes:
    """A valid grey PNG (no image library needed)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def page(body: str, head: str = "") -> str:
    return f"<!DOCTYPE html><html><head><meta charset='utf-8'>{head}</head><body>{body}</body></html>"


def cell(output: str, tags: str = "") -> str:
    return (f'<div class="cell {tags} docutils container"><div class="cell_output docutils container">'
            f"{output}</div></div>")


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A clean two-page site: an image, math typeset by the site's own MathJax, links with
    anchors, a cell that is *expected* to raise (tagged), ordinary output."""
    root = tmp_path / "html"
    shutil.copytree(mathjax_source(), root / "_static" / "mathjax")
    (root / "_images").mkdir()
    (root / "_images" / "figure.png").write_bytes(png())
    (root / "index.html").write_text(page(
        '<h1 id="top">Book</h1><img src="_images/figure.png"><a href="ch/one.html#sec">one</a>'
        '<a href="#top">top</a><a href="https://example.org/elsewhere">external</a>'
        r'<div class="math notranslate nohighlight">\[ D^*(x) = \frac{p(x)}{p(x) + q(x)} \]</div>'
        + cell('<div class="output traceback highlight-text">NameError: name \'LeakyReLU\' is not defined</div>',
               "tag_raises-exception")
        + cell('<div class="output stream highlight-myst-ansi">fine</div>'),
        MATHJAX.format(up="")))
    (root / "ch").mkdir()
    (root / "ch" / "one.html").write_text(page(
        r'<h2 id="sec">Section</h2><p>inline <span class="math notranslate nohighlight">\(x^2\)</span></p>'
        '<a href="../index.html">back</a>', MATHJAX.format(up="../")))
    return root


def kinds(problems: list[str]) -> list[tuple[str, str]]:
    """(page, kind) of each problem, without the details (ports, messages)."""
    return [tuple(p.split(": ", 2)[:2]) for p in problems]  # type: ignore[misc]


def test_a_clean_site_passes_and_everything_is_counted(site: Path) -> None:
    report = check_site(site)
    assert report.problems == []
    assert report.totals() == {"pages": 2, "images": 1, "links": 4, "math": 2, "problems": 0}


def test_each_kind_of_defect_is_reported_on_its_page(site: Path) -> None:
    index = site / "index.html"
    html = index.read_text()
    html = html.replace("_images/figure.png", "_images/lost.png")  # missing image
    html = html.replace("ch/one.html#sec", "ch/one.html#nowhere")  # missing anchor
    html = html.replace("</body>", '<a href="ch/two.html">gone</a>'  # missing page
                        r'<div class="math notranslate nohighlight">\[ \frac{a}{b \]</div>'  # bad TeX
                        + cell('<div class="output traceback highlight-text">ValueError: boom</div>')  # cell error
                        + cell('<div class="output stderr highlight-myst-ansi">UserWarning: careful</div>')
                        + "</body>")
    index.write_text(html)
    # A page that asks a CDN for MathJax: offline, its math never renders.
    (site / "ch" / "cdn.html").write_text(page(r'<span class="math">\(y\)</span>',
                                               '<script async src="https://cdn.jsdelivr.net/npm/mathjax@3/es5/'
                                               'tex-mml-chtml.js"></script>'))
    report = check_site(site)
    assert sorted(set(kinds(report.problems))) == sorted({
        ("index.html", "image"), ("index.html", "link"), ("index.html", "math"), ("index.html", "cell-error"),
        ("index.html", "console"), ("ch/cdn.html", "math"), ("ch/cdn.html", "console")})
    text = "\n".join(report.problems)
    assert "index.html: image: _images/lost.png did not load" in text
    assert "index.html: link: ch/one.html#nowhere points to a missing anchor #nowhere" in text
    assert "index.html: link: ch/two.html points to a missing file" in text
    assert r"index.html: math: not typeset: '\\[ \\frac{a}{b \\]'" in text
    assert "index.html: cell-error: 'ValueError: boom'" in text
    assert "index.html: cell-error: stderr output 'UserWarning: careful'" in text
    assert "NameError" not in text  # the tagged cell was expected to raise
    assert re.search(r"ch/cdn.html: math: MathJax is loaded from https://cdn\.jsdelivr\.net/\S+, not from the site",
                     text)


def test_screenshots_are_full_width_pngs_of_the_named_pages(site: Path, tmp_path: Path) -> None:
    report = check_site(site, screenshots={"home": "index.html"}, screenshot_dir=tmp_path / "shots")
    shot = report.screenshots["home"]
    assert shot == tmp_path / "shots" / "home.png"
    width, height = struct.unpack(">II", shot.read_bytes()[16:24])
    assert width == 1280 and height >= 600
    with pytest.raises(GenstudyError, match=r"page 'absent\.html' is not in"):
        check_site(site, screenshots={"x": "absent.html"}, screenshot_dir=tmp_path)


def test_a_missing_browser_is_named_with_how_to_install_it(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(GenstudyError, match=r"chromium not found: .*apt-get install chromium chromium-driver"):
        check_site(site)


@pytest.mark.slow
def test_the_smoke_book_renders_in_a_browser(smoke_book: conftest.SmokeBook) -> None:
    """Every page of the smoke build: images load, internal links resolve, math is typeset by the
    site's own MathJax, no unexpected cell error. Screenshots go to ``_build/screenshots/``."""
    report = check_site(smoke_book.html, screenshots=BOOK_SCREENSHOTS, screenshot_dir=ROOT / "_build" / "screenshots")
    assert report.problems == []
    toc = (smoke_book.root / "_toc.yml").read_text()
    chapters = re.findall(r"file: (\S+)", toc)
    pages = site_pages(smoke_book.html)
    assert all(f"{c}.html" in pages for c in chapters), "a chapter of the table of contents was not built"
    totals = report.totals()
    assert totals["math"] >= 60, "the theory chapters' equations are missing"
    assert totals["images"] >= 40, "figures are missing"
    for stem, shot in report.screenshots.items():
        assert shot.stat().st_size > 30_000, f"{stem}: the screenshot looks empty"
