"""genstudy: GANs against the classic generative models (VAE, RBM, DBN), trained and measured.

The package is the one shared library that every notebook of the book imports, in layers
(ARCHITECTURE.md): data → models → config → training, metrics → runs → article → study → site.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("genstudy")
except PackageNotFoundError:  # pragma: no cover - only when run from a bare source tree
    __version__ = "0+unknown"

__all__ = ["__version__"]
