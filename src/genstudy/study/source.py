"""The code that ran, on the page: each chapter shows the networks and losses it compares from
the library's own source (:func:`inspect.getsource`), so what the reader sees is what was trained."""

from __future__ import annotations

import inspect
import textwrap
from typing import Any

from IPython.display import Markdown


def source_text(*objects: Any) -> str:
    """The source of each class, function or method in ``objects``, dedented, one after another,
    each preceded by a comment that names it (``# genstudy.models.gan.DCGANGenerator``)."""
    parts = []
    for obj in objects:
        where = f"# {obj.__module__}.{obj.__qualname__}"
        parts.append(where + "\n" + textwrap.dedent(inspect.getsource(obj)).rstrip())
    return "\n\n\n".join(parts)


def show_source(*objects: Any) -> Markdown:
    """:func:`source_text` as a highlighted Python block (a Markdown output the book renders)."""
    return Markdown(f"```python\n{source_text(*objects)}\n```")
