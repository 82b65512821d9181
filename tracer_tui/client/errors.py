"""Failures talking to the central server. No httpx here: screens import these."""

from __future__ import annotations


class ApiError(Exception):
    """Any failure talking to the central server."""

    def __init__(
        self,
        detail: str,
        *,
        code: str = "error",
        status: int | None = None,
        items: list[str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.code = code
        self.status = status
        self.items: list[str] = list(items or [])  # invalid_answers: the item ids refused


class Unreachable(ApiError):
    """No answer: network down, server down, timeout, TLS failure."""


class AuthError(ApiError):
    """401: not signed in, token expired or refused credentials."""


class Forbidden(ApiError):
    """403: signed in, but not allowed."""


class NotFound(ApiError):
    """404: no such object, or not one of yours."""


class Conflict(ApiError):
    """409: the request clashes with the server's state."""


class Invalid(ApiError):
    """422: the server refused the content."""


class ServerError(ApiError):
    """5xx, or an answer that does not follow the contract."""


class InvalidScript(ServerError):
    """The interview script the server sent does not validate: no interview can start."""

    def __init__(self, questionnaire_id: str, version: int, problem: str) -> None:
        super().__init__(
            f"the interview script {questionnaire_id} version {version} is invalid: {problem}",
            code="invalid_script",
        )
        self.questionnaire_id = questionnaire_id
        self.version = version
        self.problem = problem


BY_STATUS: dict[int, type[ApiError]] = {
    401: AuthError,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    422: Invalid,
}
