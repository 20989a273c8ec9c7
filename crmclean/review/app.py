"""The review page: a Starlette app over a :class:`~crmclean.review.session.Session`.

Every request needs the session's token (``?token=`` or the ``X-Review-Token`` header),
compared in constant time; anything else gets 403. The HTML is a Jinja2 template with
autoescape on, and the script fills the page with ``textContent`` only, so a name like
``<script>`` shows as text. Assets come from the package (no CDN, works offline).
"""

from __future__ import annotations

import secrets
from importlib.resources import files
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from crmclean.review.clusters import ClusterView
from crmclean.review.queue import Filters
from crmclean.review.session import Key, Session, key_of

TOKEN_HEADER = "x-review-token"
ANSWERS = ("same", "different", "unsure", "skip")
_TEMPLATES = Environment(
    loader=PackageLoader("crmclean.review", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
)


class _Token(BaseHTTPMiddleware):
    """403 for any request without the session's token."""

    def __init__(self, app: Any, token: str) -> None:
        super().__init__(app)
        self.token = token

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        given = request.query_params.get("token") or request.headers.get(TOKEN_HEADER) or ""
        if not secrets.compare_digest(given.encode(), self.token.encode()):
            return PlainTextResponse("forbidden: open the URL with its token", status_code=403)
        response = await call_next(request)
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Frame-Options"] = "DENY"
        return response


def create_app(session: Session, clusters: ClusterView, token: str) -> Starlette:
    """The app serving ``session`` (pairs) and ``clusters`` (golden records) to ``token``."""

    async def page(request: Request) -> Response:
        html = _TEMPLATES.get_template("review.html").render(token=token)
        return HTMLResponse(html)

    def state(request: Request) -> Response:
        return JSONResponse(_state(session))

    async def answer(request: Request) -> Response:
        body = await _body(request)
        kind = body.get("answer")
        if kind not in ANSWERS:
            return JSONResponse({"error": f"answer must be one of {ANSWERS}"}, status_code=400)
        key = _known(session, body)
        if key is None:
            return _unknown()
        await run_in_threadpool(session.answer, key, kind, _picks(body))  # fsync off the loop
        return await _next(session)

    async def undo(request: Request) -> Response:
        await run_in_threadpool(session.undo)
        return await _next(session)

    async def move(request: Request) -> Response:
        delta = (await _body(request)).get("delta", 1)
        session.move(delta if isinstance(delta, int) else 1)
        return await _next(session)

    async def filters(request: Request) -> Response:
        body = await _body(request)
        session.set_filters(Filters(**{k: str(body.get(k) or "") for k in vars(Filters())}))
        return await _next(session)

    async def preview(request: Request) -> Response:
        body = await _body(request)
        key = _known(session, body)
        if key is None:
            return _unknown()
        return JSONResponse(session.preview(key, _picks(body)))

    def largest(request: Request) -> Response:
        return JSONResponse(clusters.largest())

    def cluster(request: Request) -> Response:
        return JSONResponse(clusters.view(request.path_params["golden_id"]))

    async def split(request: Request) -> Response:
        body = await _body(request)
        record = (str(body.get("source", "")), str(body.get("source_id", "")))
        golden_id = str(body.get("golden_id", ""))
        return JSONResponse(await run_in_threadpool(clusters.split, golden_id, record))

    routes = [
        Route("/", page),
        Route("/api/state", state),
        Route("/api/answer", answer, methods=["POST"]),
        Route("/api/undo", undo, methods=["POST"]),
        Route("/api/move", move, methods=["POST"]),
        Route("/api/filters", filters, methods=["POST"]),
        Route("/api/preview", preview, methods=["POST"]),
        Route("/api/clusters", largest),
        Route("/api/cluster/{golden_id}", cluster),
        Route("/api/split", split, methods=["POST"]),
        Mount("/static", StaticFiles(directory=str(files("crmclean.review") / "static"))),
    ]
    return Starlette(routes=routes, middleware=[Middleware(_Token, token=token)])


async def _body(request: Request) -> dict[str, Any]:
    """The request's JSON object; an empty one for anything else."""
    try:
        body = await request.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _known(session: Session, body: dict[str, Any]) -> Key | None:
    """The pair ``body`` names, if it is one of the session's."""
    try:
        key = key_of(str(body.get("key", "")))
    except ValueError:
        return None
    return key if session.known(key) else None


def _picks(body: dict[str, Any]) -> dict[str, str]:
    """Field picks, only ``a`` or ``b``."""
    picks = body.get("picks") or {}
    return (
        {str(k): v for k, v in picks.items() if v in ("a", "b")} if isinstance(picks, dict) else {}
    )


def _unknown() -> Response:
    return JSONResponse({"error": "unknown pair"}, status_code=400)


async def _next(session: Session) -> Response:
    """The state after a move through the queue; once it is sent, the previews of the pairs
    ahead are merged (:meth:`Session.prefetch`)."""
    state = await run_in_threadpool(_state, session)
    return JSONResponse(state, background=BackgroundTask(session.prefetch))


def _state(session: Session) -> dict[str, Any]:
    return {**session.state(), "learning": session.learning}
