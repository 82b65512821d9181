"""Every error answered as ``wire.ErrorBody`` JSON: ``{"code": …, "detail": …}``.

Error answers and logs carry no request data: a request body may hold personal data, and so
may a database exception's message (its SQL parameters).
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Mapping, Sequence

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, StatementError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tracer_tui import wire

log = logging.getLogger(__name__)

_HTTP_CODES: Mapping[int, str] = {
    401: "token_invalid",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "request_too_large",
    415: "unsupported_media_type",
}


class ApiError(Exception):
    """An error the API answers on purpose, with a stable code."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        *,
        headers: Mapping[str, str] | None = None,
        items: Sequence[str] | None = None,
    ) -> None:
        super().__init__(f"{status} {code}: {detail}")
        self.status = status
        self.code = code
        self.detail = detail
        self.headers = dict(headers or {})
        self.items = list(items) if items is not None else None

    def body(self) -> wire.ErrorBody:
        return wire.ErrorBody(code=self.code, detail=self.detail, items=self.items)


def error_response(
    status: int,
    code: str,
    detail: str,
    headers: Mapping[str, str] | None = None,
    items: Sequence[str] | None = None,
) -> JSONResponse:
    listed = list(items) if items is not None else None
    body = wire.ErrorBody(code=code, detail=detail, items=listed)
    return JSONResponse(
        body.model_dump(mode="json", exclude_none=True), status_code=status, headers=headers
    )


async def _api_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return error_response(exc.status, exc.code, exc.detail, exc.headers, exc.items)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    detail = exc.detail if isinstance(exc.detail, str) else "HTTP error"
    return error_response(exc.status_code, code, detail, exc.headers)


def _validation_detail(exc: RequestValidationError) -> str:
    """Where the request is wrong and how, without echoing the values sent."""
    errors = exc.errors()
    if not errors:
        return "the request is not valid"
    first = errors[0]
    where = ".".join(str(part) for part in first.get("loc", ()))
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{where}: {first.get('msg', 'invalid')}{more}"


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return error_response(422, "invalid_request", _validation_detail(exc))


class CatchAllMiddleware:
    """Answer any unexpected exception with a bare 500 ErrorBody.

    Logged: the exception type and where it was raised (file, line, function), never the
    exception's message nor source lines.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            frames = "\n".join(
                f"  {frame.filename}:{frame.lineno} in {frame.name}"
                for frame in traceback.extract_tb(exc.__traceback__)
            )
            log.error(
                "unexpected %s on %s %s\n%s",
                type(exc).__name__,
                scope.get("method", "?"),
                scope.get("path", "?"),
                frames,
            )
            if started:
                raise
            response = error_response(500, "internal_error", "internal server error")
            await response(scope, receive, send)


def _refused_by_database(exc: BaseException) -> bool:
    """Whether the database refused a value the client sent (out of its column's range, a
    NUL character, too long): the request was not valid, the server is not broken."""
    if isinstance(exc, DataError):
        return True
    original = exc.orig if isinstance(exc, StatementError) else exc
    return isinstance(original, OverflowError)


async def _database_refusal(request: Request, exc: Exception) -> JSONResponse:
    if not _refused_by_database(exc):
        raise exc
    log.warning(
        "the database refused a value (%s) on %s %s",
        type(getattr(exc, "orig", exc)).__name__,
        request.method,
        request.url.path,
    )
    return error_response(422, "invalid_request", "a value is out of the range the server keeps")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(StatementError, _database_refusal)
    app.add_exception_handler(OverflowError, _database_refusal)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_middleware(CatchAllMiddleware)
