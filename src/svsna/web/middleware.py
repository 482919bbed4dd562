"""ASGI middleware: security headers, request size limits and the audit of restricted routes."""

from __future__ import annotations

from typing import Any

from svsna.web.security import SECURITY_HEADERS

__all__ = ["RESTRICTED_PREFIXES", "AuditMiddleware", "GuardMiddleware"]

#: Paths whose every request (allowed or refused) goes in the audit log.
RESTRICTED_PREFIXES: tuple[str, ...] = ("/partner", "/admin")

MAX_BODY = 16 * 1024
MAX_QUERY = 2048
MAX_PATH = 512


def _plain(status: int, text: str) -> tuple[dict[str, Any], dict[str, Any]]:
    body = (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Error</title>"
        f"<link rel='stylesheet' href='/static/app.css'></head><body><main id='main'><h1>{text}</h1>"
        "<p><a href='/'>Back to the start page</a></p></main></body></html>"
    ).encode()
    start = {
        "type": "http.response.start",
        "status": status,
        "headers": [(b"content-type", b"text/html; charset=utf-8"), (b"content-length", str(len(body)).encode())],
    }
    return start, {"type": "http.response.body", "body": body}


class GuardMiddleware:
    """Adds the security headers to every response and refuses oversized requests.

    A request line longer than :data:`MAX_PATH`/:data:`MAX_QUERY` gets 414, a body larger than
    :data:`MAX_BODY` (announced or streamed) gets 413, a method other than GET, HEAD or POST
    gets 405 — each as a short HTML page, before any route runs.
    """

    def __init__(self, app: Any, *, hsts: bool = False) -> None:
        self.app = app
        self.hsts = hsts

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        https = scope.get("scheme") == "https"
        extra = [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]
        path = scope.get("path", "")
        if path.startswith(("/partner", "/admin", "/login", "/logout")):
            extra.append((b"cache-control", b"no-store"))
        if https:
            extra.append((b"strict-transport-security", b"max-age=31536000"))

        async def send_with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (k, v) for k, v in message.get("headers", []) if k.lower() not in (b"server", b"x-powered-by")
                ]
                names = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in extra if k not in names]
                message = {**message, "headers": headers}
            await send(message)

        async def refuse(status: int, text: str) -> None:
            start, body = _plain(status, text)
            await send_with_headers(start)
            await send(body)

        if scope.get("method") not in ("GET", "HEAD", "POST"):
            await refuse(405, "Method not allowed")
            return
        if len(scope.get("raw_path") or path.encode()) > MAX_PATH or len(scope.get("query_string", b"")) > MAX_QUERY:
            await refuse(414, "The address is too long")
            return
        length = None
        for k, v in scope.get("headers", []):
            if k == b"content-length":
                try:
                    length = int(v)
                except ValueError:
                    await refuse(400, "Bad request")
                    return
        if length is not None and length > MAX_BODY:
            await refuse(413, "The request is too large")
            return

        seen = 0
        too_big = False

        async def limited_receive() -> dict[str, Any]:
            nonlocal seen, too_big
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > MAX_BODY:
                    too_big = True
                    scope["svsna_body_too_large"] = True
                    return {"type": "http.disconnect"}
            return message

        started = False

        async def tracking_send(message: dict[str, Any]) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send_with_headers(message)

        await self.app(scope, limited_receive, tracking_send)
        if too_big and not started:
            await refuse(413, "The request is too large")


class AuditMiddleware:
    """Writes one audit-log line for every request under :data:`RESTRICTED_PREFIXES`.

    Routes say who the user was and what was downloaded through ``request.state``
    (``audit_user``, ``audit_role``, ``audit_download``); a request refused before any route
    knew the user is logged as ``denied`` with no user.
    """

    def __init__(self, app: Any, log: Any) -> None:
        self.app = app
        self.log = log

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith(RESTRICTED_PREFIXES):
            await self.app(scope, receive, send)
            return
        status = 0

        async def capture(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            state = scope.get("state") or {}
            download = state.get("audit_download")
            if status >= 400 or status == 0 or state.get("audit_user") is None:
                event = "denied"
            else:
                event = "download" if download else "view"
            query = scope.get("query_string", b"").decode("latin-1")
            client = scope.get("client") or ("", 0)
            self.log.record(
                event,
                user=state.get("audit_user") or "-",
                role=state.get("audit_role"),
                ip=client[0],
                method=scope.get("method"),
                path=path + (f"?{query}" if query else ""),
                status=status or 500,
                detail=download,
            )
