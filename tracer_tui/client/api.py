"""The central server's API, seen from the agent's workstation.

The UI reaches the server only through :class:`ApiClient`. Every failure becomes one of the
:class:`ApiError` subclasses, which screens catch and show; none carries personal data.
"""

from __future__ import annotations

import ssl
from typing import Any, TypeVar
from uuid import UUID

import httpx
from pydantic import BaseModel, TypeAdapter, ValidationError

from tracer_tui.client.errors import (
    BY_STATUS,
    ApiError,
    AuthError,
    Conflict,
    Forbidden,
    Invalid,
    InvalidScript,
    NotFound,
    ServerError,
    Unreachable,
)
from tracer_tui.core.questionnaire import Questionnaire
from tracer_tui.core.types import Language
from tracer_tui.questionnaire_files import validation_problems
from tracer_tui.wire import (
    API_PREFIX,
    AgentProfile,
    ChallengeResponse,
    DevLoginRequest,
    InterviewAccepted,
    InterviewBatch,
    InterviewBatchItem,
    InterviewBatchResponse,
    InterviewBatchResult,
    InterviewSubmission,
    LoginRequest,
    LoginResponse,
    PledgeAccepted,
    PledgeRequest,
    PledgeText,
    QuestionnaireSummary,
    QueueResponse,
    SignatureAlgorithm,
)

M = TypeVar("M", bound=BaseModel)

__all__ = [
    "ApiClient",
    "ApiError",
    "AuthError",
    "Conflict",
    "Forbidden",
    "Invalid",
    "InvalidScript",
    "NotFound",
    "ServerError",
    "Unreachable",
]


_SUMMARIES = TypeAdapter(list[QuestionnaireSummary])


def _tls_refused(exc: BaseException) -> bool:
    """Whether a transport error comes from a failed TLS handshake or certificate check."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


class ApiClient:
    """Async client of ``/api/v1``. Owns its ``httpx.AsyncClient``."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self._http = http
        self._token: str | None = None

    @property
    def signed_in(self) -> bool:
        return self._token is not None

    def sign_out(self) -> None:
        self._token = None

    def use_token(self, token: str) -> None:
        """Go on with a token got earlier (tools, tests): no login request."""
        self._token = token

    async def aclose(self) -> None:
        await self._http.aclose()

    # -- transport -------------------------------------------------------------------
    async def _request(self, method: str, path: str, body: BaseModel | None = None) -> Any:
        headers = {"Authorization": f"Bearer {self._token}"} if self._token else {}
        content = body.model_dump_json().encode() if body is not None else None
        if content is not None:
            headers["Content-Type"] = "application/json"
        try:
            response = await self._http.request(
                method, API_PREFIX + path, content=content, headers=headers
            )
        except httpx.TimeoutException as exc:
            raise Unreachable("the server did not answer in time", code="timeout") from exc
        except httpx.TransportError as exc:
            if _tls_refused(exc):
                detail = "the server's TLS certificate could not be verified ([server] ca_bundle)"
                raise Unreachable(detail, code="tls") from exc
            raise Unreachable(f"cannot reach the server ({type(exc).__name__})") from exc
        if response.status_code >= 400:
            raise self._error(response)
        if response.status_code == 204:
            return None
        try:
            return response.json()
        except ValueError as exc:
            raise ServerError("the server sent an answer that is not JSON") from exc

    @staticmethod
    def _error(response: httpx.Response) -> ApiError:
        code, detail = "error", f"HTTP {response.status_code}"
        items: list[str] = []
        try:
            body = response.json()
            if isinstance(body, dict):
                code = str(body.get("code", code))
                detail = str(body.get("detail", detail))
                if isinstance(body.get("items"), list):
                    items = [str(item) for item in body["items"]]
        except ValueError:
            pass
        kind = BY_STATUS.get(response.status_code)
        if kind is None:
            kind = ServerError if response.status_code >= 500 else ApiError
        return kind(detail, code=code, status=response.status_code, items=items)

    @staticmethod
    def _parse(model: type[M], data: Any) -> M:
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            raise ServerError(
                f"the server's answer does not match the contract ({model.__name__})",
                code="bad_answer",
            ) from exc

    # -- endpoints -------------------------------------------------------------------
    async def dev_login(self, national_number: str) -> LoginResponse:
        data = await self._request(
            "POST", "/auth/dev-login", DevLoginRequest(national_number=national_number)
        )
        login = self._parse(LoginResponse, data)
        self._token = login.token
        return login

    async def challenge(self) -> ChallengeResponse:
        """A fresh login challenge: the card signs ``wire.login_message(challenge.nonce)``."""
        return self._parse(ChallengeResponse, await self._request("POST", "/auth/challenge"))

    async def login(
        self,
        *,
        challenge_id: str,
        certificate: bytes,
        signature: bytes,
        signature_algorithm: SignatureAlgorithm,
        ca_certificate: bytes | None = None,
    ) -> LoginResponse:
        """Log in with the card's answer to a challenge (see ``wire.LoginRequest``).

        ``certificate`` and ``ca_certificate`` are the DER of card files 5038 and 503A;
        ``signature`` is PKCS#1 v1.5 (RSA) or raw ``r‖s`` (ECDSA P-384). A refusal raises
        AuthError whose ``code`` says why (``bad_signature``, ``unknown_agent``, …).
        """
        body = LoginRequest(
            challenge_id=challenge_id,
            certificate=certificate,
            ca_certificate=ca_certificate,
            signature=signature,
            signature_algorithm=signature_algorithm,
        )
        login = self._parse(LoginResponse, await self._request("POST", "/auth/login", body))
        self._token = login.token
        return login

    async def logout(self) -> None:
        """End the session on the server; the token is dropped here whatever happens."""
        try:
            if self._token is not None:
                await self._request("POST", "/auth/logout")
        finally:
            self._token = None

    async def pledge(self) -> PledgeText:
        """The current pledge. Raises ServerError if its hash is not the hash of its text:
        what the agent is shown is then exactly what they sign."""
        pledge = self._parse(PledgeText, await self._request("GET", "/pledge"))
        if pledge.computed_sha256() != pledge.sha256:
            raise ServerError("the pledge text does not match its hash", code="bad_answer")
        return pledge

    async def sign_pledge(
        self,
        pledge: PledgeText,
        *,
        language: Language,
        signature: bytes,
        signature_algorithm: SignatureAlgorithm,
    ) -> PledgeAccepted:
        """Accept ``pledge`` with the login card's signature over ``pledge.signed_message()``."""
        body = PledgeRequest(
            version=pledge.version,
            text_sha256=pledge.sha256,
            language=language,
            signature=signature,
            signature_algorithm=signature_algorithm,
        )
        return self._parse(PledgeAccepted, await self._request("POST", "/pledge", body))

    async def me(self) -> AgentProfile:
        return self._parse(AgentProfile, await self._request("GET", "/me"))

    async def queue(self) -> QueueResponse:
        return self._parse(QueueResponse, await self._request("GET", "/queue"))

    async def questionnaires(self) -> list[QuestionnaireSummary]:
        data = await self._request("GET", "/questionnaires")
        try:
            return _SUMMARIES.validate_python(data)
        except ValidationError as exc:
            raise ServerError("the questionnaire list does not match the contract") from exc

    async def questionnaire(self, questionnaire_id: str, version: int) -> Questionnaire:
        data = await self._request("GET", f"/questionnaires/{questionnaire_id}/{version}")
        try:
            return Questionnaire.model_validate(data)
        except ValidationError as exc:
            problems = validation_problems(exc, data) or ["not a script"]
            raise InvalidScript(questionnaire_id, version, problems[0]) from exc

    async def submit_interview(
        self, task_id: int, submission: InterviewSubmission
    ) -> InterviewAccepted:
        data = await self._request("PUT", f"/tasks/{task_id}/interview", submission)
        accepted = self._parse(InterviewAccepted, data)
        if accepted.submission_id != UUID(str(submission.submission_id)):
            raise ServerError("the server acknowledged another submission", code="bad_answer")
        return accepted

    async def submit_interviews(
        self, items: list[tuple[int, InterviewSubmission]]
    ) -> list[InterviewBatchResult]:
        """Send interviews together (``POST /interviews/batch``): one result per item, in
        order. Raises ApiError when the batch as a whole fails (network, 401, 5xx, …)."""
        body = InterviewBatch(
            items=[
                InterviewBatchItem(task_id=task_id, submission=submission)
                for task_id, submission in items
            ]
        )
        data = await self._request("POST", "/interviews/batch", body)
        results = self._parse(InterviewBatchResponse, data).results
        sent = [submission.submission_id for _, submission in items]
        if [result.submission_id for result in results] != sent:
            raise ServerError("the server answered for other submissions", code="bad_answer")
        return results
