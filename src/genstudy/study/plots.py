"""Figures of the book, drawn with seaborn / matplotlib. Each function returns a Figure.

Functions take plain arrays or DataFrames (never models), so every figure can be redrawn
from a run record's artefacts. Images are expected in [0, 1] or uint8 0..255.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.ticker import LogLocator, NullFormatter, StrMethodFormatter

from genstudy.runs.artifacts import image_grid
from genstudy.runs.record import FAMILIES
from genstudy.study.compare import seed_interval
from genstudy.study.literature import CURVE_AXES, LAST_SHARE

sns.set_theme(context="notebook", style="whitegrid")


def samples_by_class(
    images: np.ndarray, labels: np.ndarray, classes: Sequence[str], per_class: int = 8, seed: int = 0
) -> Figure:
    """One row per class with ``per_class`` random examples; class names on the left."""
    rng = np.random.default_rng(seed)
    k = len(classes)
    fig, axes = plt.subplots(k, 1, figsize=(per_class * 0.7 + 1.6, k * 0.75), squeeze=False)
    for c, ax in enumerate(axes[:, 0]):
        members = np.flatnonzero(labels == c)
        pick = rng.choice(members, size=min(per_class, len(members)), replace=False)
        ax.imshow(image_grid(images[pick], 1), cmap="gray_r", interpolation="nearest")
        ax.set_yticks([])
        ax.set_xticks([])
        ax.set_ylabel(classes[c], rotation=0, ha="right", va="center", fontsize=9)
        ax.grid(False)
    fig.subplots_adjust(left=0.22, hspace=0.15)
    return fig


def class_counts(table: pd.DataFrame, title: str) -> Figure:
    """Bar chart of a :func:`genstudy.data.summary.class_counts` table, train and test side by side."""
    long = table.melt(id_vars="class", var_name="split", value_name="images")
    fig, ax = plt.subplots(figsize=(8, 3.2))
    sns.barplot(data=long, x="class", y="images", hue="split", ax=ax)
    ax.set_title(title)
    ax.set_xlabel("")
    ax.tick_params(axis="x", rotation=45)
    fig.tight_layout()
    return fig


def mean_images(images: np.ndarray, labels: np.ndarray, classes: Sequence[str]) -> Figure:
    """The average image of each class (what a model that ignores diversity would draw)."""
    k = len(classes)
    fig, axes = plt.subplots(1, k, figsize=(k * 0.9, 1.3))
    for c, ax in enumerate(np.atleast_1d(axes)):
        ax.imshow(images[labels == c].mean(axis=0), cmap="gray_r", interpolation="nearest")
        ax.set_title(classes[c], fontsize=7)
        ax.axis("off")
    fig.tight_layout()
    return fig


def intensity_distribution(frame: pd.DataFrame, title: str) -> Figure:
    """Box plot of per-image mean intensity by class (from :func:`summary.pixel_frame`)."""
    fig, ax = plt.subplots(figsize=(8, 3.2))
    order = list(frame["class"].cat.categories) if isinstance(frame["class"].dtype, pd.CategoricalDtype) else None
    sns.boxplot(data=frame, x="class", y="mean_intensity", hue="class", order=order, hue_order=order,
                legend=False, ax=ax, fliersize=1.5)
    ax.set_title(title)
    ax.set_xlabel("")
    ax.set_ylabel("mean pixel intensity (0–1)")
    ax.tick_params(axis="x", rotation=45)
    fig.tight_layout()
    return fig


def pixel_histogram(images: np.ndarray, title: str) -> Figure:
    """Histogram of all pixel intensities (log count): most pixels are background."""
    fig, ax = plt.subplots(figsize=(6, 3))
    sns.histplot(x=images.ravel() / 255.0, bins=51, ax=ax, log_scale=(False, True), element="step")
    ax.set_xlabel("pixel intensity (0–1)")
    ax.set_title(title)
    fig.tight_layout()
    return fig


def _show_grid(ax: plt.Axes, images: np.ndarray, nrow: int, title: str | None = None) -> None:
    ax.imshow(image_grid(images, nrow), cmap="gray_r", vmin=0.0, vmax=1.0 if images.dtype != np.uint8 else 255,
              interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    if title:
        ax.set_title(title, fontsize=10)


def sample_grids(grids: dict[str, np.ndarray], nrow: int = 8, suptitle: str | None = None) -> Figure:
    """One panel per entry: ``title -> images (N, H, W)`` in [0, 1] (or uint8), ``nrow`` rows each."""
    fig, axes = plt.subplots(1, len(grids), figsize=(3.3 * len(grids), 3.6), squeeze=False)
    for ax, (title, images) in zip(axes[0], grids.items(), strict=True):
        _show_grid(ax, images[: nrow * nrow], nrow, title)
    if suptitle:
        fig.suptitle(suptitle, fontsize=10)
    fig.tight_layout()
    return fig


def image_rows(rows: dict[str, np.ndarray], suptitle: str | None = None) -> Figure:
    """One row per entry (``label -> images (N, H, W)``), labels on the left: originals vs
    reconstructions, interpolations, Gibbs-chain snapshots."""
    n = len(rows)
    width = max(len(v) for v in rows.values())
    fig, axes = plt.subplots(n, 1, figsize=(0.75 * width + 1.8, 0.9 * n + 0.3), squeeze=False)
    for ax, (label, images) in zip(axes[:, 0], rows.items(), strict=True):
        _show_grid(ax, images, 1)
        ax.set_ylabel(label, rotation=0, ha="right", va="center", fontsize=9)
    if suptitle:
        fig.suptitle(suptitle, fontsize=10)
    fig.subplots_adjust(left=0.2, hspace=0.1)
    return fig


def loss_curves(histories: dict[str, pd.DataFrame], metrics: Sequence[str], x: str = "epoch") -> Figure:
    """One panel per metric, one line per run (``name -> history`` with an ``x`` column)."""
    long = pd.concat(
        [h.melt(id_vars=[x], value_vars=[m for m in metrics if m in h], var_name="metric").assign(run=name)
         for name, h in histories.items()],
        ignore_index=True,
    )
    present = [m for m in metrics if m in set(long["metric"])]
    fig, axes = plt.subplots(1, len(present), figsize=(4.2 * len(present), 3.2), squeeze=False)
    for ax, metric in zip(axes[0], present, strict=True):
        sns.lineplot(data=long[long["metric"] == metric], x=x, y="value", hue="run", ax=ax)
        ax.set_title(metric, fontsize=10)
        ax.set_ylabel("")
    fig.tight_layout()
    return fig


def filters(weights: np.ndarray, side: int, n: int = 64, nrow: int = 8, title: str | None = None) -> Figure:
    """The first ``n`` columns of a (side², H) weight matrix as side x side images (each rescaled)."""
    w = weights[:, :n].T.reshape(-1, side, side)
    lo, hi = w.min(axis=(1, 2), keepdims=True), w.max(axis=(1, 2), keepdims=True)
    w = (w - lo) / np.maximum(hi - lo, 1e-12)
    fig, ax = plt.subplots(figsize=(4, 4))
    ax.imshow(image_grid(w.astype(np.float32), nrow), cmap="RdBu_r", interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    if title:
        ax.set_title(title, fontsize=10)
    fig.tight_layout()
    return fig


def point_clouds(clouds: dict[tuple[str, str], np.ndarray], centers: np.ndarray, *, lim: float,
                 suptitle: str | None = None) -> Figure:
    """A grid of 2-D scatter plots: ``(row label, column label) -> points (N, 2)``; the
    mixture's ``centers`` (K, 2) are drawn as red crosses in every panel."""
    rows = list(dict.fromkeys(r for r, _ in clouds))
    cols = list(dict.fromkeys(c for _, c in clouds))
    fig, axes = plt.subplots(len(rows), len(cols), figsize=(2.1 * len(cols) + 0.6, 2.1 * len(rows) + 0.4),
                             squeeze=False, sharex=True, sharey=True)
    for i, r in enumerate(rows):
        for j, c in enumerate(cols):
            ax = axes[i, j]
            pts = clouds.get((r, c))
            if pts is not None:
                ax.scatter(pts[:, 0], pts[:, 1], s=2, alpha=0.35, color="C0", linewidths=0)
            ax.scatter(centers[:, 0], centers[:, 1], marker="x", s=18, color="C3", linewidths=1)
            ax.set_xlim(-lim, lim)
            ax.set_ylim(-lim, lim)
            ax.set_aspect("equal")
            ax.set_xticks([])
            ax.set_yticks([])
            if i == 0:
                ax.set_title(c, fontsize=9)
            if j == 0:
                ax.set_ylabel(r, fontsize=9)
    if suptitle:
        fig.suptitle(suptitle, fontsize=10)
    fig.tight_layout()
    return fig


def mode_histograms(counts: pd.DataFrame, title: str) -> Figure:
    """Bars of high-quality samples per mode (long ``counts``: model, mode, samples), one panel per model."""
    grid = sns.catplot(data=counts, x="mode", y="samples", col="model", kind="bar", color="C0",
                       height=2.4, aspect=1.3, col_wrap=min(4, counts["model"].nunique()))
    grid.set_titles("{col_name}", size=9)
    grid.set_xticklabels([])
    grid.figure.suptitle(title, fontsize=10, y=1.03)
    return grid.figure


def chain_lengths(table: pd.DataFrame, title: str) -> Figure:
    """FD and the commonest class's share against Gibbs sweeps (log axis), one line per start:
    ``table`` is :func:`genstudy.runs.chapter.chain_length_study`'s."""
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
    for ax, (column, label) in zip(axes, [("fd", "FD ↓"), ("top_class_share", "commonest class's share")],
                                   strict=True):
        sns.lineplot(data=table, x="sweeps", y=column, hue="start", marker="o", ax=ax, legend=ax is axes[0])
        ax.set_xscale("log")
        ax.set_xlabel("Gibbs sweeps (log scale)")
        ax.set_ylabel(label)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig


def sample_mosaic(grids: dict[str, np.ndarray], ncols: int = 4, nrow: int = 6, suptitle: str | None = None) -> Figure:
    """Samples of many models at once: one ``nrow`` x ``nrow`` panel per entry (``title -> images
    (N, H, W)``), ``ncols`` panels per row of the figure."""
    n = len(grids)
    rows = -(-n // ncols)
    fig, axes = plt.subplots(rows, ncols, figsize=(2.9 * ncols, 3.1 * rows), squeeze=False)
    for ax in axes.ravel():
        ax.axis("off")
    for ax, (title, images) in zip(axes.ravel(), grids.items(), strict=False):
        ax.axis("on")
        _show_grid(ax, images[: nrow * nrow], nrow, title)
    if suptitle:
        fig.suptitle(suptitle, fontsize=10)
    fig.tight_layout()
    return fig


def metric_points(long: pd.DataFrame, metrics: Sequence[str], title: str, ncols: int = 3) -> Figure:
    """Point plot per metric: mean over seeds with its 95% Student's t interval
    (:func:`genstudy.study.compare.seed_interval`), one row per model. ``long`` has columns
    ``label, family, seed, metric, value``."""
    data = long[long["metric"].isin(metrics)]
    grid = sns.catplot(data=data, x="value", y="label", col="metric", col_order=list(metrics), hue="family",
                       kind="point", errorbar=seed_interval, linestyles="none", sharex=False,
                       col_wrap=ncols, height=3.0, aspect=1.25, capsize=0.2, dodge=False)
    grid.set_titles("{col_name}", size=10)
    grid.set_axis_labels("", "")
    grid.figure.suptitle(title, fontsize=10, y=1.02)
    return grid.figure


def quality_vs_cost(costs: pd.DataFrame, title: str, quality: str = "FD ↓") -> Figure:
    """Two scatters, ``quality`` against training seconds and against seconds per 1,000 samples
    (log axes), one labelled point per model. ``costs`` is :func:`genstudy.study.report.cost_table`."""
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    for ax, cost in zip(axes, ["train s", "1k samples s"], strict=True):
        sns.scatterplot(data=costs, x=cost, y=quality, hue="family", s=70, ax=ax, legend=ax is axes[0])
        for label, row in costs.iterrows():
            ax.annotate(str(label), (row[cost], row[quality]), fontsize=8, xytext=(4, 3), textcoords="offset points")
        ax.set_xscale("log")
        ax.set_xlabel(f"{cost} (log scale)")
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig


def sampling_seconds(timings: pd.DataFrame, title: str) -> Figure:
    """Seconds for 1,000 samples (log axis) per model, one point per seed timed, coloured by family;
    models grouped by family in the book's order (:data:`genstudy.runs.record.FAMILIES`).
    ``timings`` is :func:`genstudy.runs.timing.time_architectures`' table."""
    rank = {f: i for i, f in enumerate(FAMILIES)}
    order = list(dict.fromkeys(timings.sort_values("family", key=lambda f: f.map(rank), kind="stable")["model"]))
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(order) + 1.4))
    sns.stripplot(data=timings, x="sample_1k_s", y="model", hue="family", order=order, size=7, jitter=False, ax=ax)
    ax.set_xscale("log")
    ax.set_xlabel("seconds for 1,000 samples (log scale)")
    ax.set_ylabel("")
    sns.move_legend(ax, "upper left", bbox_to_anchor=(1.02, 1), fontsize=8)
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    return fig


def quality_curves(curves: pd.DataFrame, title: str, budget: float | None = None) -> Figure:
    """Probe FD (log scale) against training seconds and against images seen (log axes), one line
    per model with its 95% Student's t band over seeds (:func:`genstudy.study.compare.seed_interval`).
    Seconds are each probe's mean over seeds, so a model's seeds share one x; the probe before the first step (at 0) is
    left off the log axes. ``curves`` is
    :func:`genstudy.study.report.quality_curves`; ``budget`` draws the matched budget's line."""
    data = curves.assign(seconds=curves.groupby(["label", "probe"])["train_s"].transform("mean"))
    data = data[data["step"] > 0]  # the probe before the first step sits at 0, off a log axis
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), sharey=True)
    for ax, x, xlabel in ((axes[0], "seconds", "training seconds (log scale)"),
                          (axes[1], "images_seen", "images seen (log scale)")):
        sns.lineplot(data=data, x=x, y="fd_probe", hue="label", style="family", markers=True, dashes=False,
                     errorbar=seed_interval, ax=ax, legend=ax is axes[1])
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.set_xlabel(xlabel)
        ax.set_ylabel("probe FD ↓ (log scale)")
    if budget is not None and np.isfinite(budget):
        axes[0].axvline(budget, color="0.4", lw=1, ls=":")
    sns.move_legend(axes[1], "upper left", bbox_to_anchor=(1.02, 1), fontsize=8)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig


def budget_curves(curves: pd.DataFrame, title: str, ylabel: str = "probe FD ↓", ncols: int = 3,
                  log_scale: bool = True) -> Figure:
    """The long runs' curves, one panel per model (its own y scale), one line per run from its first
    epoch (the probe before training is left off) on a log scale (a linear one without ``log_scale``: a
    log-likelihood is negative), and the profile's budget as a dashed line.
    ``curves`` is :func:`genstudy.study.flatness.budget_curves`."""
    models = list(dict.fromkeys(curves["model"]))
    nrows, ncols = -(-len(models) // ncols), min(ncols, len(models))
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.8 * ncols, 3.2 * nrows), squeeze=False)
    for ax, model in zip(axes.flat, models, strict=False):
        data = curves[(curves["model"] == model) & (curves["epoch"] > 0)]  # the probe before training: off
        sns.lineplot(data=data, x="epoch", y="value", hue="run", marker=".", markersize=5, ax=ax)
        for budget in sorted(set(data["budget"])):
            ax.axvline(budget, color="0.3", lw=1, ls="--", label="profile's budget")
        if log_scale:
            ax.set_yscale("log")
            ax.yaxis.set_major_locator(LogLocator(subs=(1.0, 1.5, 2.0, 3.0, 4.0, 5.0, 7.0)))
            ax.yaxis.set_major_formatter(StrMethodFormatter("{x:g}"))
            ax.yaxis.set_minor_formatter(NullFormatter())
        ax.set_title(model, fontsize=10)
        ax.set_xlabel("epochs trained")
        ax.set_ylabel(f"{ylabel} (log scale)" if log_scale else ylabel)
        ax.legend(fontsize=7)
    for ax in axes.flat[len(models):]:
        ax.set_axis_off()
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig


def sensitivity(search: pd.DataFrame, book: pd.DataFrame, title: str) -> Figure:
    """FD of every finished configuration of the hyperparameter search, one column per searched
    model (box and a swarm of points, placed without randomness), and the book's own configuration
    as a red diamond. ``search`` and
    ``book`` are :func:`genstudy.study.sensitivity.search_frame` and ``book_points``."""
    done = search[search["status"] == "ok"].dropna(subset=["fd"])
    labels = {m: f"{m}\n({f.upper()})" for m, f in zip(done["model"], done["family"], strict=True)}
    order = list(dict.fromkeys(labels.values()))
    data = done.assign(column=done["model"].map(labels))
    fig, ax = plt.subplots(figsize=(1.6 * max(len(order), 2) + 1.5, 4.2))
    ax.boxplot([data.loc[data["column"] == c, "fd"].to_numpy() for c in order], positions=range(len(order)),
               widths=0.5, showfliers=False, manage_ticks=False, patch_artist=True,
               boxprops={"facecolor": "0.92", "edgecolor": "0.5"}, medianprops={"color": "0.3"},
               whiskerprops={"color": "0.5"}, capprops={"color": "0.5"})
    sns.swarmplot(data=data, x="column", y="fd", order=order, color="C0", size=6, ax=ax,
                  label="searched configuration")
    mine = book[book["model"].isin(labels)].dropna(subset=["fd"])
    if len(mine):
        ax.scatter([order.index(labels[m]) for m in mine["model"]], mine["fd"], marker="D", s=60, color="C3",
                   zorder=5, label="the book's configuration")
    handles, names = ax.get_legend_handles_labels()
    unique = dict(zip(names, handles, strict=True))
    ax.legend(unique.values(), unique.keys(), fontsize=8, loc="upper left", bbox_to_anchor=(1.02, 1))
    ax.set_xlabel("")
    ax.set_ylabel("FD ↓")
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    return fig


def share_heatmap(shares: pd.DataFrame, title: str) -> Figure:
    """Heat map of per-class sample shares (rows: models, columns: classes), annotated in %."""
    fig, ax = plt.subplots(figsize=(1.0 * shares.shape[1] + 2.5, 0.45 * shares.shape[0] + 1.6))
    top = max(50.0, float(100 * shares.max().max()))
    sns.heatmap(100 * shares, annot=True, fmt=".0f", cmap="viridis", vmin=0, vmax=top,
                cbar_kws={"label": "% of samples"}, ax=ax)
    ax.set_title(title, fontsize=10)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("")
    fig.tight_layout()
    return fig


def literature_curves(curves: pd.DataFrame, title: str) -> Figure:
    """Each row's learning curve of the compared quantity against the share of its training (one
    panel per row, one line per seed; ``curves`` is :func:`genstudy.study.literature.curves`'s), the
    last third shaded: the third whose rise decides whether a shortfall is the budget's."""
    rows = list(dict.fromkeys(curves["row"]))
    fig, axes = plt.subplots(1, len(rows), figsize=(3.4 * len(rows), 3.2), squeeze=False)
    for ax, row in zip(axes[0], rows, strict=True):
        part = curves[curves["row"] == row]
        sns.lineplot(data=part, x="share", y="value", hue="seed", marker=".", ax=ax, legend=ax is axes[0][0])
        ax.axvspan(1 - LAST_SHARE, 1.0, color="0.9", zorder=0)
        ax.set_xlabel("share of training")
        ax.set_ylabel(CURVE_AXES.get(part["curve"].iloc[0], "value"))
        ax.set_title(row, fontsize=10)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig


def colour_grids(grids: dict[str, np.ndarray], nrow: int = 8, suptitle: str | None = None) -> Figure:
    """One panel per entry of ``grids``: its (N, 3, H, W) uint8 images tiled ``nrow`` to a side, the
    three channels shown as red, green and blue (Stacked MNIST: one digit per channel)."""
    fig, axes = plt.subplots(1, len(grids), figsize=(3.2 * len(grids), 3.4), squeeze=False)
    for ax, (title, images) in zip(axes[0], grids.items(), strict=True):
        tiles = np.stack([image_grid(images[: nrow * nrow, c], nrow) for c in range(3)], -1)
        ax.imshow(tiles)
        ax.set_title(title, fontsize=9)
        ax.axis("off")
    if suptitle:
        fig.suptitle(suptitle, fontsize=10)
    fig.tight_layout()
    return fig
