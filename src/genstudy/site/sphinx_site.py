"""Sphinx extension: what the rendered book needs beyond jupyter-book's defaults.

* **Math without a network.** Sphinx loads MathJax from a CDN by default. ``mathjax_path``
  is pointed at ``_static/mathjax/tex-mml-chtml.js`` and, after an HTML build, MathJax's
  ``es5`` distribution (the browser bundles and fonts, about 9 MB) is copied there from the
  ``django-static-mathjax`` package, a pinned dependency that ships the official MathJax
  3.2.2 files.
* **No script twice.** sphinx-thebe 0.3.1 registers its inline configuration script after
  the HTML builder has started, so Sphinx 7 emits it twice per page (sphinx-togglebutton's
  too) and the browser stops on "Identifier 'THEBE_JS_URL' has already been declared".
  Identical script entries are dropped from each page's context.
* **A defined colour mode.** The pydata theme reads ``default_mode`` from the HTML context;
  unset, its script logs "Got invalid theme mode" on every first visit. It defaults to
  ``light`` here (the figures are drawn on white) unless the book's config sets it.

Enabled in ``_config.yml`` under ``sphinx.extra_extensions``; the browser test
(``tests/test_site.py``) fails if any of these regress.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

#: Where MathJax lives in the built site, relative to ``_static``.
TARGET = "mathjax"
ENTRY = "tex-mml-chtml.js"


def mathjax_source() -> Path:
    """The ``es5`` folder of the installed MathJax distribution (holds ``tex-mml-chtml.js``)."""
    import mathjax  # the django-static-mathjax package

    source = Path(mathjax.__file__).parent / "static" / "mathjax" / "es5"
    if not (source / ENTRY).is_file():
        raise FileNotFoundError(f"{source / ENTRY} is missing: reinstall django-static-mathjax")
    return source


def _use_local_mathjax(app: Any, config: Any) -> None:
    config.mathjax_path = f"{TARGET}/{ENTRY}"


def _copy_mathjax(app: Any, exception: BaseException | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    shutil.copytree(mathjax_source(), Path(app.outdir) / "_static" / TARGET, dirs_exist_ok=True)


def _script_identity(script: Any) -> tuple[str, tuple[tuple[str, str], ...]]:
    """A script entry's file name and attributes (the inline body among them). An inline script
    is registered with the file name ``None`` by one path and ``""`` by the other: both are ""."""
    filename = getattr(script, "filename", script) or ""
    attributes = getattr(script, "attributes", {}) or {}
    return str(filename), tuple(sorted((str(k), str(v)) for k, v in attributes.items()))


def _page_context(app: Any, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    scripts = context.get("script_files")
    if scripts:
        seen: set[tuple[str, tuple[tuple[str, str], ...]]] = set()
        unique = []
        for script in scripts:
            identity = _script_identity(script)
            if identity not in seen:
                seen.add(identity)
                unique.append(script)
        context["script_files"] = unique
    if not context.get("default_mode"):
        context["default_mode"] = "light"


def setup(app: Any) -> dict[str, Any]:
    mathjax_source()  # fail at start-up, not after a whole build, when the files are missing
    app.connect("config-inited", _use_local_mathjax)
    app.connect("html-page-context", _page_context)
    app.connect("build-finished", _copy_mathjax)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
