"""Load test of the web SNA: the explorer and a place page under 20 concurrent clients for 60 s.

Run:  uv run python bench/web_bench.py --area svsna-demo/data/area.yaml [--clients 20] [--seconds 60]

Starts ``svsna serve`` (the real command, one uvicorn process) on a free loopback port, waits
until it answers, then runs ``--clients`` closed-loop clients (no think time) for
``--seconds`` against 127.0.0.1 only: each picks the next URL from a fixed mix of explorer
views (filters, sorts, pages, the CSV download) and place pages. The run stops by itself at
the deadline or after ``--max-requests``, stops the server it started (by its process id),
prints p50/p95/p99 latency per kind of page and appends a dated row to
``bench/results/web.md``.

Target: p95 < 200 ms on the demo on 2 cores. The area must have been reported (``svsna demo``
does it; else ``svsna report --area ...``): the server reads the ``public/``, ``restricted/``
and ``history/`` folders that ``svsna report`` writes, nothing made up.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _urls(places: list[str], definitions: list[str]) -> list[tuple[str, str]]:
    """The everyday mix: explorer views (filters, sorts, pages, the CSV) and every place page.

    Only definitions the public release holds are asked for (it holds the primary one).
    """
    explorer = [
        "/explorer",
        "/explorer?section=extent",
        "/explorer?section=geography&breakdown=district",
        "/explorer?section=timing&page=2",
        "/explorer?section=victims&sort=value&dir=desc",
        "/explorer?breakdown=lsoa&page=3",
        "/explorer?place=Charnwood",
        f"/explorer?section=nature&definition={definitions[-1]}",
        "/explorer?q=knife",
        "/explorer?indicator=offences",
        "/explorer.csv?section=extent",
    ]
    out = [("explorer", u) for u in explorer]
    out += [("place", f"/places/{p}") for p in places]
    return out


def _uncached_urls(places: list[str], definitions: list[str], lsoa_pages: int) -> list[tuple[str, str]]:
    """Explorer views that are all different (LSOA pages x sorts x definitions): nearly every one misses the cache."""
    out = []
    for page in range(1, min(40, lsoa_pages) + 1):
        for sort in ("value", "indicator", "category", "period", "significance"):
            for order in ("asc", "desc"):
                out.append(("explorer", f"/explorer?breakdown=lsoa&sort={sort}&dir={order}&page={page}"))
    out += [("place", f"/places/{p}?definition={d}") for p in places for d in definitions]
    import random

    random.Random(1).shuffle(out)
    return out


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(q / 100 * len(values) + 0.5) - 1))
    return values[k]


async def _get(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, host: str, url: str) -> int:
    """One keep-alive HTTP/1.1 GET on an open connection; returns the status (body read and discarded).

    A minimal client (no TLS, no chunked bodies: the server sends Content-Length), so that the
    load generator costs little CPU next to the server on the same two cores.
    """
    writer.write(f"GET {url} HTTP/1.1\r\nHost: {host}\r\nAccept: text/html\r\n\r\n".encode())
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length = 0
    for line in lines[1:]:
        if line.lower().startswith("content-length:"):
            length = int(line.split(":", 1)[1])
    if length:
        await reader.readexactly(length)
    return status


async def _run(base: str, urls: list[tuple[str, str]], clients: int, seconds: float, max_requests: int) -> dict:
    host, port = base.removeprefix("http://").split(":")
    results: dict[str, list[float]] = {}
    errors: list[str] = []
    deadline = time.perf_counter() + seconds
    counter = {"n": 0}

    async def worker(i: int) -> None:
        reader, writer = await asyncio.open_connection(host, int(port))
        j = i
        try:
            while time.perf_counter() < deadline and counter["n"] < max_requests:
                kind, url = urls[j % len(urls)]
                j += 7
                counter["n"] += 1
                t0 = time.perf_counter()
                try:
                    status = await asyncio.wait_for(_get(reader, writer, host, url), 30)
                    if status != 200:
                        errors.append(f"{url}: {status}")
                except (TimeoutError, OSError, asyncio.IncompleteReadError) as exc:
                    errors.append(f"{url}: {type(exc).__name__}")
                    writer.close()
                    reader, writer = await asyncio.open_connection(host, int(port))
                results.setdefault(kind, []).append((time.perf_counter() - t0) * 1000)
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker(i) for i in range(clients)))
    elapsed = time.perf_counter() - started
    return {"results": results, "errors": errors, "elapsed": elapsed}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--area", type=Path, default=Path("svsna-demo/data/area.yaml"))
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--max-requests", type=int, default=200_000)
    ap.add_argument("--no-record", action="store_true")
    ap.add_argument(
        "--uncached", action="store_true", help="every explorer view different (measures pages built per request)"
    )
    args = ap.parse_args()

    from svsna.config import load_area_config
    from svsna.web.data import slugify

    config = load_area_config(args.area)
    out = config.output_dir
    if not (out / "public" / "release.json").is_file():
        raise SystemExit(f"{out}: no public release (run `svsna report --area {args.area}` first)")
    history = sorted(p.name for p in (out / "history").iterdir()) if (out / "history").is_dir() else []
    print(f"{out}: public release and {len(history)} report run(s) in history/", flush=True)
    import pandas as pd

    table = pd.read_parquet(
        out / "public" / "indicators-public.parquet", columns=["breakdown", "breakdown_value", "definition"]
    )
    places = sorted(set(table.loc[table["breakdown"] == "district", "breakdown_value"]))
    definitions = sorted(d for d in set(table["definition"].dropna()) if d)
    lsoa_pages = -(-int((table["breakdown"] == "lsoa").sum()) // 100)
    urls = _urls([slugify(p) for p in places], definitions)
    timed = _uncached_urls([slugify(p) for p in places], definitions, lsoa_pages) if args.uncached else urls
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    web = Path(os.environ.get("TMPDIR", "/tmp")) / f"svsna-web-bench-{port}"
    serve_args = [
        "serve", "--area", str(args.area), "--port", str(port),
        "--users", str(web / "users.json"), "--audit-log", str(web / "audit.log"),
    ]  # fmt: skip
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    t0 = time.perf_counter()
    server = subprocess.Popen(
        [sys.executable, "-c", "from svsna.cli import main; main()", *serve_args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
    )
    try:
        import httpx

        for _ in range(600):
            try:
                if httpx.get(base + "/about", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None:
                raise SystemExit("the server stopped: " + server.stderr.read().decode()[-2000:])
            time.sleep(0.5)
        start_s = time.perf_counter() - t0
        # one pass over every URL first (what the first visitors pay), then the timed run
        t1 = time.perf_counter()
        cold = []
        for _, u in urls:
            t = time.perf_counter()
            httpx.get(base + u, timeout=60)
            cold.append((time.perf_counter() - t) * 1000)
        warm_s = time.perf_counter() - t1
        run = asyncio.run(_run(base, timed, args.clients, args.seconds, args.max_requests))
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
    lines = []
    total = sum(len(v) for v in run["results"].values())
    every = [x for v in run["results"].values() for x in v]
    for kind, vals in [*sorted(run["results"].items()), ("all", every)]:
        lines.append(
            f"{kind}: {len(vals)} requests, p50 {_pct(vals, 50):.0f} ms, p95 {_pct(vals, 95):.0f} ms, "
            f"p99 {_pct(vals, 99):.0f} ms, max {max(vals):.0f} ms"
        )
    rps = total / run["elapsed"]
    print(
        f"server start {start_s:.1f} s; first view of each of {len(urls)} URLs (nothing cached): "
        f"mean {statistics.mean(cold):.0f} ms, max {max(cold):.0f} ms, total {warm_s:.1f} s"
    )
    print(
        f"{args.clients} clients, {run['elapsed']:.0f} s, {total} requests ({rps:.0f}/s), {len(run['errors'])} errors"
    )
    print("\n".join(lines))
    if run["errors"]:
        print("errors:", statistics.mode(run["errors"]), f"(and {len(run['errors']) - 1} more)")
    if not args.no_record:
        load = os.getloadavg()[0]
        rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT).stdout
        p95 = {k: _pct(v, 95) for k, v in run["results"].items()}
        row = (
            f"| {dt.date.today()} | {rev.strip()} | {args.area}{' (uncached mix)' if args.uncached else ''} | "
            f"{args.clients} | {run['elapsed']:.0f} s | "
            f"{total} ({rps:.0f}/s) | {p95.get('explorer', float('nan')):.0f} ms | "
            f"{p95.get('place', float('nan')):.0f} ms | "
            f"{_pct(every, 95):.0f} ms | {_pct(every, 50):.0f} ms | {statistics.mean(cold):.0f} / {max(cold):.0f} ms "
            f"| {len(run['errors'])} | {load:.1f} |\n"
        )
        path = ROOT / "bench" / "results" / "web.md"
        if not path.exists():
            path.write_text(
                "# `svsna serve` load test results\n\n"
                "Script: `bench/web_bench.py` (20 closed-loop clients on loopback for 60 s against one\n"
                "`svsna serve` process; explorer views and place pages). Target: p95 < 200 ms on the demo, 2 cores.\n\n"
                "| date | commit | area | clients | duration | requests | explorer p95 | place p95 | all p95 | all p50 "
                "| first view mean / max | errors | load avg |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|\n"
            )
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(row)
        print(f"recorded in {path}")


if __name__ == "__main__":
    main()
