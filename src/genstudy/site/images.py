"""Executed notebooks' figures stored smaller, pixel for pixel the same.

Matplotlib writes every figure as a truecolour PNG (RGBA, 4 bytes a pixel before compression). Many
of the book's figures hold at most 256 distinct colours (a grid of grey samples, a flat plot): such
a figure is stored losslessly as a palette PNG (1 byte a pixel), which for the published book's
sample grids is about 40% smaller. A figure with more colours is left as it was. Committed
notebooks count against the published results' size (``tests/test_published.py``), so every
executed notebook's figures go through :func:`compact_notebook_images` when its run succeeds
(:func:`genstudy.site.engines.execute_job`).
"""

from __future__ import annotations

import base64
import io
from pathlib import Path

import numpy as np

PNG = "image/png"
#: The most colours a palette PNG holds.
PALETTE_SIZE = 256


def palette_png(data: bytes) -> bytes | None:
    """``data`` (a PNG) re-encoded as a palette PNG of its own colours (RGBA, transparency kept), or
    None when it holds more than :data:`PALETTE_SIZE` colours. Lossless: every pixel decodes to the
    same RGBA value as before."""
    from PIL import Image

    image = Image.open(io.BytesIO(data)).convert("RGBA")
    rgba = np.asarray(image)  # (height, width, 4) uint8
    packed = np.ascontiguousarray(rgba).view(np.uint32)[..., 0]  # one number a pixel
    colours, index = np.unique(packed, return_inverse=True)
    if len(colours) > PALETTE_SIZE:
        return None
    palette = Image.fromarray(index.reshape(packed.shape).astype(np.uint8), "P")
    palette.putpalette(colours.view(np.uint8).tobytes(), rawmode="RGBA")
    out = io.BytesIO()
    palette.save(out, "PNG", optimize=True)
    return out.getvalue()


def compact_png(data: bytes) -> bytes:
    """The smaller of ``data`` and its :func:`palette_png` (``data`` itself when that is None or
    not smaller)."""
    smaller = palette_png(data)
    return smaller if smaller is not None and len(smaller) < len(data) else data


def compact_notebook_images(path: Path) -> tuple[int, int]:
    """Rewrite the notebook at ``path`` with each ``image/png`` output through :func:`compact_png`
    (the file is left untouched when no figure shrinks); return the figures' bytes (decoded)
    before and after."""
    import nbformat

    notebook = nbformat.read(str(path), as_version=nbformat.NO_CONVERT)
    before = after = 0
    for cell in notebook.get("cells", []):
        for output in cell.get("outputs", []):
            encoded = output.get("data", {}).get(PNG)
            if not encoded:
                continue
            data = base64.b64decode("".join(encoded) if isinstance(encoded, list) else encoded)
            compact = compact_png(data)
            before, after = before + len(data), after + len(compact)
            if compact is not data:
                output["data"][PNG] = base64.b64encode(compact).decode("ascii")
    if after < before:
        nbformat.write(notebook, str(path))
    return before, after
