"""Unit tests of the web SNA's pieces: the confined release readers, users, audit, changes, vendoring."""

from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from svsna.web.audit import AuditLog, verify_chain
from svsna.web.release import OutsideRelease, PublicRelease, ReleaseLayout, RestrictedRelease
from svsna.web.users import UserStore

VENDOR = Path(__file__).parents[2] / "src" / "svsna" / "web" / "static" / "vendor"


# -- the release readers --------------------------------------------------------------------


@pytest.fixture
def output(tmp_path):
    out = tmp_path / "output"
    for sub in ("public", "restricted", "history/20260101T000000Z"):
        (out / sub).mkdir(parents=True)
    (out / "restricted" / "indicators.csv").write_text("secret")
    (out / "public" / "release.json").write_text("{}")
    return out


@pytest.mark.parametrize(
    "name",
    [
        "../restricted/indicators.csv",
        "indicators.csv",  # a restricted name is not a public file
        "/etc/passwd",
        "..",
        "",
        "sub/release.json",
        "release.json\x00",
        "..\\restricted\\indicators.csv",
    ],
)
def test_public_reader_refuses_names_outside_its_allow_list(output, name):
    pub = PublicRelease(output / "public")
    with pytest.raises(OutsideRelease):
        pub.path(name)


def test_public_reader_refuses_a_symlink_to_restricted(output):
    link = output / "public" / "indicators-public.csv"
    os.symlink(output / "restricted" / "indicators.csv", link)
    pub = PublicRelease(output / "public")
    with pytest.raises(OutsideRelease):
        pub.path("indicators-public.csv")
    with pytest.raises(OutsideRelease):
        pub.indicators()  # reading the table goes through the same check


def test_public_folder_that_is_a_symlink_to_restricted_exposes_only_allowed_names(output, tmp_path):
    # even a public/ that points at restricted/ offers only public names, none of which exist there
    other = tmp_path / "o2"
    other.mkdir()
    os.symlink(output / "restricted", other / "public")
    pub = ReleaseLayout(other).public()
    assert not pub.folder.exists("indicators.csv")
    with pytest.raises(FileNotFoundError):
        pub.path("indicators-public.csv")


def test_the_public_reader_has_no_way_to_name_the_output_folder(output):
    pub = ReleaseLayout(output).public()
    # the only folder it knows is public/, resolved
    assert pub.folder.root == (output / "public").resolve()
    assert not any(isinstance(v, Path) and v == output for v in vars(pub).values())


def test_restricted_reader_refuses_public_names(output):
    res = RestrictedRelease(output / "restricted")
    assert res.path("indicators.csv").read_text() == "secret"
    with pytest.raises(OutsideRelease):
        res.path("release.json")


def test_public_history_reader_cannot_open_exact_tables(output):
    (output / "history" / "20260101T000000Z" / "indicators.parquet").write_bytes(b"exact")
    (output / "history" / "not-an-id").mkdir()
    pub_hist = ReleaseLayout(output).history(public_only=True).assessments()
    assert [a.id for a in pub_hist] == ["20260101T000000Z"]
    with pytest.raises(OutsideRelease):
        pub_hist[0].folder.path("indicators.parquet")
    full = ReleaseLayout(output).history().assessments()
    assert full[0].folder.path("indicators.parquet").read_bytes() == b"exact"


def test_missing_release_is_a_clear_error(tmp_path):
    from svsna.errors import MissingInputError

    with pytest.raises(MissingInputError, match="no public release to serve"):
        ReleaseLayout(tmp_path).check()


def test_damaged_table_is_a_clear_error(output):
    from svsna.errors import InputDataError

    (output / "public" / "indicators-public.parquet").write_bytes(b"not parquet")
    with pytest.raises(InputDataError, match="not a readable Parquet file"):
        PublicRelease(output / "public").indicators()


# -- users ----------------------------------------------------------------------------------


def test_users_file_is_owner_only_and_holds_argon2id_hashes(tmp_path):
    store = UserStore(tmp_path / "web" / "users.json")
    store.add("ana", "a long enough password", role="partner", districts=["Charnwood"])
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(store.path.parent.stat().st_mode) == 0o700
    raw = json.loads(store.path.read_text())
    assert raw["users"]["ana"]["hash"].startswith("$argon2id$")
    assert "a long enough password" not in store.path.read_text()
    assert store.verify("ana", "a long enough password").districts == ("Charnwood",)
    assert store.verify("ana", "a long enough passwore") is None
    assert store.verify("nobody", "a long enough password") is None


def test_users_file_readable_by_others_is_refused(tmp_path):
    from svsna.errors import ConfigError

    store = UserStore(tmp_path / "users.json")
    store.add("ana", "a long enough password", role="admin")
    os.chmod(store.path, 0o644)
    with pytest.raises(ConfigError, match="can be read by other users"):
        UserStore(store.path).get("ana")


@pytest.mark.parametrize(
    "name,password,role,districts,match",
    [
        ("ana", "short", "partner", [], "too short"),
        ("ana", "aaaaaaaaaaaaaaaa", "partner", [], "fewer than 4 different"),
        ("ana-smith-1", "ana-smith-1", "partner", [], "too short"),
        ("anabelle12345", "anabelle12345", "partner", [], "is the user name"),
        ("ana", "a long enough password", "root", [], "unknown role"),
        ("=cmd|calc", "a long enough password", "partner", [], "not allowed"),
        ("ana", "a long enough password", "analyst", ["Charnwood"], "only partner users"),
    ],
)
def test_bad_users_are_refused(tmp_path, name, password, role, districts, match):
    from svsna.errors import ConfigError

    with pytest.raises(ConfigError, match=match):
        UserStore(tmp_path / "u.json").add(name, password, role=role, districts=districts)


def test_users_cli(tmp_path):
    from svsna.cli import app

    users = tmp_path / "web" / "users.json"
    runner = CliRunner()
    r = runner.invoke(
        app,
        [
            "users",
            "add",
            "ana",
            "--role",
            "partner",
            "--district",
            "Charnwood",
            "--users",
            str(users),
            "--password-stdin",
        ],
        input="a long enough password\n",
    )
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["users", "list", "--users", str(users)])
    assert "ana\tpartner\tCharnwood" in r.output and "argon2" not in r.output
    r = runner.invoke(
        app, ["users", "reset", "ana", "--users", str(users), "--password-stdin"], input="another long password\n"
    )
    assert r.exit_code == 0
    assert UserStore(users).verify("ana", "another long password") is not None
    r = runner.invoke(app, ["users", "add", "bob", "--users", str(users), "--password-stdin"], input="short\n")
    assert r.exception.exit_code == 3 and "too short" in str(r.exception)  # main() exits with exit_code
    r = runner.invoke(app, ["users", "remove", "ana", "--users", str(users)])
    assert r.exit_code == 0 and UserStore(users).get("ana") is None
    r = runner.invoke(app, ["users", "remove", "ana", "--users", str(users)])
    assert r.exception.exit_code == 3


def test_users_cli_checks_district_names_against_the_release(area_file, tmp_path):
    from svsna.cli import app

    r = CliRunner().invoke(
        app,
        ["users", "add", "ana", "--district", "Atlantis", "--area", str(area_file), "--users", str(tmp_path / "u.json"),
         "--password-stdin"],
        input="a long enough password\n",
    )  # fmt: skip
    assert r.exception.exit_code == 3 and "Atlantis" in str(r.exception)


def test_serve_refuses_an_output_without_a_release(tmp_path):
    from svsna.cli import app

    (tmp_path / "area.yaml").write_text("name: X\nfinancial_years: [2020]\noutput: out\n")
    r = CliRunner().invoke(app, ["serve", "--area", str(tmp_path / "area.yaml")])
    assert r.exit_code != 0 and "no public release to serve" in str(r.exception)


# -- audit ----------------------------------------------------------------------------------


def test_audit_log_is_append_only_owner_only_and_chained(tmp_path):
    log = AuditLog(tmp_path / "web" / "audit.log")
    log.record("view", user="a", ip="127.0.0.1", path="/partner/x", status=200)
    log2 = AuditLog(log.path)  # a restart carries the chain on from the file's last line
    log2.record("download", user="a", ip="127.0.0.1", path="/partner/files/full-pdf", detail="sna-full.pdf")
    assert stat.S_IMODE(log.path.stat().st_mode) == 0o600
    assert verify_chain(log.path) == (2, None)
    lines = log.path.read_text().splitlines()
    edited = lines[0].replace('"user": "a"', '"user": "b"')
    log.path.write_text(edited + "\n" + lines[1] + "\n")
    assert verify_chain(log.path) == (2, 2)  # editing line 1 breaks the link from line 2


# -- changes --------------------------------------------------------------------------------


def test_newcombe_matches_the_published_example():
    from svsna.web.changes import newcombe_difference

    # Newcombe RG (1998) Stat Med 17:873-890, Table II, 56/70 - 48/80, method 10: 0.0524 to 0.3339
    lo, hi = newcombe_difference(56, 70, 48, 80)
    assert (round(lo, 4), round(hi, 4)) == (0.0524, 0.3339)


def test_changes_since_the_last_assessment_on_the_fixture(live):
    """Offences 300 (2019/20, previous run) -> 380 (2020/21): exact conditional test, worked with scipy's binomtest."""
    import datetime as dt

    import httpx
    from scipy.stats import binomtest
    from tests.web.conftest import history_ids

    site = live.cfg.site
    previous, _current = history_ids(live.area_file)
    assert site.public().previous.id == previous  # the earlier of the fixture's two `svsna report` runs
    page = httpx.get(live.url + "/changes").text
    assert dt.datetime.strptime(previous, "%Y%m%dT%H%M%SZ").strftime("%d %b %Y %H:%M UTC") in page
    ch = site.public().changes()
    row = ch[(ch["indicator"] == "offences") & (ch["breakdown"] == "all")].iloc[0]
    assert (row["period_before"], row["period_now"]) == ("2019/20", "2020/21")
    ci = binomtest(380, 380 + 300).proportion_ci(0.95, method="exact")
    ratio_lo, ratio_hi = ci.low / (1 - ci.low), ci.high / (1 - ci.high)
    expected = "Increase" if ratio_lo > 1 else "Decrease" if ratio_hi < 1 else "No significant change"
    assert row["significance"] == expected == "Increase"
    assert row["test"] == "exact conditional test (counts)"
    # Southam's rate (545 -> 530 on 80,000): published rates are compared by their intervals (no denominators)
    s = ch[(ch["indicator"] == "area_rate") & (ch["breakdown_value"] == "Southam")].iloc[0]
    assert s["test"].startswith("confidence intervals") and s["significance"] == "No significant change"
    assert s["place"] == "Southam"
    # suppressed in public -> not compared, with no test named
    f = ch[(ch["indicator"] == "victims") & (ch["breakdown_value"] == "F")].iloc[0]
    assert f["significance"] == "Not compared" and f["test"] == ""


def test_exact_changes_use_numerators_and_denominators(live):
    from svsna.web.users import User

    ch = live.cfg.site.changes_for(User("x", "analyst"))
    north = ch[(ch["indicator"] == "area_rate") & (ch["breakdown_value"] == "Northby")].iloc[0]
    # 412 vs 300 on the same 50,000 residents over 18 months: the ratio 1.373; exact 95% CI excludes 1
    from scipy.stats import binomtest

    ci = binomtest(412, 712).proportion_ci(0.95, method="exact")
    assert ci.low / (1 - ci.low) > 1
    assert north["test"] == "exact conditional test (rates)" and north["significance"] == "Increase"
    knife = ch[ch["indicator"] == "knife_share"].iloc[0]  # 40/380 vs 20/300: Newcombe
    from svsna.web.changes import newcombe_difference

    lo, hi = newcombe_difference(40, 380, 20, 300)
    assert knife["test"] == "Newcombe difference of proportions"
    expected = "Increase" if lo > 0 else "Decrease" if hi < 0 else "No significant change"
    assert knife["significance"] == expected


# -- vendored JavaScript -----------------------------------------------------------------------


def test_vendored_libraries_match_their_manifest_and_carry_licences():
    manifest = json.loads((VENDOR / "vendor.json").read_text())
    assert set(manifest) == {"htmx", "d3", "plot", "leaflet"}
    for lib, entry in manifest.items():
        assert (VENDOR / lib / "LICENSE").is_file(), lib
        for rel, digest in entry["files"].items():
            assert hashlib.sha256((VENDOR / rel).read_bytes()).hexdigest() == digest, rel
        on_disk = {str(p.relative_to(VENDOR)) for p in (VENDOR / lib).rglob("*") if p.is_file()}
        assert on_disk == set(entry["files"]), lib


def test_templates_and_scripts_have_no_inline_script_or_remote_url():
    import re

    web = VENDOR.parents[1]
    for path in [*(web / "templates").glob("*.html"), web / "static" / "app.js", web / "static" / "app.css"]:
        text = path.read_text()
        assert not re.search(r"<script(?![^>]*\b(src|type=\"application/json\")=?)[^>]*>", text), path
        assert " on" + "click=" not in text and "javascript:" not in text, path
        assert not re.search(r"https?://(?!www\.w3\.org)", text), path


def test_population_estimates_are_not_tested(live):
    import pandas as pd

    from svsna.web.changes import compare_assessments
    from svsna.web.data import IndicatorFrame, Lookup

    def frame(n, period):
        t = pd.DataFrame(
            [
                {"section": s, "indicator": "residents", "period": period, "area": "TST", "breakdown": "all",
                 "breakdown_value": "all", "numerator": n, "denominator": None, "value": n, "statistic": "count",
                 "unit": "people", "lower": None, "upper": None, "method": "Count", "confidence": None,
                 "comparator_value": None, "significance": "", "suppressed": False, "suppression_reason": "",
                 "definition": ""}
                for s in ("population", "extent")
            ]
        )  # fmt: skip
        return IndicatorFrame(t, "exact", "TST", [], Lookup())

    ch = compare_assessments(frame(200_000, "2021"), frame(180_000, "2020"), public=False)
    by = dict(zip(ch["section"], ch["significance"], strict=True))
    assert by == {"population": "Not compared", "extent": "Increase"}  # same numbers, only events are tested


@pytest.mark.parametrize("with_id", [True, False])
def test_previous_assessment_found_by_id_or_by_the_public_table(area_file, tmp_path, with_id):
    """release.json's assessment_id names the current run; without it, the byte-identical public table does."""
    import shutil

    from tests.web.conftest import history_ids

    from svsna.config import load_area_config
    from svsna.web.server import build

    root = tmp_path / "copy"
    shutil.copytree(area_file.parent, root)
    release = root / "output" / "public" / "release.json"
    if not with_id:
        release.write_text("{}")
    app = build(load_area_config(root / "area.yaml"), users=tmp_path / "u.json", audit=tmp_path / "a.log")
    state = app.state.cfg.site.public()
    previous, current = history_ids(area_file)  # the two `svsna report` runs of the fixture
    manifest = json.loads((area_file.parent / "output" / "public" / "release.json").read_text())
    assert manifest["assessment_id"] == current  # the real manifest names its own run
    assert state.previous is not None and state.previous.id == previous
    assert [a.id for a in state.history] == [previous, current]


def test_only_files_of_the_release_are_offered(area_file, tmp_path):
    """A file in public/ that release.json does not list (dropped there by hand) or whose content no
    longer matches its SHA-256 is neither offered nor served."""
    import shutil

    import httpx
    from tests.web.conftest import LiveServer

    from svsna.config import load_area_config
    from svsna.web.server import build

    root = tmp_path / "copy"
    shutil.copytree(area_file.parent, root)
    pub = root / "output" / "public"
    listed = {f["name"] for f in json.loads((pub / "release.json").read_text())["files"]}
    assert "sna-summary.pdf" not in listed and "sna-public-tables.xlsx" in listed  # reported with --no-pdf
    (pub / "sna-summary.pdf").write_bytes(b"%PDF-1.4 not this release's summary")
    app = build(load_area_config(root / "area.yaml"), users=tmp_path / "u.json", audit=tmp_path / "a.log")
    with LiveServer(app) as server, httpx.Client(base_url=server.url) as c:
        assert c.get("/downloads/summary-pdf").status_code == 404
        assert c.get("/downloads/workbook").status_code == 200
        assert "summary-pdf" not in c.get("/downloads").text
        html = pub / "sna-summary.html"
        html.write_text(html.read_text() + "<!-- edited after the release -->")
        assert c.get("/downloads/summary-html").status_code == 404
        assert "/downloads/summary-html" not in c.get("/downloads").text


@pytest.mark.parametrize(
    ("indicator", "breakdown", "values", "title"),
    [
        ("offence_type_share", "offence_type", ["Robbery", "Homicide"], "Share of offences by offence type (%)"),
        ("weekday_share", "weekday", ["Mon", "Tue"], "Share of offences by day of week (%)"),
        (
            "offence_type_rate",
            "age_group|offence_type",
            ["Under 25|Robbery", "25 and over|Robbery"],
            "Rate per 1,000 population by offence type and age group",
        ),
        ("offences", "district", ["Northby", "Southam"], "Offences by district"),
        # an area indicator is in one domain (the same value in every area's row): nothing is "by domain"
        ("dfe_children_in_need", "domain", ["relationship"] * 3, "Children in need (per 10,000)"),
    ],
)
def test_a_section_title_says_its_breakdown_once(indicator, breakdown, values, title):
    """Titles follow the report's captions (views.by_breakdown), not "... by day of week (%) by day of week"."""
    groups = _section_groups_of(indicator, breakdown, values)
    assert [g["title"] for g in groups] == [title]


@pytest.mark.parametrize(
    ("breakdown", "values", "shown"),
    [
        ("weekday", ["Sat", "Sun"], ["Saturday", "Sunday"]),
        ("hour", ["00", "23"], ["00:00-00:59", "23:00-23:59"]),
        ("sex|age_band", ["Female|15-19", "Male|15-19"], ["Female, 15-19", "Male, 15-19"]),
        ("flag", ["mental_health", "knife_carrier"], ["Mental health flag", "Habitual knife carrier"]),
        ("imd_decile", ["1", "10"], ["1 (most deprived)", "10 (least deprived)"]),
    ],
)
def test_section_rows_and_charts_word_categories_as_the_report_does(breakdown, values, shown):
    """Rows and chart points show a breakdown value as the report prints it, never the machine value."""
    (group,) = _section_groups_of("nte_share", breakdown, values)
    assert sorted(r["category"] for r in group["rows"]) == sorted(shown)
    assert sorted(r["category_key"] for r in group["rows"]) == sorted(values)
    if group["chart"] is not None:  # two-way breakdowns have no chart
        assert sorted(p["x"] for p in group["chart"]["points"]) == sorted(shown)


def _section_groups_of(indicator: str, breakdown: str, values: list[str]) -> list[dict]:
    """The web's section groups of one percentage indicator of the extent section, one row per value."""
    import pandas as pd

    from svsna.web.data import IndicatorFrame, Lookup
    from svsna.web.pages import section_groups

    t = pd.DataFrame(
        [
            {"section": "extent", "indicator": indicator, "period": "2021/22", "area": "TST", "breakdown": breakdown,
             "breakdown_value": v, "numerator": 10 + k, "denominator": 100, "value": 10.0 + k,
             "statistic": "percentage", "unit": "%", "lower": None, "upper": None, "method": "", "confidence": None,
             "comparator_value": None, "significance": "", "suppressed": False, "suppression_reason": "",
             "definition": "d"}
            for k, v in enumerate(values)
        ]
    )  # fmt: skip
    return section_groups(IndicatorFrame(t, "exact", "TST", [], Lookup()), "extent", "d")


def test_an_area_indicator_is_shown_by_area_not_by_its_domain():
    """A risk factor's rows are the areas (Leicester, Rutland ...), each with its value: they were all
    labelled "individual" (the indicator's domain) and drawn as one stacked bar."""
    import pandas as pd

    from svsna.web.data import IndicatorFrame, Lookup
    from svsna.web.pages import section_groups

    t = pd.DataFrame(
        [
            {"section": "risk_factors", "indicator": "yjb_first_time_entrants", "period": "2020/21", "area": area,
             "breakdown": "domain", "breakdown_value": "individual", "numerator": None, "denominator": None,
             "value": value, "statistic": "rate", "unit": "per 100,000", "lower": None, "upper": None, "method": "",
             "confidence": None, "comparator_value": 169.0, "significance": sig, "suppressed": False,
             "suppression_reason": "", "definition": ""}
            for area, value, sig in (("Leicester", 251.0, "Worse"), ("Leicestershire", 118.0, "Better"),
                                     ("Rutland", 96.0, "Similar"))
        ]
    )  # fmt: skip
    (group,) = section_groups(IndicatorFrame(t, "exact", "LLR", [], Lookup()), "risk_factors", "")
    assert [r["category"] for r in group["rows"]] == ["Leicester", "Leicestershire", "Rutland"]
    assert [p["x"] for p in group["chart"]["points"]] == ["Leicester", "Leicestershire", "Rutland"]
    assert "by domain" not in group["title"] and group["by_area"]


# -- the baseline year and months, as the report words them ---------------------------------


def _frame(rows: list[dict], baseline: str = ""):
    """An IndicatorFrame of hand-written rows (blank columns filled in) of a release naming ``baseline``."""
    import pandas as pd

    from svsna.web.data import IndicatorFrame, Lookup

    blank = {"area": "TST", "breakdown": "all", "breakdown_value": "all", "numerator": None, "denominator": None,
             "lower": None, "upper": None, "method": "", "confidence": None, "comparator_value": None,
             "significance": "", "suppressed": False, "suppression_reason": "", "definition": ""}  # fmt: skip
    return IndicatorFrame(pd.DataFrame([{**blank, **r} for r in rows]), "exact", "TST", [], Lookup(), baseline)


def _change_row(period: str, value: float, lower: float, upper: float) -> dict:
    return {"section": "extent", "indicator": "offences_baseline_change", "period": period, "value": value,
            "lower": lower, "upper": upper, "statistic": "percent_change", "unit": "%"}  # fmt: skip


def test_the_baseline_year_is_read_from_the_manifest_and_older_manifests_still_load():
    from svsna.web.pages import section_groups
    from svsna.web.release import baseline_label

    assert baseline_label({"schema": 1, "baseline": {"year": 2019, "label": "2019/20"}}) == "2019/20"
    # a manifest made before it carried the year, an area without one, a damaged entry
    for old in ({"schema": 1}, {"baseline": None}, {"baseline": "2019/20"}, {"baseline": {"year": 2019}}):
        assert baseline_label(old) == ""
    row = _change_row("2021/22", 12.5, 4.0, 21.0)
    named, generic = _frame([row], "2019/20"), _frame([row], baseline_label({"schema": 1}))
    assert named.table["label"].tolist() == ["Change in offences per month against the baseline year 2019/20 (%)"]
    assert generic.table["label"].tolist() == ["Change in offences per month against the baseline year (%)"]
    (group,) = section_groups(_frame([{**row, "breakdown": "age_group", "breakdown_value": "Under 25"}], "2019/20"),
                              "extent", "")  # fmt: skip
    # one group: named, not "by age group" (views.by_breakdown)
    assert group["title"] == "Change in offences per month against the baseline year 2019/20 for under 25s (%)"


def test_a_change_against_another_baseline_year_is_not_compared():
    """The previous assessment's label names its own baseline year; a change against 2019/20 and one
    against 2020/21 are different figures, so they are not tested against each other."""
    import math

    from svsna.web.changes import compare_assessments

    count = {"section": "extent", "indicator": "offences", "statistic": "count", "unit": "offences"}
    earlier = [_change_row("2020/21", 5.0, 0.0, 10.0), {**count, "period": "2020/21", "value": 300}]
    now = _frame([_change_row("2021/22", 30.0, 25.0, 35.0), {**count, "period": "2021/22", "value": 380}], "2020/21")
    ch = compare_assessments(now, _frame(earlier, "2019/20"), public=True).set_index("indicator")
    c = ch.loc["offences_baseline_change"]
    assert c["label"] == "Change in offences per month against the baseline year 2020/21 (%)"
    assert c["label_before"] == "Change in offences per month against the baseline year 2019/20 (%)"
    assert c["significance"] == "Not compared" and "2019/20" in c["test"] and "2020/21" in c["test"]
    assert math.isnan(c["change"]) and math.isnan(c["pct_change"])  # no change is worked out between them
    # offences are offences whatever the baseline: 380 against 300 in a year each, ratio 1.27 with
    # 95% CI exp(ln(380/300) +- 1.96 sqrt(1/380 + 1/300)) = 1.09 to 1.47, which excludes 1
    assert ch.loc["offences", "label"] == ch.loc["offences", "label_before"] == "Offences"
    assert ch.loc["offences", "significance"] == "Increase"
    # a previous release that does not say its baseline year: compared as before (the intervals do not overlap)
    old = compare_assessments(now, _frame(earlier, ""), public=True).set_index("indicator")
    assert old.loc["offences_baseline_change", "significance"] == "Increase"
    assert old.loc["offences_baseline_change", "pct_change"] == pytest.approx(500.0)  # 30% against 5%


def test_months_are_shown_in_words_in_time_order():
    """A monthly series shows "September 2021" (the report's wording), in time order in its table and
    chart, while the rows keep the machine value (2021-09) to sort and link by."""
    from svsna.web.pages import row_view, section_groups

    counts = {"2021-11": 40, "2021-09": 55, "2022-01": 35, "2021-10": 60, "2021-12": 45}  # not in time order
    frame = _frame(
        [{"section": "timing", "indicator": "offences_monthly", "period": "Sep 2021 - Jan 2022", "breakdown": "month",
          "breakdown_value": m, "value": n, "numerator": n, "statistic": "count", "unit": "offences"}
         for m, n in counts.items()]
    )  # fmt: skip
    (group,) = section_groups(frame, "timing", "")
    words = ["September 2021", "October 2021", "November 2021", "December 2021", "January 2022"]
    assert [r["category"] for r in group["rows"]] == words
    assert [r["category_key"] for r in group["rows"]] == ["2021-09", "2021-10", "2021-11", "2021-12", "2022-01"]
    assert [r["value"] for r in group["rows"]] == ["55", "60", "40", "45", "35"]
    assert [(p["x"], p["y"]) for p in group["chart"]["points"]] == list(zip(words, [55, 60, 40, 45, 35], strict=True))
    # a district's monthly row (explorer, place pages) words its month the same way
    t = frame.table.assign(breakdown="district|month", breakdown_value="Northby|" + frame.table["breakdown_value"])
    assert row_view(frame, next(t.itertuples(index=False)), spark=False)["category"] == "Northby, November 2021"


def test_labels_call_the_counts_what_the_table_counts():
    """The open-data edition counts crimes (police.uk), not offences: the web labels them as the report does."""
    counts = {"section": "extent", "indicator": "offences", "period": "2021/22", "value": 120.0, "statistic": "count"}
    change = _change_row("2021/22", 12.5, 4.0, 21.0)
    crimes = _frame([{**counts, "unit": "crimes"}, change], "2019/20")
    offences = _frame([{**counts, "unit": "offences"}, change], "2019/20")
    assert crimes.label("offences") == "Crimes" and offences.label("offences") == "Offences"
    assert (
        crimes.label("offences_baseline_change") == "Change in crimes per month against the baseline year 2019/20 (%)"
    )


# -- typography -----------------------------------------------------------------------------------


def test_period_labels_in_brackets_are_nested_as_square_brackets():
    """A part-year label ("2021/22 (Apr-Sep)") shown in brackets prints "(2021/22 [Apr-Sep])", not "))":
    no web template puts a period inside literal brackets; each goes through the ``nest`` filter."""
    import re

    from svsna.web.app import template_environment

    templates = Path(__file__).parents[2] / "src" / "svsna" / "web" / "templates"
    raw = {
        f"{p.name}: {m.group(0)}"
        for p in templates.glob("*.html")
        for m in re.finditer(r"\(\{\{[^}]*period[^}]*\}\}\)", p.read_text(encoding="utf-8"))
    }
    assert raw == set()
    text = template_environment().from_string('{{ ("(" ~ p ~ ")") | nest }}').render(p="2021/22 (Apr-Sep)")
    assert text == "(2021/22 [Apr-Sep])"


def test_the_explorer_counts_figures_with_a_thousands_separator():
    from svsna.web.app import template_environment

    sortable = ("indicator", "period", "category", "value", "significance")  # the columns a reader sorts by
    html = (
        template_environment()
        .get_template("_explorer_table.html")
        .render(
            total=7928,
            page=1,
            pages=80,
            rows=[],
            sort_qs=dict.fromkeys(sortable, ""),
            page_qs=lambda n: f"page={n}",
            prefix="",
            qs="",
            sort="",
            desc=False,
        )
    )
    assert "7,928 figures, page 1 of 80." in html


def test_a_series_line_joins_only_periods_of_the_same_length():
    """The financial years are joined by the line; the 18-month profile window and the part year (other
    lengths of time, overlapping the years) stay in the table and are named under the chart. Drawn on one
    line they made 2020/21 -> Apr 2020 - Sep 2021 -> 2021/22 (Apr-Sep) read as a rise and a fall."""
    import pandas as pd

    from svsna.web.data import IndicatorFrame, Lookup
    from svsna.web.pages import section_groups

    values = {
        "2017/18": 1350,
        "2018/19": 1395,
        "2019/20": 1365,
        "2020/21": 645,
        "Apr 2020 - Sep 2021": 1110,
        "2021/22 (Apr-Sep)": 465,
    }
    t = pd.DataFrame(
        [
            {"section": "health", "indicator": "ae_count", "period": p, "area": "TST", "breakdown": "all",
             "breakdown_value": "all", "numerator": v, "denominator": None, "value": float(v), "statistic": "count",
             "unit": "attendances", "lower": None, "upper": None, "method": "", "confidence": None,
             "comparator_value": None, "significance": "", "suppressed": False, "suppression_reason": "",
             "definition": "d"}
            for p, v in values.items()
        ]
    )  # fmt: skip
    (group,) = section_groups(IndicatorFrame(t, "exact", "TST", [], Lookup()), "health", "d")
    assert [r["period"] for r in group["rows"]] == list(values)  # the table keeps every period
    chart = group["chart"]
    assert chart["kind"] == "line"
    assert [(p["x"], p["y"]) for p in chart["points"]] == [
        ("2017/18", 1350.0),
        ("2018/19", 1395.0),
        ("2019/20", 1365.0),
        ("2020/21", 645.0),
    ]
    assert chart["note"] == (
        "The line joins periods of 12 months; Apr 2020 - Sep 2021 and 2021/22 (Apr-Sep) are in the table only "
        "(a different length of time)."
    )
