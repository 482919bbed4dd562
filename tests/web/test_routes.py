"""HTTP-level tests of the web SNA on a live server: every route x role, scoping, bad input, headers.

Roles: anonymous, ``pat`` (partner scoped to Northby), ``pam`` (partner, every district),
``ann`` (analyst), ``ada`` (admin). Expected statuses are written out by hand from the
rules in docs/web.md, not read from the code.
"""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from tests.web.conftest import AREA, NOW

ROLES = (None, "pat", "pam", "ann", "ada")
LOGIN = "login"  # an anonymous request to a partner route is sent to the login page (303), with no data
SLASH = "slash"  # a trailing slash is redirected (307) to the address without it, with no data

# route -> expected status for (anonymous, pat, pam, ann, ada)
MATRIX: dict[str, tuple] = {
    "/": (200, 200, 200, 200, 200),
    "/about": (200, 200, 200, 200, 200),
    "/places": (200, 200, 200, 200, 200),
    "/places/northby": (200, 200, 200, 200, 200),
    "/places/southam": (200, 200, 200, 200, 200),
    "/sections/extent": (200, 200, 200, 200, 200),
    "/sections/data_quality": (404, 404, 404, 404, 404),
    "/explorer": (200, 200, 200, 200, 200),
    "/explorer.csv": (200, 200, 200, 200, 200),
    "/changes": (200, 200, 200, 200, 200),
    "/downloads": (200, 200, 200, 200, 200),
    "/downloads/summary-html": (200, 200, 200, 200, 200),
    "/downloads/workbook": (200, 200, 200, 200, 200),
    "/downloads/indicators-csv": (200, 200, 200, 200, 200),
    "/downloads/indicators-parquet": (200, 200, 200, 200, 200),
    "/downloads/summary-pdf": (404, 404, 404, 404, 404),  # not in this release (reported with --no-pdf)
    # restricted files asked for through the public route: no such public download, whoever asks
    "/downloads/full-html": (404, 404, 404, 404, 404),
    "/downloads/findings": (404, 404, 404, 404, 404),
    "/downloads/ledger": (404, 404, 404, 404, 404),
    "/downloads/release": (404, 404, 404, 404, 404),
    "/downloads/..%2Frestricted%2Findicators.csv": (404, 404, 404, 404, 404),
    "/downloads/indicators.csv": (404, 404, 404, 404, 404),  # file names are not keys
    "/geo/lsoa/..%2F..%2Frestricted%2Findicators.geojson": (404, 404, 404, 404, 404),
    "/static/..%2F..%2Foutput%2Frestricted%2Findicators.csv": (404, 404, 404, 404, 404),
    "/geo/districts.geojson": (200, 200, 200, 200, 200),
    "/geo/lsoa/northby.geojson": (200, 200, 200, 200, 200),
    "/login": (200, 303, 303, 303, 303),
    "/partner": (LOGIN, 200, 200, 200, 200),
    "/partner/overview": (LOGIN, 200, 200, 200, 200),
    "/partner/places": (LOGIN, 200, 200, 200, 200),
    "/partner/places/northby": (LOGIN, 200, 200, 200, 200),
    "/partner/places/southam": (LOGIN, 403, 200, 200, 200),
    "/partner/places/eastwick": (LOGIN, 403, 200, 200, 200),
    "/partner/places/nowhere": (LOGIN, 404, 404, 404, 404),
    # a scoped partner rewriting the URL to another district: never its restricted page
    "/partner/places/Southam": (LOGIN, 404, 404, 404, 404),  # slugs are lower case
    "/partner/places/southam/": (SLASH, SLASH, SLASH, SLASH, SLASH),  # to the same page without the slash
    "/partner/places/southam%00": (LOGIN, 404, 404, 404, 404),
    "/partner/places/northby%2F..%2Fsoutham": (404, 404, 404, 404, 404),  # no such route
    "/partner/places/southam?definition=llr_vrn": (LOGIN, 403, 200, 200, 200),
    "/partner/sections/extent": (LOGIN, 200, 200, 200, 200),
    "/partner/sections/data_quality": (LOGIN, 404, 404, 200, 200),
    "/partner/explorer": (LOGIN, 200, 200, 200, 200),
    "/partner/explorer.csv": (LOGIN, 200, 200, 200, 200),
    "/partner/changes": (LOGIN, 200, 200, 200, 200),
    "/partner/geo/lsoa/southam.geojson": (LOGIN, 200, 200, 200, 200),
    "/partner/files/full-html": (LOGIN, 403, 200, 200, 200),
    "/partner/files/workbook": (LOGIN, 403, 200, 200, 200),
    "/partner/files/indicators-csv": (LOGIN, 403, 200, 200, 200),
    "/partner/files/findings": (LOGIN, 403, 200, 200, 200),
    "/partner/files/full-pdf": (LOGIN, 403, 404, 404, 404),  # not in this release (pat may not have it anyway)
    "/partner/files/summary-pdf": (LOGIN, 404, 404, 404, 404),  # a public key is not a restricted file
    "/partner/files/ledger": (LOGIN, 403, 403, 200, 200),
    "/partner/files/rejects": (LOGIN, 403, 403, 200, 200),
    "/partner/files/..%2Fpublic%2Frelease.json": (404, 404, 404, 404, 404),  # no such route at all
    "/partner/quality": (LOGIN, 403, 403, 200, 200),
    "/admin/users": (LOGIN, 403, 403, 403, 200),
    "/admin/audit": (LOGIN, 403, 403, 403, 200),
    "/no-such-page": (404, 404, 404, 404, 404),
}


@pytest.mark.parametrize("route", list(MATRIX))
def test_every_route_for_every_role(role_clients, route):
    clients = {role: role_clients(role) for role in ROLES}
    for role, want in zip(ROLES, MATRIX[route], strict=True):
        r = clients[role].get(route)
        if want == SLASH:
            assert r.status_code == 307 and r.headers["location"].endswith(route.rstrip("/")), (route, role)
            assert r.content == b"", "a redirect carries no data"
        elif want == LOGIN:
            assert r.status_code == 303, (route, role, r.status_code)
            assert r.headers["location"].startswith("/login?next="), (route, role)
            assert r.content == b"", "a refused request carries no data"
        else:
            assert r.status_code == want, (route, role, r.status_code, r.text[:300])
        if r.status_code >= 400:
            assert "<h1>" in r.text and "Traceback" not in r.text  # a clean error page


def test_anonymous_sessions_never_see_restricted_data(client_for, live):
    """Crawl every page an anonymous visitor can reach; the restricted canaries never appear."""
    c = client_for(None)
    seen: set[str] = set()
    queue = ["/", "/explorer?section=extent", "/explorer.csv", "/changes?significant=0"] + [
        r for r in MATRIX if not r.startswith(("/partner", "/admin"))
    ]
    exact_only = ["CANARY", "424242", "canary_restricted_only"]
    while queue and len(seen) < 150:
        url = queue.pop(0)
        if url in seen or url.startswith(("/static", "/logout")):
            continue
        seen.add(url)
        r = c.get(url)
        body = (
            r.text
            if "text" in r.headers.get("content-type", "") or "json" in r.headers.get("content-type", "")
            else r.content.decode("latin-1")
        )
        for canary in exact_only:
            assert canary not in body, f"{canary} reached an anonymous visitor at {url}"
        if r.headers.get("content-type", "").startswith("text/html"):
            for href in re.findall(r'href="(/[^"#]*)"', body):
                href = href.replace("&amp;", "&")
                if not href.startswith(("/partner", "/admin", "/static")) and href not in seen:
                    queue.append(href)
    assert len(seen) > 20


def test_public_tier_reads_nothing_outside_public(live, area_file, tmp_path):
    """A second app whose restricted reader and full history are tripwires answers every route anonymously
    (public pages served, partner routes refused) without touching them."""
    import httpx
    from tests.web.conftest import LiveServer

    from svsna.config import load_area_config
    from svsna.web.server import build

    app = build(load_area_config(area_file), users=tmp_path / "u.json", audit=tmp_path / "a.log")
    site = app.state.cfg.site

    def tripwire(*a, **k):
        raise AssertionError("the public tier opened a restricted file")

    site._restricted_release.folder.path = tripwire
    site._restricted_release.indicators = tripwire
    site._restricted_release.findings = tripwire
    site._full_history.assessments = tripwire
    site.exact = tripwire
    anonymous = {LOGIN: 303, SLASH: 307}
    extra = ["/partner/explorer.csv?place=Southam", "/partner/changes?significant=0", "/explorer.csv?place=Northby"]
    with LiveServer(app) as server, httpx.Client(base_url=server.url) as c:
        for route in [*MATRIX, *extra]:
            want = MATRIX.get(route, (LOGIN if route.startswith("/partner") else 200,))[0]
            r = c.get(route)
            assert r.status_code == anonymous.get(want, want), (route, r.status_code)


def test_partner_scoping_in_the_explorer_csv(client_for):
    """pat (Northby) gets Northby's exact count (412) and Southam's published one; anonymous gets 410."""

    def rows(client, path):
        r = client.get(path)
        assert r.status_code == 200
        return list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))

    q = "?indicator=area_rate&breakdown=district"
    anon = {r["breakdown_value"]: r for r in rows(client_for(None), "/explorer.csv" + q)}
    pat = {r["breakdown_value"]: r for r in rows(client_for("pat"), "/partner/explorer.csv" + q)}
    pam = {r["breakdown_value"]: r for r in rows(client_for("pam"), "/partner/explorer.csv" + q)}
    assert float(anon["Northby"]["numerator"]) == 410  # 412 rounded to the nearest 5 (nhsd_2018)
    assert float(pat["Northby"]["numerator"]) == NOW["Northby"] == 412
    assert pat["Northby"]["figures"] == "exact"
    assert float(pat["Southam"]["numerator"]) == 530 and pat["Southam"]["figures"] == "public"
    assert float(pat["Eastwick"]["numerator"]) == 60  # 61 rounded: published figure
    assert float(pam["Eastwick"]["numerator"]) == 61  # pam covers every district
    assert "figures" not in anon["Northby"]


def test_scoped_partner_gets_only_published_figures_for_another_district(client_for):
    """pat (Northby) asking the explorer for Southam by URL gets exactly what anonymous visitors get."""

    def table(client, path):
        r = client.get(path)
        assert r.status_code == 200
        rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
        return rows

    pat = table(client_for("pat"), "/partner/explorer.csv?place=Southam")
    anon = table(client_for(None), "/explorer.csv?place=Southam")
    assert pat and {r["figures"] for r in pat} == {"public"}
    cols = ["indicator", "period", "breakdown", "breakdown_value", "numerator", "value", "lower", "upper"]
    assert sorted(tuple(r[c] for c in cols) for r in pat) == sorted(tuple(r[c] for c in cols) for r in anon)
    # Southam's LSOA counts (200, 190, 137, 3) are exact-only: not published, so not for pat either
    assert not [r for r in pat if r["breakdown"] == "lsoa" and r["indicator"] == "area_offences"]
    pam = table(client_for("pam"), "/partner/explorer.csv?place=Southam")
    lsoa_counts = {float(r["value"]) for r in pam if r["breakdown"] == "lsoa" and r["indicator"] == "area_offences"}
    assert lsoa_counts == {200, 190, 137, 3}


def test_scoped_partner_keeps_public_figures_for_small_cells_elsewhere(client_for):
    pat = client_for("pat").get("/partner/explorer.csv?section=victims").content.decode("utf-8-sig")
    ann = client_for("ann").get("/partner/explorer.csv?section=victims").content.decode("utf-8-sig")
    f_pat = next(r for r in csv.DictReader(io.StringIO(pat)) if r["breakdown_value"] == "F")
    f_ann = next(r for r in csv.DictReader(io.StringIO(ann)) if r["breakdown_value"] == "F")
    assert f_pat["value"] == "" and f_pat["figures"] == "public"  # suppressed as published (an area-wide row)
    assert float(f_ann["value"]) == 4


def test_restricted_findings_only_for_the_place_in_scope(client_for):
    pat = client_for("pat").get("/partner/places/northby").text
    assert "CANARY-FINDING" in pat
    assert "CANARY-BOTH" not in pat  # it names Southam too, which pat's account does not cover
    assert "CANARY-BOTH" in client_for("pam").get("/partner/places/northby").text
    assert "CANARY-FINDING" not in client_for(None).get("/places/northby").text


def test_explorer_filters_sorts_and_pages(client_for):
    c = client_for(None)
    r = c.get("/explorer?section=extent&sort=value&dir=desc")
    assert r.status_code == 200
    body = r.text
    assert "Offences" in body and "Hot spot" not in body
    values = [
        float(v.replace(",", "")) for v in re.findall(r'<td class="num">([\d,]+) <span class="unit">offences', body)
    ]
    assert values == sorted(values, reverse=True) and values[0] == 380
    # htmx asks for the table only
    part = c.get("/explorer?section=extent", headers={"hx-request": "true"})
    assert part.text.lstrip().startswith('<div id="results">') and "<html" not in part.text


def test_explorer_csv_is_the_current_view_and_neutralised(client_for):
    r = client_for(None).get("/explorer.csv?section=nature")
    assert r.headers["content-disposition"].startswith("attachment")
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert {row["section"] for row in rows} == {"nature"}
    payload = next(row["breakdown_value"] for row in rows if "HYPERLINK" in row["breakdown_value"])
    assert payload.startswith("'=")
    for row in rows:
        for v in row.values():
            assert not (v or "").startswith(("=", "+", "@")), v


@pytest.mark.parametrize(
    "url,status",
    [
        ("/explorer?page=abc", 400),
        ("/explorer?page=0", 400),
        ("/explorer?page=999", 404),
        ("/explorer?section=%3Cscript%3E", 400),
        ("/explorer?section=no_such_section", 400),
        ("/explorer?period=1999%2F00", 400),
        ("/explorer?sort=__class__", 400),
        ("/explorer?q=%00", 400),
        ("/places/%2E%2E%2Fpartner", 404),
        ("/places/" + "x" * 600, 414),
        ("/explorer?q=" + "a" * 3000, 414),
        ("/sections/%00", 404),
        ("/downloads/..%2F..%2Frestricted%2Findicators.csv", 404),
        ("/geo/lsoa/nowhere.geojson", 404),
    ],
)
def test_bad_input_gets_a_clean_4xx_page(client_for, url, status):
    r = client_for(None).get(url)
    assert r.status_code == status, r.text[:300]
    assert "Traceback" not in r.text and "<h1>" in r.text


def test_oversized_and_odd_requests(client_for, live):
    import httpx

    c = client_for(None)
    assert (
        c.post(
            "/login", content=b"a=" + b"x" * 100_000, headers={"content-type": "application/x-www-form-urlencoded"}
        ).status_code
        == 413
    )

    def chunks():
        for _ in range(40):
            yield b"x" * 1024

    r = c.post("/login", content=chunks(), headers={"content-type": "application/x-www-form-urlencoded"})
    assert r.status_code == 413
    assert httpx.request("DELETE", live.url + "/").status_code == 405
    assert httpx.request("PUT", live.url + "/partner").status_code == 405


def test_security_headers_and_cookies(client_for):
    c = client_for(None)
    r = c.get("/")
    h = r.headers
    assert "server" not in h
    csp = h["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert h["referrer-policy"] == "no-referrer" and h["x-content-type-options"] == "nosniff"
    assert "set-cookie" not in h  # no cookie for a public page
    # the login cookie: HttpOnly, SameSite=Strict, not Secure over plain HTTP
    login_page = c.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', login_page.text).group(1)
    r = c.post("/login", data={"username": "pam", "password": "correct horse battery staple", "csrf_token": token})
    cookie = r.headers["set-cookie"]
    assert (
        "svsna_session=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")
    )
    assert "Secure" not in cookie
    assert c.get("/partner").headers["cache-control"] == "no-store"


def test_cookie_is_secure_behind_a_trusted_tls_proxy(client_for):

    from tests.web.conftest import PASSWORD

    c = client_for(None)
    c.headers["x-forwarded-proto"] = "https"  # the local proxy (127.0.0.1, trusted) says the browser used HTTPS
    page = c.get("/login")
    assert "Secure" in page.headers["set-cookie"]
    pre = page.headers["set-cookie"].split(";")[0]
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    r = c.post("/login", data={"username": "pam", "password": PASSWORD, "csrf_token": token}, headers={"cookie": pre})
    assert r.status_code == 303
    assert "Secure" in r.headers["set-cookie"]
    assert "strict-transport-security" in c.get("/").headers
    # the same header from an address that is not a trusted proxy is ignored (unit level: uvicorn's rule)
    from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

    assert "10.1.2.3" not in ProxyHeadersMiddleware(None, trusted_hosts="127.0.0.1").trusted_hosts


def test_csrf_is_required_on_every_form(client_for, live):
    anon = client_for(None)
    anon.get("/login")
    assert anon.post("/login", data={"username": "pam", "password": "correct horse battery staple"}).status_code == 403
    assert anon.post("/login", data={"username": "pam", "password": "x", "csrf_token": "0" * 64}).status_code == 403
    ada = client_for("ada")
    assert (
        ada.post("/admin/users/add", data={"username": "eve", "role": "admin", "password": "x" * 20}).status_code == 403
    )
    assert live.cfg.users.get("eve") is None
    assert ada.post("/logout", data={}).status_code == 403
    assert ada.get("/partner").status_code == 200  # still logged in
    # a token from another session does not work either
    pam = client_for("pam")
    pam_token = re.search(r'name="csrf_token" value="([^"]+)"', pam.get("/partner").text).group(1)
    r = ada.post(
        "/admin/users/add", data={"username": "eve", "role": "admin", "password": "x" * 20, "csrf_token": pam_token}
    )
    assert r.status_code == 403


def test_logout_ends_the_session(client_for):
    c = client_for("pam")
    token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/partner").text).group(1)
    stolen = dict(c.cookies)
    assert c.post("/logout", data={"csrf_token": token}).status_code == 303
    import httpx

    with httpx.Client(base_url=str(c.base_url), cookies=stolen) as thief:
        assert thief.get("/partner").status_code == 303  # the old cookie is dead on the server too


def test_session_expiry(client_for, live):
    c = client_for("pam")
    assert c.get("/partner").status_code == 200
    for s in live.cfg.sessions.sessions():
        if s.user == "pam":
            s.last_seen -= live.cfg.sessions.idle + 1
    r = c.get("/partner")
    assert r.status_code == 303 and "expired=1" in r.headers["location"]


def test_login_lockout_and_rate_limit(client_for, live):
    from tests.web.conftest import PASSWORD, login

    c = client_for(None)
    try:
        for _ in range(5):
            r = login(c, "lockme", "wrong password here")
            assert r.status_code == 401
        assert 'value="lockme"' in r.text  # the typed name is kept
        assert login(c, "lockme", PASSWORD).status_code == 401  # locked, even with the right password
        assert "lockme" in live.cfg.throttle.locked_users()
        # the same address: others (the admin who would unlock lockme) still log in
        for _ in range(10):
            assert login(c, "nobody", "wrong password here").status_code == 401
        admin = client_for(None)
        assert login(admin, "ada").status_code == 303
        # only a spray from one address, far beyond one person's mistakes, is refused
        last = None
        for _ in range(live.cfg.throttle.per_ip):
            last = login(c, "nobody", "wrong password here")
            if last.status_code == 429:
                break
        assert last.status_code == 429 and int(last.headers["retry-after"]) > 0
    finally:
        live.cfg.throttle._ips.clear()
        live.cfg.throttle.unlock("lockme")
        live.cfg.throttle.unlock("nobody")
    events = [e["event"] for e in live.cfg.audit.tail(400)]
    assert "locked" in events and "login_throttled" in events


def test_the_address_limit_is_far_above_the_user_lockout():
    from svsna.web.security import LoginThrottle

    t = LoginThrottle()
    assert t.lock_after == 5 and t.per_ip >= 10 * t.lock_after


def test_unknown_user_and_wrong_password_look_the_same(client_for):
    from tests.web.conftest import login

    c = client_for(None)
    a = login(c, "nobody-at-all", "some password 123")
    b = login(c, "pam", "some password 123")
    assert a.status_code == b.status_code == 401
    strip = re.compile(r'value="[^"]*"')
    assert strip.sub("", a.text) == strip.sub("", b.text)


def test_open_redirect_refused(client_for):
    from tests.web.conftest import PASSWORD

    c = client_for(None)
    token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").text).group(1)
    r = c.post(
        "/login", data={"username": "pam", "password": PASSWORD, "csrf_token": token, "next": "//evil.example/x"}
    )
    assert r.status_code == 303 and r.headers["location"] == "/partner"


def test_audit_log_records_restricted_views_and_downloads(client_for, live):
    from svsna.web.audit import verify_chain

    c = client_for("pam")
    c.get("/partner/places/southam")
    c.get("/partner/files/full-html")
    client_for("pat").get("/partner/places/southam")
    client_for(None).get("/partner/files/full-html")
    # the server writes a request's line after the response has gone: wait for the last one
    import time

    for _ in range(100):
        entries = live.cfg.audit.tail(50)
        if any(e.get("event") == "denied" and e.get("user") == "-" for e in entries):
            break
        time.sleep(0.02)
    view = [e for e in entries if e.get("path") == "/partner/places/southam" and e.get("user") == "pam"]
    assert view and view[-1]["event"] == "view" and view[-1]["ip"] == "127.0.0.1" and view[-1]["status"] == 200
    dl = [e for e in entries if e.get("event") == "download" and e.get("detail") == "sna-full.html"]
    assert dl and dl[-1]["user"] == "pam" and dl[-1]["role"] == "partner"
    denied = [e for e in entries if e.get("event") == "denied" and e.get("path") == "/partner/places/southam"]
    assert denied and denied[-1]["user"] == "pat" and denied[-1]["status"] == 403
    assert any(e.get("event") == "denied" and e.get("user") == "-" for e in entries)
    lines, broken = verify_chain(live.cfg.audit.path)
    assert lines > 0 and broken is None


def test_admin_manages_users(client_for, live):
    ada = client_for("ada")
    token = re.search(r'name="csrf_token" value="([^"]+)"', ada.get("/admin/users").text).group(1)
    r = ada.post(
        "/admin/users/add",
        data={
            "username": "newbie",
            "role": "partner",
            "districts": ["Southam"],
            "password": "a fine long password",
            "csrf_token": token,
        },
    )
    assert r.status_code == 200 and "Added newbie" in r.text
    assert live.cfg.users.get("newbie").districts == ("Southam",)
    bad = ada.post(
        "/admin/users/add",
        data={
            "username": "other",
            "role": "partner",
            "districts": ["Atlantis"],
            "password": "a fine long password",
            "csrf_token": token,
        },
    )
    assert bad.status_code == 400
    from tests.web.conftest import login

    n = client_for(None)
    assert login(n, "newbie", "a fine long password").status_code == 303
    assert n.get("/partner/places/southam").status_code == 200
    assert n.get("/partner/places/northby").status_code == 403
    assert ada.post("/admin/users/remove", data={"username": "newbie", "csrf_token": token}).status_code == 200
    assert n.get("/partner").status_code == 303  # removed: the session ends at once
    assert live.cfg.users.get("newbie") is None


def test_area_label_is_used(client_for):
    assert f"Key figures for {AREA}" in client_for(None).get("/").text


def test_section_links_to_the_explorer_name_their_rows_in_plain_words(client_for):
    """A group of one row links to "This row in the explorer", never "All 1 rows"."""
    html = client_for(None).get("/sections/geography").text
    totals = [int(n) for n in re.findall(r">All (\d+) rows in the explorer", html)]
    assert all(n > 1 for n in totals)
    assert "All 1 rows" not in html
    singles = html.count(">This row in the explorer")
    assert singles > 0  # the fixture's geography section has a one-row group
    groups = html.count('class="group"')
    assert groups == len(totals) + singles


# -- the baseline year and months ------------------------------------------------------------

BASELINE_TITLE = "Change in offences per month against the baseline year {} (%)"


def test_each_release_names_its_baseline_year(area_file):
    """release.json carries the baseline year of area.yaml at the time of the run (2018 for the
    previous run, 2019 for the current one): the financial years April 2018 to March 2019 and
    April 2019 to March 2020."""
    import json

    from tests.web.conftest import history_ids

    out = area_file.parent / "output"
    previous, current = history_ids(area_file)
    public = json.loads((out / "public" / "release.json").read_text())
    assert public["baseline"] == {"year": 2019, "label": "2019/20"}
    assert json.loads((out / "history" / current / "release.json").read_text())["baseline"] == public["baseline"]
    assert json.loads((out / "history" / previous / "release.json").read_text())["baseline"] == {
        "year": 2018,
        "label": "2018/19",
    }


@pytest.mark.parametrize("user", [None, "pam"])
def test_titles_name_the_baseline_year(client_for, user):
    prefix = "" if user is None else "/partner"
    c = client_for(user)
    html = c.get(f"{prefix}/sections/extent").text
    title = BASELINE_TITLE.format("2019/20")
    assert f">{title}<" in html  # the group's heading
    assert f"<caption>{title}</caption>" in html
    assert BASELINE_TITLE.format("").replace("  ", " ") not in html  # never the year left out
    explorer = c.get(f"{prefix}/explorer", params={"indicator": "offences_baseline_change"}).text
    assert f">{title}<" in explorer


@pytest.mark.parametrize("user", [None, "pam"])
def test_a_previous_assessment_names_its_own_baseline_year(client_for, user):
    """The previous run's change was against 2018/19, the current one's against 2019/20: the changes
    page names both and does not test one against the other."""
    prefix = "" if user is None else "/partner"
    html = client_for(user).get(f"{prefix}/changes", params={"significant": "0", "section": "extent"}).text
    row = next(r for r in html.split("<tr>") if BASELINE_TITLE.format("2019/20") in r)
    assert f"Before: {BASELINE_TITLE.format('2018/19')}" in row
    assert "not compared: against 2018/19 before, 2019/20 now" in row
    assert 'class="sig' not in row  # no significance flag
    # the previous value: 300 offences in 2019/20 against 290 in 2018/19 = +3.4%; now 380 against 300 = +26.7%
    assert "3.4%" in row and "26.7%" in row


MONTHS = ["October 2020", "November 2020", "December 2020", "January 2021", "February 2021", "March 2021"]


@pytest.mark.parametrize("user", [None, "pam"])
def test_months_are_words_in_time_order_in_tables_and_charts(client_for, user):
    import json

    prefix = "" if user is None else "/partner"
    c = client_for(user)
    html = c.get(f"{prefix}/sections/timing").text
    group = html.split('id="offences_monthly-month"', 1)[1].split("</section>", 1)[0]
    assert re.findall(r'<tr><th scope="row">([^<]+?)[ <]', group) == [m.split()[0] for m in MONTHS]
    assert re.findall(r'<tr><th scope="row">(\w+ \d{4})', group) == MONTHS
    assert not re.search(r"\b20\d\d-\d\d\b", group)
    charts = json.loads(html.split('id="chart-data">', 1)[1].split("</script>", 1)[0])
    # the fixture's counts (multiples of 5, published as they are): Oct 50, Nov 40, Dec 65, Jan 55, Feb 60, Mar 45
    assert [(p["x"], p["y"]) for p in charts["offences_monthly-month"]["points"]] == list(
        zip(MONTHS, [50, 40, 65, 55, 60, 45], strict=True)
    )
    q = {"indicator": "offences_monthly", "breakdown": "month", "sort": "category"}
    for direction, expected in (("asc", MONTHS), ("desc", MONTHS[::-1])):
        page = c.get(f"{prefix}/explorer", params={**q, "dir": direction}).text
        assert re.findall(r"<td>(\w+ 20\d\d)</td>", page) == expected
    # the CSV of the view keeps the machine value
    rows = list(csv.DictReader(io.StringIO(c.get(f"{prefix}/explorer.csv", params=q).text.lstrip("\ufeff"))))
    assert [r["breakdown_value"] for r in rows] == ["2020-10", "2020-11", "2020-12", "2021-01", "2021-02", "2021-03"]


@pytest.mark.parametrize("user", [None, "ann"])
def test_a_unit_shared_by_every_row_is_said_once_and_empty_columns_are_left_out(client_for, user):
    """A section's table printed its unit under every value ("offences per 1,000 residents" on every
    row) and Significance and Trend columns that no row filled. A unit every row shares is in the
    Value heading; a column no row fills is not there."""
    prefix = "" if user is None else "/partner"
    html = client_for(user).get(f"{prefix}/sections/nature").text
    group = html.split('id="offence_type_share-offence_type"', 1)[1].split("</section>", 1)[0]
    heads = [re.sub(r"<[^>]+>", "", h) for h in re.findall(r'<th scope="col"[^>]*>(.*?)</th>', group)]
    assert "Significance" not in heads and "Trend" not in heads  # no row of the fixture's has either
    html = client_for(user).get(f"{prefix}/sections/geography").text
    group = html.split('id="area_rate-district"', 1)[1].split("</section>", 1)[0]
    heads = [re.sub(r"<[^>]+>", "", h) for h in re.findall(r'<th scope="col"[^>]*>(.*?)</th>', group)]
    assert heads[1] == "Value (per 1,000 residents)", heads  # the fixture's unit
    assert group.split("<tbody>", 1)[1].count('class="unit"') == 0


def test_home_change_count_is_the_changes_page_count(client_for):
    """The home page counts the changes the What changed page lists (both without data quality)."""
    for user, home, changes in ((None, "/", "/changes"), ("pam", "/partner/overview", "/partner/changes")):
        c = client_for(user)
        said = re.search(r"fell significantly, of ([\d,]+) compared", c.get(home).text).group(1)
        listed = re.search(r"shown of ([\d,]+) compared", c.get(changes).text).group(1)
        assert said == listed, (user, said, listed)
        assert 'value="data_quality"' not in c.get(changes).text


def test_a_change_of_a_percentage_is_in_percentage_points(client_for):
    """Knife share 20 of 300 (6.7%) before, 40 of 380 (10.5%) now: +3.9 percentage points, not +57.9%."""
    text = client_for(None).get("/changes?significant=0").text
    row = text.split("Share of offences", 1)[1].split("</tr>", 1)[0] if "Share of offences" in text else text
    assert "+3.9 pp" in text
    assert "+57.9%" not in row


def test_scoped_partner_overview_links_only_to_pages_it_may_open(client_for):
    """pat (Northby) is offered Southam's and Eastwick's public pages, never a partner page that is 403."""
    c = client_for("pat")
    page = c.get("/partner/overview").text
    links = set(re.findall(r'href="(/partner/places/[^"#?]+)"', page))
    links |= {
        v["href"]
        for v in json.loads(re.search(r'id="district-map-values">(.*?)</script>', page, re.S).group(1)).values()
    }
    assert "/places/southam" in links and "/partner/places/northby" in links
    for link in links:
        assert c.get(link).status_code == 200, link
