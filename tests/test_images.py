"""Executed notebooks' figures stored as palette PNGs where they hold few colours: the same
pixels, fewer bytes (genstudy.site.images)."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import nbformat
import numpy as np
import pytest
from PIL import Image

from genstudy.site.images import compact_notebook_images, compact_png, palette_png


def png(rgba: np.ndarray) -> bytes:
    out = io.BytesIO()
    Image.fromarray(rgba, "RGBA").save(out, "PNG")
    return out.getvalue()


def pixels(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGBA"))


def few_colours(size: int = 64) -> np.ndarray:
    """Grey squares on a white ground, one transparent corner: 4 colours."""
    rgba = np.full((size, size, 4), 255, dtype=np.uint8)
    rgba[8:24, 8:24, :3] = 40
    rgba[30:50, 30:50, :3] = 200
    rgba[:4, :4, 3] = 0
    return rgba


def many_colours() -> np.ndarray:
    """300 distinct colours, one a pixel."""
    rgba = np.full((1, 300, 4), 255, dtype=np.uint8)
    rgba[0, :, 0] = np.arange(300) % 256
    rgba[0, :, 1] = np.arange(300) // 256
    return rgba


def test_a_figure_of_few_colours_becomes_a_smaller_palette_png_with_the_same_pixels() -> None:
    data = png(few_colours())
    compact = palette_png(data)
    assert compact is not None and len(compact) < len(data)
    assert Image.open(io.BytesIO(compact)).mode == "P"
    np.testing.assert_array_equal(pixels(compact), few_colours())  # transparency included


@pytest.mark.parametrize("colours", [256, 257])
def test_the_palette_holds_at_most_256_colours(colours: int) -> None:
    rgba = np.full((1, colours, 4), 255, dtype=np.uint8)
    rgba[0, :, 0], rgba[0, :, 1] = np.arange(colours) % 256, np.arange(colours) // 256
    compact = palette_png(png(rgba))
    assert (compact is None) == (colours > 256)
    if compact is not None:
        np.testing.assert_array_equal(pixels(compact), rgba)


def test_a_figure_of_many_colours_is_kept_as_it_was() -> None:
    data = png(many_colours())
    assert palette_png(data) is None
    assert compact_png(data) is data


def test_a_notebooks_figures_are_compacted_and_its_other_outputs_kept(tmp_path: Path) -> None:
    few, many = png(few_colours()), png(many_colours())
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("plot()", outputs=[
        nbformat.v4.new_output("display_data", data={"image/png": base64.b64encode(few).decode(),
                                                     "text/plain": "<Figure size 640x480 with 1 Axes>"}),
        nbformat.v4.new_output("display_data", data={"image/png": base64.b64encode(many).decode()}),
        nbformat.v4.new_output("stream", name="stdout", text="FD 12.3\n")])])
    path = tmp_path / "notebook.ipynb"
    nbformat.write(notebook, str(path))
    before, after = compact_notebook_images(path)
    assert before == len(few) + len(many) and after == len(palette_png(few)) + len(many) < before
    outputs = nbformat.read(str(path), as_version=4).cells[0].outputs
    np.testing.assert_array_equal(pixels(base64.b64decode(outputs[0].data["image/png"])), few_colours())
    assert base64.b64decode(outputs[1].data["image/png"]) == many
    assert (outputs[0].data["text/plain"], outputs[2].text) == ("<Figure size 640x480 with 1 Axes>", "FD 12.3\n")
    written = path.read_bytes()
    assert compact_notebook_images(path) == (after, after) and path.read_bytes() == written  # nothing more to do
