"""Lay out today's flat ``svsna report`` output as the release layout the web SNA reads.

Until ``svsna report`` writes ``public/``, ``restricted/`` and ``history/`` itself, this
builds them from a flat output folder (the demo's ``svsna-demo/data/output``): the public
indicator table from today's :func:`svsna.outputs.public.public_indicators`, the exact files
copied into ``restricted/``, and one or more ``history/<id>/`` folders. Used by the bench
(``bench/web_bench.py``) and for looking at the demo; the tests use their own small fixture.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

PUBLIC_COPY = {"sna-summary.html": "sna-summary.html", "sna-summary.pdf": "sna-summary.pdf"}
RESTRICTED_COPY = (
    "indicators.csv",
    "indicators.parquet",
    "findings.json",
    "ledger.csv",
    "rejects.csv",
    "sna-full.html",
    "sna-full.pdf",
    "sna-tables.xlsx",
)


def make_release(
    flat: Path, out: Path, rules: str = "nhsd_2018", history_ids: tuple[str, ...] = (), earlier: str | None = None
) -> Path:
    """Write ``out/public``, ``out/restricted`` and ``out/history/<id>`` from a flat output folder.

    ``earlier`` adds a made-up previous assessment under that id (every count scaled by a
    seeded random factor between 0.8 and 1.2, rates and shares recomputed), so the pages
    have something to compare with while looking at them.
    """
    import pandas as pd

    from svsna.outputs.public import public_indicators

    flat, out = Path(flat), Path(out)
    for sub in ("public", "restricted", "history"):
        (out / sub).mkdir(parents=True, exist_ok=True, mode=0o700)
    exact = pd.read_parquet(flat / "indicators.parquet")
    public = public_indicators(exact, rules)
    public.to_parquet(out / "public" / "indicators-public.parquet", index=False)
    from svsna.cells import neutralise_frame

    neutralise_frame(public).to_csv(out / "public" / "indicators-public.csv", index=False)
    for src, dst in PUBLIC_COPY.items():
        if (flat / src).exists():
            shutil.copyfile(flat / src, out / "public" / dst)
    if (flat / "sna-tables.xlsx").exists():
        shutil.copyfile(flat / "sna-tables.xlsx", out / "restricted" / "sna-tables.xlsx")
    for name in RESTRICTED_COPY:
        if (flat / name).exists():
            shutil.copyfile(flat / name, out / "restricted" / name)
    manifest = {"generated": "from a flat output folder (development layout)", "rules": rules}
    (out / "public" / "release.json").write_text(json.dumps(manifest), encoding="utf-8")
    for hid in history_ids:
        h = out / "history" / hid
        h.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(out / "public" / "indicators-public.parquet", h / "indicators-public.parquet")
        shutil.copyfile(out / "restricted" / "indicators.parquet", h / "indicators.parquet")
        shutil.copyfile(out / "public" / "release.json", h / "release.json")
    if earlier:
        import numpy as np

        rng = np.random.default_rng(7)
        before = exact.copy()
        factor = rng.uniform(0.8, 1.2, len(before))
        has = before["numerator"].notna()
        before.loc[has, "numerator"] = (before.loc[has, "numerator"] * factor[has.to_numpy()]).round()
        for col in ("value", "lower", "upper"):
            before.loc[has, col] = before.loc[has, col] * factor[has.to_numpy()]
        h = out / "history" / earlier
        h.mkdir(parents=True, exist_ok=True)
        before.to_parquet(h / "indicators.parquet", index=False)
        public_indicators(before, rules).to_parquet(h / "indicators-public.parquet", index=False)
        (h / "release.json").write_text(json.dumps({"generated": "made-up earlier assessment"}), encoding="utf-8")
    return out
