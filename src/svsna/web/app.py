"""The web SNA: a Starlette app with a public tier and a partner tier.

Public routes (anyone) call only :meth:`Site.public`, which reads ``public/`` and the public
tables of ``history/``. Partner routes live under ``/partner`` and admin routes under
``/admin``; every one of them starts with :func:`_require`, which refuses an anonymous
session (redirect to the login page, no data) and a role that is too low (403), and every
place-specific partner route checks the user's districts (403). Requests under ``/partner``
and ``/admin`` are written to the audit log by :class:`~svsna.web.middleware.AuditMiddleware`.

See ``docs/web.md`` for the routes, roles and the security model.
"""

from __future__ import annotations

import functools
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from svsna.web import pages
from svsna.web.audit import AuditLog, verify_chain
from svsna.web.data import IndicatorFrame, Place
from svsna.web.middleware import AuditMiddleware, GuardMiddleware
from svsna.web.release import DOWNLOADS
from svsna.web.security import PRE_COOKIE, SESSION_COOKIE, LoginThrottle, SessionStore
from svsna.web.site import Site
from svsna.web.users import ROLES, User, UserStore

__all__ = ["WebConfig", "create_app"]

HERE = Path(__file__).parent
_FILTER_VALUE = re.compile(r"^[^\x00-\x1f<>]{0,200}$")


@dataclass
class WebConfig:
    """Settings of one running web SNA."""

    site: Site
    users: UserStore
    audit: AuditLog
    sessions: SessionStore
    throttle: LoginThrottle
    hsts: bool = False


# -- helpers --------------------------------------------------------------------------------


def _user(request: Request) -> User | None:
    """The logged-in user of this request (sessions of removed users end here)."""
    cfg: WebConfig = request.app.state.cfg
    if "user" in request.scope.get("state", {}):
        return request.state.user
    sid = cfg.sessions.unsign(request.cookies.get(SESSION_COOKIE))
    session, expired = cfg.sessions.get(sid)
    user = None
    if session is not None:
        user = cfg.users.get(session.user)
        if user is None:
            cfg.sessions.drop(session.id)
            session = None
    if expired:
        request.state.expired = True
    request.state.session = session
    request.state.user = user
    return user


def _require(request: Request, role: str = "partner") -> User:
    user = _user(request)
    if user is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        expired = "&expired=1" if getattr(request.state, "expired", False) else ""
        raise _Redirect(f"/login?{urlencode({'next': target})}{expired}")
    request.state.audit_user = user.name
    request.state.audit_role = user.role
    if not user.at_least(role):
        raise HTTPException(403, f"This page is for {role} users.")
    return user


class _Redirect(Exception):
    def __init__(self, url: str) -> None:
        self.url = url


def _csrf_token(request: Request) -> str:
    cfg: WebConfig = request.app.state.cfg
    session = getattr(request.state, "session", None)
    if session is not None:
        return session.csrf
    pre = cfg.sessions.unsign(request.cookies.get(PRE_COOKIE))
    if pre is None:
        import secrets

        pre = secrets.token_urlsafe(24)
        request.state.new_pre = pre
    return cfg.sessions.csrf_for(pre)


async def _form(request: Request) -> dict[str, str]:
    """The posted form, after the CSRF check (403 without the right token)."""
    cfg: WebConfig = request.app.state.cfg
    try:
        form = await request.form(max_files=0, max_fields=40, max_part_size=32 * 1024)
    except Exception:  # malformed multipart or urlencoded body, or one cut off for being too large
        if request.scope.get("svsna_body_too_large"):
            raise HTTPException(413, "The request is too large.") from None
        raise HTTPException(400, "The form could not be read.") from None
    data = {k: v for k, v in form.multi_items() if isinstance(v, str)}
    data["__districts"] = "\x1f".join(v for k, v in form.multi_items() if k == "districts" and isinstance(v, str))
    token = data.get("csrf_token", "")
    _user(request)
    session = getattr(request.state, "session", None)
    sid = session.id if session is not None else cfg.sessions.unsign(request.cookies.get(PRE_COOKIE))
    if not cfg.sessions.csrf_ok(sid, token):
        raise HTTPException(403, "The form has expired or did not come from this site. Reload the page and try again.")
    return data


def _render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    cfg: WebConfig = request.app.state.cfg
    user = _user(request)
    site = cfg.site
    base = {
        "request": request,
        "user": user,
        "csrf": _csrf_token(request) if (user is not None or name == "login.html") else "",
        "info": site.info,
        "path": request.url.path,
    }
    base.update(context)
    templates: Jinja2Templates = request.app.state.templates
    response = templates.TemplateResponse(request, name, base, status_code=status)
    new_pre = getattr(request.state, "new_pre", None)
    if new_pre:
        _set_cookie(request, response, PRE_COOKIE, cfg.sessions.sign(new_pre))
    return response


def _set_cookie(request: Request, response: Response, name: str, value: str) -> None:
    response.set_cookie(name, value, httponly=True, samesite="strict", secure=request.url.scheme == "https", path="/")


def _param(request: Request, name: str, allowed: list[str] | None = None) -> str:
    value = request.query_params.get(name, "")
    if not _FILTER_VALUE.match(value):
        raise HTTPException(400, f"The {name} in the address is not valid.")
    if value and allowed is not None and value not in allowed:
        raise HTTPException(400, f"There is no {name} called {value!r}.")
    return value


def _place(site_places: list[Place], slug: str) -> Place:
    for p in site_places:
        if p.slug == slug:
            return p
    raise HTTPException(404, "There is no place with that name.")


def _definition(request: Request, frame: IndicatorFrame) -> str:
    site: Site = request.app.state.cfg.site
    value = _param(request, "definition", frame.definitions)
    if value:
        return value
    for d in site.info.definitions:
        if d in frame.definitions:
            return d
    return frame.definitions[0] if frame.definitions else ""


def _published(manifest: dict[str, Any]) -> str:
    """``release.json``'s ``generated`` as ``02 Dec 2026 21:00 UTC`` (as written when it is not a timestamp)."""
    import datetime as dt

    raw = str(manifest.get("generated") or "")
    try:
        when = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return raw
    return when.astimezone(dt.UTC).strftime("%d %b %Y %H:%M UTC")


@functools.lru_cache(maxsize=64)
def _definition_label(name: str) -> str:
    if not name:
        return ""
    try:
        from svsna.outputs.sections import definition_info

        info = definition_info(name)
        return str(info.get("title") or info.get("name") or name)
    except Exception:  # an unknown or custom definition: show its name
        return name


# -- public pages ---------------------------------------------------------------------------


def _tier_context(request: Request, tier: str) -> tuple[IndicatorFrame, Any, User | None]:
    """``(frame, changes, user)`` for the tier of this route."""
    site: Site = request.app.state.cfg.site
    if tier == "public":
        state = site.public()
        return state.frame, state.changes(), None
    user = _require(request)
    frame, _ = site.frame_for(user)
    return frame, site.changes_for(user), user


def _prefix(tier: str) -> str:
    return "" if tier == "public" else "/partner"


def _cached(request: Request, tier: str, build: Any) -> Any:
    """Public page contents are the same for everyone: built once per release and URL."""
    if tier != "public":
        return build()
    state = request.app.state.cfg.site.public()
    key = request.url.path + "?" + str(request.url.query)
    return state.cached(key, build)


async def overview(request: Request, tier: str = "public") -> Response:
    frame, changes, user = _tier_context(request, tier)
    site: Site = request.app.state.cfg.site
    definition = _definition(request, frame)

    def build() -> dict[str, Any]:
        from svsna.outputs.catalogue import SECTION_TITLES

        tiles = pages.headline_tiles(frame, definition)
        districts = pages.district_comparison(frame, definition)
        summary = None
        if changes is not None:
            ch = (
                changes
                if not definition
                else changes[(changes["definition"] == definition) | (changes["definition"] == "")]
            )
            ch = _hide_quality(ch, user)  # counted as the What changed page counts them
            sig = ch[ch["significance"].isin(["Increase", "Decrease"])]
            summary = {
                "total": len(ch),
                "increase": int((sig["significance"] == "Increase").sum()),
                "decrease": int((sig["significance"] == "Decrease").sum()),
                "top": pages.change_views(sig[sig["place"] == ""].head(400))[:6],
            }
        sections = [
            {
                "key": s,
                "title": SECTION_TITLES.get(s, s.replace("_", " ").capitalize()),
                "n": int((frame.table["section"] == s).sum()),
            }
            for s in frame.sections
            if s != "data_quality" or (user is not None and user.at_least("analyst"))
        ]
        return {"tiles": tiles, "districts": districts, "summary": summary, "sections": sections}

    content = _cached(request, tier, build)
    state = site.public()
    prefix = _prefix(tier)

    def href(d: dict[str, Any]) -> str:
        """A district's page: the partner page where the account covers it, else the public one (not a 403)."""
        if not d["slug"]:
            return ""
        if user is not None and not user.may_see_place(d["category_key"]):
            return f"/places/{d['slug']}"
        return f"{prefix}/places/{d['slug']}"

    districts = [{**d, "href": href(d)} for d in content["districts"]]
    return _render(
        request,
        "overview.html",
        {
            **content,
            "districts": districts,
            "tier": tier,
            "prefix": prefix,
            "definition": definition,
            "definitions": [(d, _definition_label(d)) for d in frame.definitions],
            "definition_label": _definition_label(definition),
            "manifest": state.manifest,
            "published": _published(state.manifest),
            "previous": state.previous,
            "maps": site.shapes.available,
            "map_note": site.shapes.note,
            "map_data": json.dumps(
                {d["category_key"]: {"v": d["raw"], "sig": d["sig_class"], "href": d["href"]} for d in districts}
            ),
            "downloads": site.public_release.downloads() if tier == "public" else [],
        },
    )


async def section_page(request: Request, tier: str = "public") -> Response:
    from svsna.outputs.catalogue import SECTION_TITLES

    if tier != "public":
        _require(request)
    frame, _, user = _tier_context(request, tier)
    key = request.path_params["key"]
    if key not in frame.sections or (key == "data_quality" and (user is None or not user.at_least("analyst"))):
        raise HTTPException(404, "There is no section with that name.")
    definition = _definition(request, frame)
    groups = _cached(request, tier, lambda: pages.section_groups(frame, key, definition))
    return _render(
        request,
        "section.html",
        {
            "tier": tier,
            "prefix": _prefix(tier),
            "key": key,
            "title": SECTION_TITLES.get(key, key.replace("_", " ").capitalize()),
            "groups": groups,
            "definition": definition,
            "definitions": [(d, _definition_label(d)) for d in frame.definitions],
            "charts": json.dumps({g["id"]: g["chart"] for g in groups if g["chart"]}),
        },
    )


async def places_page(request: Request, tier: str = "public") -> Response:
    site: Site = request.app.state.cfg.site
    user = _require(request) if tier != "public" else None
    places = site.public().places
    return _render(
        request,
        "places.html",
        {
            "tier": tier,
            "prefix": _prefix(tier),
            "places": [(p, user is None or user.may_see_place(p.name)) for p in places],
        },
    )


async def place_page(request: Request, tier: str = "public") -> Response:
    site: Site = request.app.state.cfg.site
    user = _require(request) if tier != "public" else None
    places = site.public().places
    place = _place(places, request.path_params["slug"])
    findings: list[dict[str, Any]] = []
    if user is not None:
        if not user.may_see_place(place.name):
            raise HTTPException(
                403, f"Your account does not cover {place.name}. Its public figures are at /places/{place.slug}."
            )
        findings = _place_findings(site.exact().findings, place, places, user)
    frame, changes, _ = _tier_context(request, tier)
    definition = _definition(request, frame)
    content = _cached(
        request,
        tier,
        lambda: pages.place_content(frame, place, definition, changes, site.info.label, findings),
    )
    return _render(
        request,
        "place.html",
        {
            **content,
            "tier": tier,
            "prefix": _prefix(tier),
            "place": place,
            "definition": definition,
            "definitions": [(d, _definition_label(d)) for d in frame.definitions],
            "maps": place.name in site.shapes.lsoas,
            "map_note": site.shapes.note,
            "map_data": json.dumps(content["map_values"]),
            "map_rates": any(v["v"] is not None for v in content["map_values"].values()),
            # from the geography file and the boundaries (hot-spot names without a boundary file too)
            "lsoa_names": {**site.shapes.lsoa_names, **site.lookup.lsoa_names},
        },
    )


def _mentions(text: str, name: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text) is not None


def _place_findings(
    findings: list[dict[str, Any]], place: Place, places: list[Place], user: User
) -> list[dict[str, Any]]:
    """Restricted findings about ``place``: its own, or area-wide ones naming it.

    For a partner limited to some districts, a finding that also names a place outside their
    districts is left out (its numbers may be that place's exact figures), and so is an
    area-wide finding (its numbers may be the area's exact totals, which less the place's own
    give the other districts' total): they see the place's own findings only.
    """
    out = []
    for f in findings:
        text = str(f.get("text", ""))
        if f.get("area") != place.name and not _mentions(text, place.name):
            continue
        others = [p.name for p in places if p.name != place.name and _mentions(text, p.name)]
        if user.scoped and (f.get("area") != place.name or any(not user.may_see_place(o) for o in others)):
            continue
        out.append(f)
    return out


def _explorer_state(request: Request, frame: IndicatorFrame) -> tuple[dict[str, str], str, bool, int]:
    filters = {
        "section": _param(request, "section", frame.sections),
        "indicator": _param(request, "indicator", frame.indicators),
        "period": _param(request, "period", frame.periods),
        "breakdown": _param(request, "breakdown", frame.breakdowns),
        "place": _param(request, "place", [p.name for p in frame.places]),
        "definition": _definition(request, frame),
        "text": _param(request, "q")[:80],
    }
    if filters["section"] == "data_quality":
        user = getattr(request.state, "user", None)
        if user is None or not user.at_least("analyst"):
            raise HTTPException(404, "There is no section with that name.")
    sort = _param(request, "sort", list(pages.EXPLORER_SORTS))
    order = _param(request, "dir", ["asc", "desc"])
    raw_page = _param(request, "page")
    if raw_page and not raw_page.isdigit():
        raise HTTPException(400, "The page number in the address is not valid.")
    page = int(raw_page or 1)
    if page < 1 or page > 100_000:
        raise HTTPException(400, "The page number in the address is not valid.")
    return filters, sort, order == "desc", page


def _hide_quality(rows: Any, user: User | None) -> Any:
    if user is not None and user.at_least("analyst"):
        return rows
    return rows[rows["section"] != "data_quality"]


async def explorer(request: Request, tier: str = "public") -> Response:
    from svsna.outputs.catalogue import breakdown_label

    frame, _, user = _tier_context(request, tier)
    filters, sort, desc, page = _explorer_state(request, frame)

    def build() -> dict[str, Any]:
        rows = _hide_quality(pages.explorer_rows(frame, filters, sort, desc), user)
        total = len(rows)
        pages_n = max(1, math.ceil(total / pages.PAGE_SIZE))
        if page > pages_n:
            raise HTTPException(404, "There is no such page of results.")
        chunk = rows.iloc[(page - 1) * pages.PAGE_SIZE : page * pages.PAGE_SIZE]
        return {
            "rows": [pages.row_view(frame, r) for r in chunk.itertuples(index=False)],
            "total": total,
            "pages": pages_n,
        }

    content = _cached(request, tier, build)
    query = {k: v for k, v in filters.items() if v}
    if "text" in query:
        query["q"] = query.pop("text")
    indicator_choices = frame.indicator_choices(filters["section"])
    context = {
        **content,
        "tier": tier,
        "prefix": _prefix(tier),
        "filters": filters,
        "sort": sort,
        "desc": desc,
        "page": page,
        "query": query,
        "qs": urlencode(query),
        "sort_qs": {
            k: urlencode({**query, "sort": k, "dir": "asc" if sort == k and desc else "desc" if sort == k else "asc"})
            for k in pages.EXPLORER_SORTS
        },
        "page_qs": lambda n: urlencode(
            {**query, **({"sort": sort, "dir": "desc" if desc else "asc"} if sort else {}), "page": n}
        ),
        "sections": [
            s for s in frame.sections if s != "data_quality" or (user is not None and user.at_least("analyst"))
        ],
        "indicator_choices": indicator_choices,
        "periods": frame.periods,
        "breakdowns": [(b, breakdown_label(b)) for b in frame.breakdowns],
        "places": frame.places,
        "definitions": [(d, _definition_label(d)) for d in frame.definitions],
    }
    template = "_explorer_table.html" if request.headers.get("hx-request") == "true" else "explorer.html"
    return _render(request, template, context)


async def explorer_csv(request: Request, tier: str = "public") -> Response:
    frame, _, user = _tier_context(request, tier)
    filters, sort, desc, _ = _explorer_state(request, frame)
    rows = _hide_quality(pages.explorer_rows(frame, filters, sort, desc), user)
    body = pages.explorer_csv(rows, with_tier=tier != "public")
    if tier != "public":
        request.state.audit_download = f"explorer view ({len(rows)} rows)"
    name = "indicators-public-view.csv" if tier == "public" else "indicators-partner-view.csv"
    return Response(
        body.encode("utf-8-sig"),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )


async def changes_page(request: Request, tier: str = "public") -> Response:
    frame, changes, user = _tier_context(request, tier)
    site: Site = request.app.state.cfg.site
    state = site.public()
    definition = _definition(request, frame)
    section = _param(request, "section", frame.sections)
    place = _param(request, "place", [p.name for p in frame.places])
    only = _param(request, "significant", ["1", "0"])
    rows: list[dict[str, Any]] = []
    total = 0
    if changes is not None:
        ch = changes
        if definition:
            ch = ch[(ch["definition"] == definition) | (ch["definition"] == "")]
        if section:
            ch = ch[ch["section"] == section]
        if place:
            ch = ch[ch["place"] == place]
        ch = _hide_quality(ch, user)
        total = len(ch)
        if only != "0":
            ch = ch[ch["significance"].isin(["Increase", "Decrease"])]
        rows = pages.change_views(ch.head(2000))[:500]
    return _render(
        request,
        "changes.html",
        {
            "tier": tier,
            "prefix": _prefix(tier),
            "rows": rows,
            "total": total,
            "previous": state.previous,
            "history": state.history,
            "definition": definition,
            "definitions": [(d, _definition_label(d)) for d in frame.definitions],
            "section": section,
            "place": place,
            "only": only != "0",
            "sections": [
                s for s in frame.sections if s != "data_quality" or (user is not None and user.at_least("analyst"))
            ],
            "places": frame.places,
        },
    )


async def downloads_page(request: Request) -> Response:
    site: Site = request.app.state.cfg.site
    return _render(
        request, "downloads.html", {"tier": "public", "prefix": "", "downloads": site.public_release.downloads()}
    )


async def download_public(request: Request) -> Response:
    site: Site = request.app.state.cfg.site
    key = request.path_params["key"]
    for d in DOWNLOADS["public"]:
        if d.key == key:
            if not site.public_release.listed(d.name):  # absent, or not this release's file
                break
            return FileResponse(site.public_release.path(d.name), media_type=d.media_type, filename=d.name)
    raise HTTPException(404, "There is no such file.")


async def geo_districts(request: Request) -> Response:
    site: Site = request.app.state.cfg.site
    if site.shapes.districts is None:
        raise HTTPException(404, "There are no district boundaries.")
    return Response(site.shapes.districts, media_type="application/geo+json")


async def geo_lsoas(request: Request) -> Response:
    site: Site = request.app.state.cfg.site
    place = _place(site.public().places, request.path_params["slug"])
    body = site.shapes.lsoas.get(place.name)
    if body is None:
        raise HTTPException(404, "There are no LSOA boundaries for that place.")
    return Response(body, media_type="application/geo+json")


def release_facts(manifest: dict[str, Any]) -> dict[str, Any]:
    """What the About page says of the release, from ``release.json`` (schema 1, written by ``svsna report``).

    >>> f = release_facts({"schema": 1, "assessment_id": "20260101T090000Z", "rule_set": {"name": "nhsd_2018",
    ...     "description": "Counts of 1 to 7 are not shown.", "symbol": "[c]"}, "audit": {"passed": True,
    ...     "protection": 5}, "files": [{"name": "sna-summary.pdf", "sha256": "ab", "bytes": 10}]})
    >>> f["rules"], f["audit"], f["files"][0]["name"]
    ('Counts of 1 to 7 are not shown.', True, 'sna-summary.pdf')
    """
    rs = manifest.get("rule_set") if isinstance(manifest.get("rule_set"), dict) else {}
    audit = manifest.get("audit") if isinstance(manifest.get("audit"), dict) else {}
    files = [f for f in manifest.get("files") or [] if isinstance(f, dict) and f.get("name")]
    return {
        "id": str(manifest.get("assessment_id") or ""),
        "published": _published(manifest),
        "rules": str(rs.get("description") or ""),
        "rules_name": str(rs.get("name") or ""),
        "rules_source": str(rs.get("source") or ""),
        "symbol": str(rs.get("symbol") or "[c]"),
        "audit": audit.get("passed") is True,
        "protection": audit.get("protection"),
        "protected": audit.get("protected_counts"),
        "files": files,
        "version": str(manifest.get("svsna_version") or ""),
    }


async def about_page(request: Request) -> Response:
    site: Site = request.app.state.cfg.site
    facts = release_facts(site.public().manifest)
    return _render(request, "about.html", {"tier": "public", "prefix": "", "release": facts})


# -- login ----------------------------------------------------------------------------------


def _safe_next(value: str) -> str:
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value or len(value) > 500:
        return "/partner"
    return value


async def login_page(request: Request) -> Response:
    if _user(request) is not None:
        return RedirectResponse("/partner", status_code=303)
    nxt = _safe_next(request.query_params.get("next", ""))
    message = "Your session has ended. Please log in again." if request.query_params.get("expired") else ""
    return _render(request, "login.html", {"next": nxt, "message": message, "tier": "public", "prefix": ""})


async def login_post(request: Request) -> Response:
    cfg: WebConfig = request.app.state.cfg
    ip = request.client.host if request.client else ""
    allowed, wait = cfg.throttle.allow_ip(ip)
    if not allowed:
        cfg.audit.record("login_throttled", ip=ip, path="/login", status=429)
        response = _render(
            request,
            "login.html",
            {
                "next": "/partner",
                "message": f"Too many attempts from this address. Try again in {wait} seconds.",
                "tier": "public",
                "prefix": "",
            },
            status=429,
        )
        response.headers["retry-after"] = str(wait)
        return response
    form = await _form(request)
    name = form.get("username", "").strip().lower()[:64]
    password = form.get("password", "")
    nxt = _safe_next(form.get("next", ""))
    if cfg.throttle.locked(name):
        cfg.throttle.failed("", ip)
        cfg.audit.record("login_refused_locked", user=name, ip=ip, path="/login", status=401)
        user = None
    else:
        user = cfg.users.verify(name, password) if name and password else None
        if user is None:
            locked = cfg.throttle.failed(name, ip) if name else cfg.throttle.failed("", ip)
            cfg.audit.record("locked" if locked else "login_failed", user=name or "-", ip=ip, path="/login", status=401)
    if user is None:
        return _render(
            request,
            "login.html",
            {
                "next": nxt,
                "message": "The user name or password is wrong, or the account is locked for a while after "
                "repeated failures.",
                "username": name,
                "tier": "public",
                "prefix": "",
            },
            status=401,
        )
    cfg.throttle.succeeded(name)
    old = cfg.sessions.unsign(request.cookies.get(SESSION_COOKIE))
    if old:
        cfg.sessions.drop(old)
    session = cfg.sessions.create(user.name, ip)
    cfg.audit.record("login", user=user.name, role=user.role, ip=ip, path="/login", status=303)
    response = RedirectResponse(nxt, status_code=303)
    _set_cookie(request, response, SESSION_COOKIE, cfg.sessions.sign(session.id))
    response.delete_cookie(PRE_COOKIE, path="/")
    return response


async def logout_post(request: Request) -> Response:
    cfg: WebConfig = request.app.state.cfg
    await _form(request)
    session = getattr(request.state, "session", None)
    user = getattr(request.state, "user", None)
    if session is not None:
        cfg.sessions.drop(session.id)
        cfg.audit.record(
            "logout",
            user=user.name if user else session.user,
            ip=request.client.host if request.client else "",
            path="/logout",
            status=303,
        )
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


# -- partner-only pages ---------------------------------------------------------------------


async def partner_home(request: Request) -> Response:
    user = _require(request)
    site: Site = request.app.state.cfg.site
    places = site.public().places
    return _render(
        request,
        "partner_home.html",
        {
            "tier": "partner",
            "prefix": "/partner",
            "places": [p for p in places if user.may_see_place(p.name)],
            "files": [] if user.scoped else site.restricted_release.downloads("restricted"),
            "quality_files": site.restricted_release.downloads("quality") if user.at_least("analyst") else [],
        },
    )


async def partner_file(request: Request) -> Response:
    user = _require(request)
    site: Site = request.app.state.cfg.site
    key = request.path_params["key"]
    for tier, need in (("restricted", "partner"), ("quality", "analyst")):
        for d in DOWNLOADS[tier]:
            if d.key != key:
                continue
            if not user.at_least(need):
                raise HTTPException(403, "This file is for analysts.")
            if user.scoped:
                raise HTTPException(403, "This file covers the whole area; your account covers only some districts.")
            try:
                path = site.restricted_path(d.name)
            except FileNotFoundError:
                raise HTTPException(404, "There is no such file.") from None
            request.state.audit_download = d.name
            return FileResponse(path, media_type=d.media_type, filename=d.name)
    raise HTTPException(404, "There is no such file.")


async def partner_geo_lsoas(request: Request) -> Response:
    _require(request)  # boundaries are public; the partner copy exists so partner pages stay under /partner
    return await geo_lsoas(request)


async def quality_page(request: Request) -> Response:
    _require(request, "analyst")
    site: Site = request.app.state.cfg.site
    ex = site.exact()
    rows = ex.frame.filter(section="data_quality")
    ledger = site.restricted_release.ledger()
    rejects = site.restricted_release.rejects()
    rejects_summary = []
    if rejects is not None and len(rejects):
        cols = [c for c in ("source", "column", "rule") if c in rejects.columns]
        if cols:
            grp = (
                rejects.groupby(cols, dropna=False).size().reset_index(name="rows").sort_values("rows", ascending=False)
            )
            rejects_summary = grp.head(200).to_dict("records")
    return _render(
        request,
        "quality.html",
        {
            "tier": "partner",
            "prefix": "/partner",
            "rows": [pages.row_view(ex.frame, r, spark=False) for r in rows.itertuples(index=False)],
            "ledger": [] if ledger is None else ledger.head(500).to_dict("records"),
            "ledger_columns": [] if ledger is None else list(ledger.columns),
            "rejects_summary": rejects_summary,
            "rejects_total": 0 if rejects is None else len(rejects),
            "rejects_columns": [
                c for c in ("source", "column", "rule") if rejects is not None and c in rejects.columns
            ],
        },
    )


# -- admin ----------------------------------------------------------------------------------


async def admin_users(request: Request, message: str = "", status: int = 200) -> Response:
    _require(request, "admin")
    cfg: WebConfig = request.app.state.cfg
    return _render(
        request,
        "admin_users.html",
        {
            "tier": "partner",
            "prefix": "/partner",
            "users": cfg.users.list(),
            "roles": ROLES,
            "places": cfg.site.public().places,
            "locked": set(cfg.throttle.locked_users()),
            "message": message,
        },
        status=status,
    )


async def admin_action(request: Request) -> Response:
    from svsna.errors import SvsnaError

    admin = _require(request, "admin")
    cfg: WebConfig = request.app.state.cfg
    form = await _form(request)
    action = request.path_params["action"]
    name = form.get("username", "").strip().lower()
    ip = request.client.host if request.client else ""
    try:
        if action == "add":
            districts = [d for d in form.get("__districts", "").split("\x1f") if d]
            known = {p.name for p in cfg.site.public().places}
            bad = [d for d in districts if d not in known]
            if bad:
                raise HTTPException(400, f"Unknown district(s): {', '.join(bad)}")
            role = form.get("role", "")
            cfg.users.add(name, form.get("password", ""), role=role, districts=districts)
            cfg.audit.record(
                "user_added",
                user=admin.name,
                ip=ip,
                detail=f"{name} ({role}; {', '.join(districts) or 'all districts'})",
            )
            msg = f"Added {name}."
        elif action == "remove":
            if name == admin.name:
                raise HTTPException(400, "You cannot remove your own account here.")
            cfg.users.remove(name)
            cfg.sessions.drop_user(name)
            cfg.audit.record("user_removed", user=admin.name, ip=ip, detail=name)
            msg = f"Removed {name}."
        elif action == "reset":
            cfg.users.reset(name, form.get("password", ""))
            cfg.sessions.drop_user(name)
            cfg.audit.record("password_reset", user=admin.name, ip=ip, detail=name)
            msg = f"Reset the password of {name}."
        elif action == "unlock":
            cfg.throttle.unlock(name)
            cfg.audit.record("unlocked", user=admin.name, ip=ip, detail=name)
            msg = f"Unlocked {name}."
        else:
            raise HTTPException(404, "There is no such action.")
    except SvsnaError as exc:
        return await admin_users(request, message=str(exc), status=400)
    return await admin_users(request, message=msg)


async def admin_audit(request: Request) -> Response:
    _require(request, "admin")
    cfg: WebConfig = request.app.state.cfg
    entries = cfg.audit.tail(300)
    chain = verify_chain(cfg.audit.path) if cfg.audit.path.exists() else (0, None)
    return _render(
        request,
        "admin_audit.html",
        {"tier": "partner", "prefix": "/partner", "entries": list(reversed(entries)), "chain": chain},
    )


# -- errors ---------------------------------------------------------------------------------


async def _http_error(request: Request, exc: Exception) -> Response:
    if isinstance(exc, _Redirect):
        return RedirectResponse(exc.url, status_code=303)
    assert isinstance(exc, HTTPException)
    titles = {
        400: "Bad request",
        403: "Not allowed",
        404: "Page not found",
        405: "Method not allowed",
        429: "Too many requests",
    }
    detail = exc.detail if isinstance(exc.detail, str) else ""
    if exc.status_code == 404 and detail == "Not Found":
        detail = "There is no page at this address."
    return _render(
        request,
        "error.html",
        {
            "status": exc.status_code,
            "title": titles.get(exc.status_code, "Error"),
            "detail": detail,
            "tier": "public",
            "prefix": "",
        },
        status=exc.status_code,
    )


async def _redirect(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, _Redirect)
    return RedirectResponse(exc.url, status_code=303)


async def _server_error(request: Request, exc: Exception) -> Response:
    body = (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Server error</title>"
        "<link rel='stylesheet' href='/static/app.css'></head><body><main id='main'><h1>Something went wrong</h1>"
        "<p>The error has been logged. <a href='/'>Back to the start page</a></p></main></body></html>"
    )
    return HTMLResponse(body, status_code=500)


# -- the app --------------------------------------------------------------------------------


def _both(path: str, endpoint: Any, name: str) -> list[Route]:
    async def public(request: Request) -> Response:
        # A public page is the same for every anonymous visitor: the whole response is kept per
        # release and address (the partner tier is never cached).
        if SESSION_COOKIE in request.cookies:
            return await endpoint(request, "public")
        state = request.app.state.cfg.site.public()
        key = (
            "response:"
            + request.url.path
            + "?"
            + request.url.query
            + ("|hx" if request.headers.get("hx-request") else "")
        )
        hit = state.pages.get(key)
        if hit is not None:
            body, status, headers = hit
            return Response(body, status_code=status, headers=headers)
        response = await endpoint(request, "public")
        if response.status_code == 200 and "set-cookie" not in response.headers and hasattr(response, "body"):
            kept = {k: v for k, v in response.headers.items() if k in ("content-type", "content-disposition")}
            state.cached(key, lambda: (response.body, response.status_code, kept))
        return response

    async def partner(request: Request) -> Response:
        return await endpoint(request, "partner")

    return [
        Route(path, public, name=name),
        Route("/partner" + (path if path != "/" else "/overview"), partner, name=f"partner-{name}"),
    ]


def template_environment() -> Any:
    """The pages' Jinja2 environment: the templates, autoescaped and strict, with the globals and filters
    they use (``sig_class``; ``nest`` for brackets in brackets, ``thousands`` for counts)."""
    import jinja2

    from svsna.outputs.wording import nest_brackets

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(HERE / "templates")), autoescape=True, undefined=jinja2.StrictUndefined
    )
    env.globals["sig_class"] = pages.sig_class
    env.filters["nest"] = nest_brackets
    env.filters["thousands"] = pages.thousands
    return env


def create_app(cfg: WebConfig) -> Starlette:
    """The ASGI app (wrapped in the guard and audit middleware)."""
    import logging

    routes = [
        *_both("/", overview, "overview"),
        *_both("/sections/{key}", section_page, "section"),
        *_both("/places", places_page, "places"),
        *_both("/places/{slug}", place_page, "place"),
        *_both("/explorer", explorer, "explorer"),
        *_both("/explorer.csv", explorer_csv, "explorer-csv"),
        *_both("/changes", changes_page, "changes"),
        Route("/downloads", downloads_page),
        Route("/downloads/{key}", download_public),
        Route("/geo/districts.geojson", geo_districts),
        Route("/geo/lsoa/{slug}.geojson", geo_lsoas),
        Route("/about", about_page),
        Route("/login", login_page, methods=["GET"]),
        Route("/login", login_post, methods=["POST"]),
        Route("/logout", logout_post, methods=["POST"]),
        Route("/partner", partner_home),
        Route("/partner/files/{key}", partner_file),
        Route("/partner/geo/lsoa/{slug}.geojson", partner_geo_lsoas),
        Route("/partner/quality", quality_page),
        Route("/admin/users", admin_users, methods=["GET"]),
        Route("/admin/users/{action}", admin_action, methods=["POST"]),
        Route("/admin/audit", admin_audit),
        Mount("/static", app=StaticFiles(directory=HERE / "static"), name="static"),
    ]
    app = Starlette(
        routes=routes,
        exception_handlers={HTTPException: _http_error, _Redirect: _redirect, 500: _server_error},
    )
    templates = Jinja2Templates(env=template_environment())
    app.state.templates = templates
    app.state.cfg = cfg
    logging.getLogger("svsna.web").debug("app created")
    wrapped = AuditMiddleware(app, cfg.audit)
    guarded = GuardMiddleware(wrapped, hsts=cfg.hsts)
    guarded.state = app.state  # type: ignore[attr-defined]  # for tests reaching the app's state
    guarded.inner = app  # type: ignore[attr-defined]
    return guarded  # type: ignore[return-value]
