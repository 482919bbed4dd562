"""What the review of the web SNA found on its pages, on the small partnership run for real.

Marshfield and the Vale (tests/public/partnership.py; the ``mv_live`` fixture): Marshfield is a
district and a county; the area's risk-factor extract has "Children in need" (indicator id 90000)
at 410.0 and 280.0 per 10,000 against England's 321.2; the periods are 2019/20, 2020/21 and the
part year 2021/22 (Apr-Sep), six months.
"""

from __future__ import annotations

import json
import re

import httpx
import pytest


@pytest.fixture(scope="module")
def anon(mv_live):
    server, _, _ = mv_live
    with httpx.Client(base_url=server.url, follow_redirects=False, timeout=60) as c:
        yield c


def _charts(html: str) -> dict:
    return json.loads(re.search(r'<script type="application/json" id="chart-data">(.*?)</script>', html, re.S).group(1))


def _text(html: str) -> str:
    """The words a reader sees (no tags, no chart data, no attributes)."""
    html = re.sub(r"<script.*?</script>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_part_year_bar_is_annualised_and_marked(anon, mv_live):
    _, _, public = mv_live
    page = anon.get("/sections/extent").text
    rate = _charts(page)["area_rate-all"] if "area_rate-all" in _charts(page) else _charts(page)["rate-all"]
    part = [p for p in rate["points"] if "Apr-Sep" in p["x"]]
    assert len(part) == 1 and part[0]["part"] and "annualised" in part[0]["x"]
    row = public[(public["indicator"] == rate_indicator(public)) & (public["breakdown"] == "all")]
    six = float(row.loc[row["period"] == "2021/22 (Apr-Sep)", "value"].iloc[0])
    assert part[0]["y"] == pytest.approx(six * 2)  # 6 months of 12
    assert "annualised" in rate["note"]
    # the 18-month profile window is no bar beside the years
    assert not [p for p in rate["points"] if p["x"].startswith("Apr 2020 - Sep 2021")]


def rate_indicator(public) -> str:
    whole = public[(public["breakdown"] == "all") & (public["statistic"] == "rate") & (public["section"] == "extent")]
    return str(whole["indicator"].iloc[0])


def test_risk_factors_are_named_and_compared_with_england(anon):
    page = anon.get("/places/marshfield").text
    text = _text(page)
    assert "Children in need" in text
    assert "90000" not in text
    assert "significantly higher than England (321.20" in text
    assert "higher than MV (321.20" not in text
    section = _text(anon.get("/sections/risk_factors").text)
    assert "Children in need" in section and "90000" not in section


def test_place_rows_are_not_repeated_and_roles_are_named(anon):
    page = anon.get("/places/marshfield").text
    table = page.split('id="against-area"', 1)[1].split("</table>", 1)[0]
    heads = re.findall(r'<th scope="row">(.*?)</th>\s*<td>(.*?)</td>', table, re.S)
    keys = [(re.sub(r"<[^>]+>", "", h).strip(), p.strip()) for h, p in heads]
    assert keys and len(keys) == len(set(keys)), [k for k in keys if keys.count(k) > 1]
    labels = {k[0] for k in keys}
    by_home = [lab for lab in labels if "home district" in lab.lower()]
    assert any("(perpetrators)" in lab for lab in by_home) and any("(victims)" in lab for lab in by_home)


def test_monthly_spc_chart_has_process_limits(anon):
    page = anon.get("/sections/timing").text
    spc = _charts(page)["offences_monthly-month"]
    assert spc["spc"] and "process limits" in spc["note"]
    section = page.split('id="offences_monthly-month"', 1)[1].split("</table>", 1)[0]
    assert "Process limits" in section and "95% CI" not in section


def test_withheld_categories_stay_on_the_chart(anon):
    page = anon.get("/sections/timing").text + anon.get("/sections/victims").text
    charts = {}
    for p in ("/sections/timing", "/sections/victims"):
        charts.update(_charts(anon.get(p).text))
    withheld = [pt for c in charts.values() if c["kind"] == "bar" for pt in c["points"] if pt["withheld"]]
    assert withheld and all(pt["y"] is None for pt in withheld)
    assert "withheld" in page


def test_no_developer_words_and_hot_spots_named_without_boundaries(anon):
    """MV has no boundary file: the public reads plain words, and hot spots keep geography.csv's names."""
    for path in ("/", "/places/marshfield"):
        text = _text(anon.get(path).text)
        assert "area.yaml" not in text and "boundaries:" not in text, path
    page = anon.get("/places/marshfield").text
    if 'id="hot-spot-table"' in page and "<table>" in page.split('id="hot-spot-table"', 1)[1][:300]:
        rows = re.findall(r'<th scope="row">(E0\w+)</th><td>([^<]*)</td>', page)
        assert rows and all(name.strip() for _, name in rows), rows
