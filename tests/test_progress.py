"""The build's status line (genstudy.site.progress): what it reads, what it says, where it writes."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

from genstudy.site.pipeline import plan, run_grid
from genstudy.site.progress import BuildProgress, Planned, cell_position, duration
from test_pipeline import make_project, write_notebook


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def partial(path: Path, states: list[str]) -> Path:
    """A notebook as papermill saves it mid-run: each cell's ``metadata.papermill.status``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    cells = [{"cell_type": "code", "metadata": {"papermill": {"status": s}}, "source": ""} for s in states]
    path.write_text(json.dumps({"cells": cells}))
    return path


def test_duration_reads_like_a_clock() -> None:
    assert [duration(s) for s in (0, 12.4, 65, 3599.6, 3720, -3)] == ["0s", "12s", "1m05s", "1h00m", "1h02m", "0s"]


def test_the_running_cell_is_read_from_the_partial_notebook(tmp_path: Path) -> None:
    assert cell_position(partial(tmp_path / "a.ipynb", ["completed", "completed", "running", "pending"])) == (3, 4)
    assert cell_position(partial(tmp_path / "b.ipynb", ["completed", "completed"])) is None
    (tmp_path / "c.ipynb").write_text('{"cells": [')  # caught mid-write
    assert cell_position(tmp_path / "c.ipynb") is None
    assert cell_position(tmp_path / "missing.ipynb") is None


def test_the_line_names_the_running_execution_its_cell_the_time_and_the_estimate(tmp_path: Path) -> None:
    clock, out = Clock(), io.StringIO()
    planned = [Planned("00_data", tmp_path / "a" / "p.ipynb", 10.0),
               Planned("02_gan-seed0", tmp_path / "b" / "p.ipynb", 300.0),
               Planned("03_vae-seed0", tmp_path / "c" / "p.ipynb", None)]
    progress = BuildProgress(planned, out, live=False, interval=60.0, clock=clock)
    assert progress.line() == "[genstudy] 0/3 done · 0s elapsed · about 5m10s left + 1 never run before"
    partial(tmp_path / "a" / "p.ipynb", ["completed", "running", "pending"])
    clock.now += 4
    assert progress.line() == ("[genstudy] 0/3 done · 00_data cell 2/3 · 4s elapsed · "
                               "about 5m10s left + 1 never run before")
    clock.now += 30  # running 30 s past its first sighting: 10 s estimated, nothing left of it
    progress.finished("00_data")
    partial(tmp_path / "b" / "p.ipynb", ["running"])
    clock.now += 100
    assert progress.line() == ("[genstudy] 1/3 done · 02_gan-seed0 cell 1/1 · 2m14s elapsed · "
                               "about 5m00s left + 1 never run before")
    clock.now += 20
    assert progress.line().endswith("about 4m40s left + 1 never run before")
    progress.finished("02_gan-seed0")
    assert progress.line() == "[genstudy] 2/3 done · 2m34s elapsed · no estimate (never run before)"
    assert out.getvalue().splitlines() == [  # off a terminal: one plain line as each execution ends
        "[genstudy] 1/3 done · 34s elapsed · about 5m00s left + 1 never run before",
        "[genstudy] 2/3 done · 2m34s elapsed · no estimate (never run before)"]


def test_a_partial_notebook_left_by_an_earlier_build_is_not_taken_as_running(tmp_path: Path) -> None:
    stale = partial(tmp_path / "old.ipynb", ["running"])
    os.utime(stale, (1_000_000, 1_000_000))
    progress = BuildProgress([Planned("x", stale, 5.0)], io.StringIO(), live=False)
    assert progress.running() == {}


def test_on_a_terminal_the_line_is_rewritten_in_place(tmp_path: Path) -> None:
    out = io.StringIO()
    progress = BuildProgress([Planned("x", tmp_path / "p.ipynb", None)], out, live=True, clock=Clock())
    progress.show()
    progress.finished("x")
    assert out.getvalue() == "\r\x1b[K[genstudy] 0/1 done · 0s elapsed · no estimate (never run before)\r\x1b[K"


def test_run_grid_shows_progress_and_estimates_from_the_last_execution(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    write_notebook(root / "notebooks" / "99_quick.ipynb", "x = 1", "y = x + 1")
    runs = [r for r in plan("smoke", root) if r.name == "99_quick"]
    first = io.StringIO()
    run_grid(runs, root, log=lambda _: None, progress=first)
    assert first.getvalue().splitlines()[-1].startswith("[genstudy] 1/1 done · ")
    again = io.StringIO()
    grid = run_grid(runs, root, log=lambda _: None, progress=again)
    assert grid.count("cached") == 1 and again.getvalue() == ""  # nothing to execute, nothing shown
    forced = io.StringIO()
    run_grid(runs, root, log=lambda _: None, progress=forced, force=True)
    assert forced.getvalue().splitlines()[-1].startswith("[genstudy] 1/1 done · ")
    assert "never run before" not in forced.getvalue()  # estimated from the first execution's seconds


def test_a_run_never_made_is_estimated_by_its_chapters_other_runs() -> None:
    from types import SimpleNamespace

    from genstudy.site.pipeline import Keyed, estimated_seconds

    def keyed(chapter: str, seed: int, previous: dict | None) -> Keyed:
        execution = SimpleNamespace(name=chapter, execution_id=f"{chapter}-seed{seed}",
                                    chapter=SimpleNamespace(kind="page"))
        return Keyed(execution, {}, "key", Path("."), previous, None if previous else "new")  # type: ignore[arg-type]

    ok = {"status": "ok"}
    found = [keyed("02_gan", 0, {**ok, "seconds": 100.0}), keyed("02_gan", 1, {**ok, "seconds": 140}),
             keyed("02_gan", 2, None), keyed("04_rbm", 0, {"status": "failed", "seconds": 5.0}),
             keyed("04_rbm", 1, None)]
    assert estimated_seconds(found) == {"02_gan-seed0": 100.0, "02_gan-seed1": 140.0, "02_gan-seed2": 120.0,
                                        "04_rbm-seed0": 5.0,  # a failed run's seconds serve only itself
                                        "04_rbm-seed1": None}


def test_a_changed_budget_scales_the_estimate_by_its_models_training_seconds(tmp_path: Path) -> None:
    from types import SimpleNamespace

    from genstudy.config import get_profile
    from genstudy.runs.record import new_record, run_dir, run_id, write_record
    from genstudy.site.execution import Chapter
    from genstudy.site.pipeline import Keyed, budget_change_seconds, budget_changes, estimated_seconds

    results = tmp_path / "results"
    full = get_profile("full")

    def record(model: str, epochs: int, train_s: float, framework: str = "pytorch") -> None:
        r = new_record(model=model, family="gan", framework=framework, dataset="fashion_mnist", profile="full",
                       seed=0, device="cpu", device_name="cpu", params_count=1, config={"epochs": epochs},
                       timings={"train_s": train_s})
        write_record(run_dir(results, "full", run_id(model, "fashion_mnist", 0, framework)), r)

    def keyed(name: str, kind: str, models: tuple[str, ...], framework: str = "pytorch") -> Keyed:
        chapter = Chapter(Path(f"{name}.ipynb"), kind, models, frozenset(), None, framework)
        execution = SimpleNamespace(chapter=chapter, name=name, execution_id=f"{name}-seed0", profile="full",
                                    parameters={"profile": "full", "dataset": "fashion_mnist", "seed": 0})
        directory = results / "full" / "executions" / execution.execution_id
        return Keyed(execution, {}, "key", directory, {"status": "ok", "seconds": 1000.0}, "package changed")  # type: ignore[arg-type]

    dcgan, rbm = full.budget("dcgan").epochs, full.budget("rbm").epochs
    record("dcgan", 2, 100.0)                # trained for 2 epochs, the budget is now `dcgan`
    record("rbm", rbm, 50.0)                 # its budget unchanged
    record("autoencoder", 1, 10.0, "tensorflow")  # the TensorFlow chapter's run, found by its framework
    gan = keyed("02_gan", "training", ("dcgan", "rbm", "article_gan"))  # article_gan: no record, no change
    tf = keyed("01_tf", "training", ("autoencoder",), "tensorflow")
    data = keyed("00_data", "data", ())
    assert budget_change_seconds(gan, results) == 100.0 * (dcgan / 2 - 1) != 0
    assert budget_change_seconds(tf, results) == 10.0 * (full.budget("autoencoder").epochs - 1)
    assert budget_change_seconds(data, results) == 0.0
    assert budget_change_seconds(keyed("02_gan", "training", ("vae_mlp",)), results) == 0.0  # no record of it
    changes = budget_changes([gan, data], results)
    assert changes == {"02_gan-seed0": 100.0 * (dcgan / 2 - 1)}  # only where a budget changed
    assert estimated_seconds([gan, data], changes) == {"02_gan-seed0": 1000.0 + 100.0 * (dcgan / 2 - 1),
                                                       "00_data-seed0": 1000.0}
