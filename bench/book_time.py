"""Whole-book wall time: ``genstudy book`` from nothing, and again with nothing changed.

Each profile is built in a fresh temporary copy of the project's sources (config, prose,
notebooks; no results, no cache), so every chapter trains, measures and renders, exactly
as ``make book`` does on a new machine once the environment exists. The second build of
the same copy shows what the cache saves (no notebook executes; the HTML is rebuilt).

    python bench/book_time.py [--profiles smoke,quick]
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, write_result

BUDGET_S = {"smoke": 5 * 60, "quick": 20 * 60, "full": None}


def build(root: Path, profile: str, log: Path) -> tuple[float, str]:
    """Seconds of one ``genstudy book`` and its grid summary line."""
    genstudy = Path(sys.executable).parent / "genstudy"
    start = time.perf_counter()
    with log.open("w") as out:
        proc = subprocess.run([str(genstudy), "book", "--profile", profile, "--root", str(root)], stdout=out,
                              stderr=subprocess.STDOUT, cwd=root)
    seconds = time.perf_counter() - start
    text = log.read_text()
    if proc.returncode != 0:
        raise SystemExit(f"genstudy book --profile {profile} failed (exit {proc.returncode}); "
                         f"log: {log}\n{text[-3000:]}")
    summary = re.findall(r"grid of .*", text)
    return seconds, summary[-1] if summary else ""


def main() -> None:
    from genstudy.site.pipeline import copy_sources

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--profiles", default="smoke,quick")
    args = parser.parse_args()
    rows, targets = [], []
    with tempfile.TemporaryDirectory(prefix="genstudy-book-bench-") as tmp:
        for profile in args.profiles.split(","):
            root = copy_sources(ROOT, Path(tmp) / profile / "project")
            first, summary_first = build(root, profile, Path(tmp) / f"{profile}-1.log")
            second, summary_second = build(root, profile, Path(tmp) / f"{profile}-2.log")
            rows.append({"profile": profile, "build": "from nothing", "minutes": first / 60, "grid": summary_first})
            rows.append({"profile": profile, "build": "again, nothing changed", "minutes": second / 60,
                         "grid": summary_second})
            budget = BUDGET_S.get(profile)
            if budget:
                targets.append({"what": f"whole book on the {profile} profile, from nothing",
                                "measured": f"{first / 60:.1f} min", "target": f"<= {budget / 60:.0f} min",
                                "met": first <= budget})
            targets.append({"what": f"{profile} book rebuilt with nothing changed (no notebook executed)",
                            "measured": f"{second / 60:.2f} min ({first / second:.0f}x faster)",
                            "target": "executes no notebook", "met": "executed 0 " in summary_second})
    write_result("book_time", title="Whole book: wall time of genstudy book", rows=rows,
                 columns=["profile", "build", "minutes", "grid"], settings=vars(args), targets=targets)


if __name__ == "__main__":
    main()
