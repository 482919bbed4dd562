"""A small hand-built partnership, reported by the real ``svsna report``, and one live web SNA per session.

Testshire (TST): three districts (Northby, Southam, Eastwick), four LSOAs each. The exact
indicator tables and findings are written by hand, as ``svsna assess`` would write them to
``restricted/``; then ``svsna report`` runs twice (the previous assessment, then the current
one), so ``public/``, ``restricted/`` and ``history/<id>/`` are exactly what the real code
writes: the public table comes from the real public release (``nhsd_2018``: counts 1-7
withheld, others rounded to 5; joint audit) and ``release.json`` is the real manifest.
Canaries that must never reach an anonymous visitor: the restricted-only indicator
``canary_restricted_only`` (category ``CANARYCATEGORY``, count 424242, never named by a public
finding) and the restricted findings ``CANARY-FINDING`` / ``CANARY-BOTH`` (``public: false``).

The previous assessment was reported with ``baseline_year: 2018`` and the current one with
``baseline_year: 2019``, so each ``release.json`` names its own baseline year (2018/19, 2019/20);
each carries one change against the baseline year and the current one six monthly counts.

Users: ``ada`` (admin), ``ann`` (analyst), ``pam`` (partner, every district), ``pat``
(partner, Northby only), ``lockme`` (partner, for the lockout test); password
``PASSWORD`` for all.

Every test module of tests/web runs on one xdist worker (tests/conftest.py), so the area is
reported once and one server and one browser serve the whole folder.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from pathlib import Path

import pytest

PASSWORD = "correct horse battery staple"
DISTRICTS = ("Northby", "Southam", "Eastwick")
AREA = "TST"
POP = {"Northby": 50_000, "Southam": 80_000, "Eastwick": 20_000}
# offences in the profile window (Apr 2020 - Sep 2021), by district
NOW = {"Northby": 412, "Southam": 530, "Eastwick": 61}
BEFORE = {"Northby": 300, "Southam": 545, "Eastwick": 58}
# offences per LSOA (the fourth LSOA of each district has 3: suppressed in public)
LSOA_COUNTS = {"Northby": (180, 150, 79, 3), "Southam": (200, 190, 137, 3), "Eastwick": (30, 20, 8, 3)}
# the current assessment's offences by month (each a multiple of 5, so published as they are),
# deliberately not in time order
MONTHLY = {"2021-01": 55, "2020-11": 40, "2020-12": 65, "2020-10": 50, "2021-03": 45, "2021-02": 60}
#: the baseline year each report run is configured with (previous, current)
BASELINE_YEARS = (2018, 2019)


def lsoa_codes() -> dict[str, list[str]]:
    out, n = {}, 1
    for d in DISTRICTS:
        out[d] = [f"E0100{n + i:04d}" for i in range(4)]
        n += 4
    return out


def _rate_rows(counts: dict[str, int], period: str, definition: str = "llr_vrn") -> list[dict]:
    from svsna.stats import crude_rate

    rows = []
    total = sum(counts.values())
    pop = sum(POP.values())
    whole = crude_rate(total, pop, multiplier=1000).iloc[0]
    rows.append(
        {
            "section": "geography",
            "indicator": "area_rate",
            "period": period,
            "area": AREA,
            "breakdown": "all",
            "breakdown_value": "all",
            "numerator": total,
            "denominator": pop,
            "value": whole["value"],
            "lower": whole["lower"],
            "upper": whole["upper"],
            "method": whole["method"],
            "confidence": 0.95,
            "statistic": "rate",
            "unit": "per 1,000 residents",
            "significance": "Not compared",
            "definition": definition,
        }
    )
    for d, n in counts.items():
        r = crude_rate(n, POP[d], multiplier=1000).iloc[0]
        sig = "Higher" if r["lower"] > whole["value"] else "Lower" if r["upper"] < whole["value"] else "Similar"
        rows.append(
            {
                "section": "geography",
                "indicator": "area_rate",
                "period": period,
                "area": AREA,
                "breakdown": "district",
                "breakdown_value": d,
                "numerator": n,
                "denominator": POP[d],
                "value": r["value"],
                "lower": r["lower"],
                "upper": r["upper"],
                "method": r["method"],
                "confidence": 0.95,
                "statistic": "rate",
                "unit": "per 1,000 residents",
                "comparator_value": whole["value"],
                "significance": sig,
                "definition": definition,
            }
        )
    return rows


def exact_table(now: bool = True):
    """The exact indicator table of the current (``now``) or previous assessment."""
    import pandas as pd

    from svsna.indicators import INDICATOR_COLUMNS, indicator_rows

    rows: list[dict] = []
    counts = NOW if now else BEFORE
    years = ("2019/20", "2020/21") if now else ("2018/19", "2019/20")
    yearly = (300, 380) if now else (290, 300)

    def offences(section: str, indicator: str, period: str, breakdown: str, value: str, n: int) -> dict:
        """A row counting offences."""
        return {
            "section": section,
            "indicator": indicator,
            "period": period,
            "area": AREA,
            "breakdown": breakdown,
            "breakdown_value": value,
            "numerator": n,
            "value": n,
            "method": "Count",
            "statistic": "count",
            "unit": "offences",
            "definition": "llr_vrn",
            "significance": "Not compared",
        }

    for period, n in zip(years, yearly, strict=True):
        rows.append(offences("extent", "offences", period, "all", "all", n))
        for band, share in (("Under 25", 0.4), ("25 and over", 0.6)):
            rows.append(offences("extent", "offences", period, "age_group", band, round(n * share)))
    # the latest year's offences against the baseline year's (2019/20 now, 2018/19 before), per
    # month: 380 against 300, 300 against 290; the limits are made up
    latest, base = (380, 300) if now else (300, 290)
    change = 100 * (latest - base) / base
    rows.append(
        {
            "section": "extent",
            "indicator": "offences_baseline_change",
            "period": years[-1],
            "area": AREA,
            "breakdown": "all",
            "breakdown_value": "all",
            "numerator": latest,
            "denominator": base,
            "comparator_value": base,
            "value": change,
            "lower": change - 8,
            "upper": change + 8,
            "method": "% change in offences per month against the baseline year",
            "statistic": "percent_change",
            "unit": "%",
            "confidence": 0.95,
            "definition": "llr_vrn",
            "significance": "Increase" if now else "No significant change",
        }
    )
    if now:
        for month, n in MONTHLY.items():
            rows.append(offences("timing", "offences_monthly", "Oct 2020 - Mar 2021", "month", month, n))
    knife = (40, 380) if now else (20, 300)
    rows.append(
        {
            "section": "nature",
            "indicator": "knife_share",
            "period": years[-1],
            "area": AREA,
            "breakdown": "all",
            "breakdown_value": "all",
            "numerator": knife[0],
            "denominator": knife[1],
            "value": 100 * knife[0] / knife[1],
            "lower": 100 * knife[0] / knife[1] - 3,
            "upper": 100 * knife[0] / knife[1] + 3,
            "method": "Wilson",
            "statistic": "percentage",
            "unit": "%",
            "confidence": 0.95,
            "definition": "llr_vrn",
            "significance": "Not compared",
        }
    )
    rows += _rate_rows(counts, "Apr 2020 - Sep 2021" if now else "Apr 2019 - Sep 2020")
    # victims by sex: a small cell (F = 4) that the public table must suppress
    for sex, n in (("M", 120), ("F", 4), ("U", 11)):
        rows.append(
            {
                "section": "victims",
                "indicator": "victims",
                "period": years[-1],
                "area": AREA,
                "breakdown": "sex",
                "breakdown_value": sex,
                "numerator": n,
                "value": n,
                "method": "Count",
                "statistic": "count",
                "unit": "people",
                "definition": "llr_vrn",
                "significance": "Not compared",
            }
        )
    # offence types with names as long as the Home Office's (a chart's labels must fit its width)
    for offence_type, n in (
        ("Racially or religiously aggravated assault occasioning actual bodily harm or other injury", 240),
        ("Assault with intent to cause serious harm", 180),
        ("Robbery of personal property", 95),
    ):
        rows.append(
            {
                "section": "nature",
                "indicator": "offence_type_share",
                "period": years[-1],
                "area": AREA,
                "breakdown": "offence_type",
                "breakdown_value": offence_type,
                "numerator": n,
                "denominator": 515,
                "value": 100 * n / 515,
                "method": "Wilson",
                "statistic": "percentage",
                "unit": "%",
                "definition": "llr_vrn",
                "significance": "Not compared",
            }
        )
    # a category with a spreadsheet formula in it (partner text reaching the explorer CSV)
    rows.append(
        {
            "section": "nature",
            "indicator": "offences_by_setting",
            "period": years[-1],
            "area": AREA,
            "breakdown": "setting",
            "breakdown_value": '=HYPERLINK("http://evil.example","x")',
            "numerator": 25,
            "value": 25,
            "method": "Count",
            "statistic": "count",
            "unit": "offences",
            "definition": "llr_vrn",
            "significance": "Not compared",
        }
    )
    codes = lsoa_codes()
    z_values = {"Northby": (3.4, 2.2, 0.3, -0.5), "Southam": (1.0, 0.4, 0.1, -1.1), "Eastwick": (0.2, -0.3, -0.9, -1.5)}
    for d in DISTRICTS:
        for code, n, z in zip(codes[d], LSOA_COUNTS[d], z_values[d], strict=True):
            # as the analyses write Gi* rows: Higher/Lower/Similar, the level of the class in ``confidence``
            sig, level = ("Higher", 0.99) if z > 2.58 else ("Higher", 0.95) if z > 1.96 else ("Similar", 0.95)
            for ind, val, stat, unit, method in (
                ("area_offences", n, "count", "offences", "Count"),  # as the analyses name them by LSOA
                ("area_rate", n / 1500 * 1000, "rate", "per 1,000 residents", "Byar's"),
                ("hotspot_gi", z, "z", "z-score", "Getis-Ord Gi*"),
            ):
                rows.append(
                    {
                        "section": "geography",
                        "indicator": ind,
                        "period": "Apr 2020 - Sep 2021",
                        "area": AREA,
                        "breakdown": "lsoa",
                        "breakdown_value": code,
                        "numerator": n if ind != "hotspot_gi" else None,
                        "denominator": 1500 if ind == "area_rate" else None,
                        "value": val,
                        "statistic": stat,
                        "unit": unit,
                        "method": method,
                        "definition": "llr_vrn",
                        "significance": sig if ind == "hotspot_gi" else "Not compared",
                        "confidence": level if ind == "hotspot_gi" else None,
                    }
                )
    rows.append(
        {
            "section": "data_quality",
            "indicator": "completeness_pct",
            "period": years[-1],
            "area": AREA,
            "breakdown": "field",
            "breakdown_value": "age",
            "numerator": 95,
            "denominator": 100,
            "value": 95.0,
            "statistic": "percentage",
            "unit": "%",
            "method": "Wilson",
            "definition": "",
            "significance": "Not compared",
        }
    )
    table = pd.concat([indicator_rows(**{k: [r.get(k)] for k in INDICATOR_COLUMNS if k in r}) for r in rows])
    return table.reset_index(drop=True)


CANARY_ROW = {
    "section": "extent",
    "indicator": "canary_restricted_only",
    "period": "2020/21",
    "area": AREA,
    "breakdown": "canary",
    "breakdown_value": "CANARYCATEGORY",
    "numerator": 424242,
    "value": 424242,
    "method": "Count",
    "statistic": "count",
    "unit": "offences",
    "definition": "llr_vrn",
    "significance": "Not compared",
}


def findings(now: bool = True) -> list:
    """The assessment's findings: public ones naming the indicators the public release features,
    and two restricted-only ones (``public: false``) carrying canaries."""
    from svsna.indicators import Finding

    period = "Apr 2020 - Sep 2021" if now else "Apr 2019 - Sep 2020"
    year = "2020/21" if now else "2019/20"
    public = [
        Finding("extent", "offences_total", "Offences in the year.", period=year, area=AREA, definition="llr_vrn",
                indicators=["offences", "offences_baseline_change"], headline=True),
        Finding("nature", "knife_share", "Share of offences with a knife.", period=year, area=AREA,
                definition="llr_vrn", indicators=["knife_share", "offences_by_setting"]),
        Finding("victims", "victims_by_sex", "Victims by sex.", period=year, area=AREA, definition="llr_vrn",
                indicators=["victims"]),
        Finding("geography", "district_rates", "Rates by district.", significance="Higher", period=period, area=AREA,
                definition="llr_vrn", indicators=["area_rate"]),
    ]  # fmt: skip
    if not now:
        return public
    restricted = [
        Finding("geography", "district_rate", "Northby CANARY-FINDING rate 8.24.", significance="Higher",
                period=period, area="Northby", definition="llr_vrn", indicators=["area_rate"], public=False),
        Finding("geography", "district_compare", "Northby's rate is higher than Southam's (CANARY-BOTH 412 vs 530).",
                significance="Higher", period=period, area=AREA, definition="llr_vrn", indicators=["area_rate"],
                public=False),
    ]  # fmt: skip
    return public + restricted


def _square(lon: float, lat: float, size: float = 0.02) -> dict:
    return {
        "type": "Polygon",
        "coordinates": [[[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]],
    }


def _assess(out: Path, table, found) -> None:
    """What ``svsna assess`` and ``svsna ingest`` leave in ``restricted/`` (the report's inputs)."""
    from svsna.analyses import AssessmentResult, write_assessment

    write_assessment(AssessmentResult(indicators=table, findings=found), out)
    res = out / "restricted"
    (res / "ledger.csv").write_text("source,file,outcome,reason,rows,definition\noffences,o.csv,read,,1003,\n")
    (res / "rejects.csv").write_text(
        "source,file,row_number,column,value,rule,message\noffences,o.csv,7,age,-3,range,bad\n"
    )


def _report(area_yaml: Path) -> None:
    """``svsna report --area area.yaml --no-pdf``, the real command."""
    from typer.testing import CliRunner

    from svsna.cli import app

    r = CliRunner().invoke(app, ["report", "--area", str(area_yaml), "--no-pdf", "--quiet"])
    assert r.exit_code == 0, r.output


def build_area(root: Path) -> Path:
    """Write Testshire's area.yaml, geography and boundaries, then assess and report it twice."""
    import pandas as pd

    from svsna.indicators import INDICATOR_COLUMNS, indicator_rows

    data = root / "data"
    data.mkdir(parents=True)
    codes = lsoa_codes()
    geo_rows, feats = [], []
    for i, d in enumerate(DISTRICTS):
        for j, code in enumerate(codes[d]):
            name = f"{d} {j + 1:03d}A"
            geo_rows.append(
                {
                    "lsoa_code": code,
                    "lsoa_name": name,
                    "ward_name": f"{d} ward {j // 2}",
                    "npa": f"{d} NPA",
                    "district_name": d,
                }
            )
            feats.append(
                {
                    "type": "Feature",
                    "properties": {"LSOA11CD": code, "LSOA11NM": name},
                    "geometry": _square(-1.2 + 0.04 * i + 0.02 * (j % 2), 52.6 + 0.02 * (j // 2)),
                }
            )
    pd.DataFrame(geo_rows).to_csv(data / "geography.csv", index=False)
    (data / "lsoa_boundaries.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": feats}), encoding="utf-8"
    )
    area_yaml = data / "area.yaml"

    def write_area(baseline_year: int) -> None:
        area_yaml.write_text(
            "name: Testshire\nshort_name: TST\nfinancial_years: [2019, 2020]\ndefinitions: [llr_vrn]\n"
            f"baseline_year: {baseline_year}\n"
            "inputs:\n  geography: geography.csv\nboundaries: lsoa_boundaries.geojson\noutput: output\n",
            encoding="utf-8",
        )

    out = data / "output"
    # the previous assessment, reported; then the current one (with the restricted-only canary row)
    write_area(BASELINE_YEARS[0])
    _assess(out, exact_table(False), findings(False))
    _report(area_yaml)
    write_area(BASELINE_YEARS[1])
    canary = indicator_rows(**{k: [CANARY_ROW.get(k)] for k in INDICATOR_COLUMNS if k in CANARY_ROW})
    _assess(out, pd.concat([exact_table(True), canary], ignore_index=True), findings(True))
    _report(area_yaml)
    return area_yaml


def history_ids(area_file: Path) -> list[str]:
    """The ids of ``history/`` (oldest first): the previous and the current report run."""
    return sorted(p.name for p in (area_file.parent / "output" / "history").iterdir())


@pytest.fixture(scope="session")
def area_file(tmp_path_factory) -> Path:
    return build_area(tmp_path_factory.mktemp("testshire"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """A uvicorn server in a thread (proxy headers trusted from 127.0.0.1, as behind a local TLS proxy)."""

    def __init__(self, app) -> None:
        import uvicorn

        self.app = app
        self.area_file: Path | None = None
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            server_header=False,
            proxy_headers=True,
            forwarded_allow_ips="127.0.0.1",
            lifespan="off",
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        for _ in range(200):
            if self.server.started:
                return self
            time.sleep(0.05)
        raise RuntimeError("the test server did not start")

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)

    @property
    def cfg(self):
        return self.app.state.cfg


@pytest.fixture(scope="session")
def live(area_file, tmp_path_factory):
    from svsna.config import load_area_config
    from svsna.web.server import build

    config = load_area_config(area_file)
    web = tmp_path_factory.mktemp("web")
    app = build(config, users=web / "users.json", audit=web / "audit.log")
    users = app.state.cfg.users
    users.add("ada", PASSWORD, role="admin")
    users.add("ann", PASSWORD, role="analyst")
    users.add("pam", PASSWORD, role="partner")
    users.add("pat", PASSWORD, role="partner", districts=["Northby"])
    users.add("lockme", PASSWORD, role="partner")
    with LiveServer(app) as server:
        server.area_file = area_file
        yield server


def login(client, name: str, password: str = PASSWORD):
    """Log ``client`` (an httpx.Client on the live server) in; returns the final response."""
    import re

    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    return client.post("/login", data={"username": name, "password": password, "csrf_token": token, "next": "/partner"})


@pytest.fixture
def client_for(live):
    """``client_for(role)``: a new httpx client, logged in as that user (``None`` = anonymous)."""
    import httpx

    made = []

    def make(user: str | None):
        c = httpx.Client(base_url=live.url, follow_redirects=False, timeout=30)
        made.append(c)
        if user is not None:
            r = login(c, user)
            assert r.status_code == 303, r.text[:500]
        return c

    yield make
    for c in made:
        c.close()


@pytest.fixture(scope="session")
def role_clients(live):
    """One logged-in client per role for the whole session (re-logged in if its session ended)."""
    import httpx

    made: dict = {}

    def get(user: str | None):
        c = made.get(user)
        if c is None:
            c = made[user] = httpx.Client(base_url=live.url, follow_redirects=False, timeout=30)
            if user is not None:
                assert login(c, user).status_code == 303
        elif user is not None and c.get("/partner").status_code != 200:
            assert login(c, user).status_code == 303
        return c

    yield get
    for c in made.values():
        c.close()


@pytest.fixture(scope="session")
def mv_live(tmp_path_factory):
    """Marshfield and the Vale (tests/public/partnership.py), ingested, assessed and reported for real
    (nhsd_2018), served with a partner ``salt`` limited to Saltmere: ``(server, exact table, public table)``."""
    import os
    import secrets

    import pandas as pd
    from tests.public.partnership import write

    from svsna.config import load_area_config
    from svsna.pipeline.ingest import ingest
    from svsna.pipeline.run import assess, report
    from svsna.web.server import build

    old = os.environ.get("SVSNA_PSEUDONYM_KEY")
    os.environ["SVSNA_PSEUDONYM_KEY"] = secrets.token_hex(32)
    try:
        config = load_area_config(write(tmp_path_factory.mktemp("mv")))
        ingest(config, progress=False)
        assess(config)
        report(config, pdf=False)
    finally:
        if old is None:
            os.environ.pop("SVSNA_PSEUDONYM_KEY", None)
        else:
            os.environ["SVSNA_PSEUDONYM_KEY"] = old
    web = tmp_path_factory.mktemp("mv-web")
    app = build(config, users=web / "users.json", audit=web / "audit.log")
    app.state.cfg.users.add("salt", PASSWORD, role="partner", districts=["Saltmere"])
    out = config.output_dir
    exact = pd.read_parquet(out / "restricted" / "indicators.parquet")
    public = pd.read_parquet(out / "public" / "indicators-public.parquet")
    with LiveServer(app) as server:
        yield server, exact, public
