"""The code that ran, on the page: each chapter shows the networks and losses it compares from
the library's own source (:func:`inspect.getsource`), so what the reader sees is what was trained."""

from __future__ import annotations

import inspect
import textwrap
from typing import Any

import pandas as pd
from IPython.display import Markdown
from torch import nn

from genstudy.config import get_profile
from genstudy.models import build
from genstudy.study.report import MATCHED_PAIR


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


def matched_networks(profile: str) -> pd.DataFrame:
    """The matched pair's networks on ``profile`` (its architecture options), role by role:
    one row per role (generator / decoder, discriminator trunk / encoder body, the heads that
    differ) and the whole models, with each model's module class and parameter count (the
    calibrated decoder's σ is no parameter)."""
    gan_name, vae_name = MATCHED_PAIR
    prof = get_profile(profile)
    gan = build(gan_name, **prof.budget(gan_name).options)
    vae = build(vae_name, **prof.budget(vae_name).options)

    def cell(module: nn.Module | None) -> tuple[str, int]:
        if module is None:
            return "—", 0
        return type(module).__name__, sum(p.numel() for p in module.parameters())

    roles = {
        "image network (GAN generator / VAE decoder)": (gan.generator, vae.decoder[0]),
        "image reader (discriminator trunk / encoder body)": (gan.discriminator.trunk, vae.encoder[1]),
        "head (one logit / [μ, log σ²])": (gan.discriminator.head, vae.encoder[2]),
    }
    rows = []
    for role, (a, b) in roles.items():
        (class_a, n_a), (class_b, n_b) = cell(a), cell(b)
        rows.append({"role": role, f"{gan_name} module": class_a, f"{gan_name} parameters": n_a,
                     f"{vae_name} module": class_b, f"{vae_name} parameters": n_b})
    rows.append({"role": "whole model", f"{gan_name} module": type(gan).__name__,
                 f"{gan_name} parameters": gan.n_parameters(), f"{vae_name} module": type(vae).__name__,
                 f"{vae_name} parameters": vae.n_parameters()})
    return pd.DataFrame(rows).set_index("role")
