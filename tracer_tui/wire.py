"""The HTTP contract (``/api/v1``): pydantic models shared by the client and the server."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import unicodedata
from datetime import date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer, WithJsonSchema

from tracer_tui.core.types import Language, Role, TaskKind, TaskStatus

API_PREFIX = "/api/v1"


class WireModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorBody(WireModel):
    """Every error answer: a stable machine code and a short English detail."""

    code: str
    detail: str
    items: list[str] | None = None  # invalid_answers: the item ids refused, never the values


class DevLoginRequest(WireModel):
    """Development login (practice mode only, refused unless the server allows it)."""

    national_number: str = Field(pattern=r"^[0-9]{11}$")


class AgentProfile(WireModel):
    id: int
    display_name: str
    team: str | None
    roles: list[Role]
    language: Language


class LoginResponse(WireModel):
    token: str
    expires_at: datetime
    agent: AgentProfile
    pledge_due: bool


class PersonView(WireModel):
    """The least a caller needs to know of a person: no national number, no address."""

    display_name: str
    birth_date: date | None
    language: Language
    phones: list[str]


class TaskView(WireModel):
    id: int
    kind: TaskKind
    status: TaskStatus
    person: PersonView
    due_at: datetime
    attempts: int
    questionnaire_id: str
    questionnaire_version: int


class QueueResponse(WireModel):
    server_time: datetime
    tasks: list[TaskView]


class QuestionnaireSummary(WireModel):
    id: str
    version: int
    kind: TaskKind
    title: dict[str, str]


class InterviewSubmission(WireModel):
    """A completed interview. ``submission_id`` is made by the client: sending the same
    submission twice is harmless."""

    submission_id: UUID
    questionnaire_id: str
    questionnaire_version: int = Field(ge=1)
    language: Language
    answers: dict[str, Any]
    started_at: datetime
    finished_at: datetime


InterviewConflict = Literal["reassigned", "closed"]
"""Why an accepted interview was flagged for the supervisor: when it arrived, the task was
another agent's or back in the pool (``reassigned``), or no longer open (``closed``)."""


class InterviewAccepted(WireModel):
    submission_id: UUID
    task_id: int
    accepted_at: datetime
    duplicate: bool
    conflict: InterviewConflict | None = None
    """Set when the interview was stored but the task had changed hands or closed meanwhile
    (an agent who worked offline): the supervisor sees it flagged; tell the agent."""


MAX_INTERVIEW_BATCH = 500


class InterviewBatchItem(WireModel):
    task_id: int
    submission: InterviewSubmission


class InterviewBatch(WireModel):
    """Interviews sent together (the outbox after a time offline), in the order they were
    done. Each is accepted or refused on its own, exactly as ``PUT /tasks/{id}/interview``
    would; sending one again is harmless."""

    items: list[InterviewBatchItem] = Field(min_length=1, max_length=MAX_INTERVIEW_BATCH)


class InterviewBatchResult(WireModel):
    """The fate of one item, in the order of the request: ``accepted``, or ``error`` with
    the HTTP ``status`` the single ``PUT`` would have answered."""

    submission_id: UUID
    status: int
    accepted: InterviewAccepted | None = None
    error: ErrorBody | None = None


class InterviewBatchResponse(WireModel):
    results: list[InterviewBatchResult]


# -- eID login and the confidentiality pledge --------------------------------------------


def _from_base64(value: object) -> object:
    """Standard base64 text (with padding) to bytes; bytes given in Python pass as they are."""
    if isinstance(value, str):
        try:
            return base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ValueError("not standard base64") from exc
    return value


def _to_base64(value: bytes) -> str:
    return base64.b64encode(value).decode("ascii")


Base64Bytes = Annotated[
    bytes,
    BeforeValidator(_from_base64),
    PlainSerializer(_to_base64, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "contentEncoding": "base64"}),
]
"""Bytes carried as standard base64 text (RFC 4648 section 4, padded) in JSON."""

SignatureAlgorithm = Literal["rsa-pkcs1-sha256", "ecdsa-p384-sha384"]
"""How the card's authentication key signs a message ``M`` (the card layer hashes on the host):

- ``rsa-pkcs1-sha256`` (applet 1.1/1.7, RSA-2048): RSASSA-PKCS1-v1_5 over SHA-256(M); the
  signature is the 256 bytes the card returns.
- ``ecdsa-p384-sha384`` (applet 1.8): ECDSA P-384 over SHA-384(M); the signature is the raw
  ``r‖s`` the card returns, exactly 96 bytes (r and s as 48-byte big-endian integers), not DER.
"""

LOGIN_CONTEXT = b"tracer-login-v1\n"
PLEDGE_CONTEXT = b"tracer-pledge-v1\n"
SHA256_HEX = r"^[0-9a-f]{64}$"


def login_message(nonce: bytes) -> bytes:
    """The message ``M`` a card signs to log in: ``b"tracer-login-v1\\n"`` + the raw nonce.

    The prefix keeps a login signature from being taken for anything else made with the same
    key (a pledge acceptance, another service's challenge).
    """
    return LOGIN_CONTEXT + nonce


def pledge_message(version: int, text_sha256: str) -> bytes:
    """The message ``M`` a card signs to accept a pledge, all ASCII:
    ``b"tracer-pledge-v1\\n" + b"<version>\\n" + b"<text_sha256, 64 lowercase hex digits>"``.
    """
    return PLEDGE_CONTEXT + f"{version}\n{text_sha256.lower()}".encode("ascii")


class ChallengeResponse(WireModel):
    """A fresh login challenge: sign :func:`login_message` of ``nonce`` before ``expires_at``.

    Single use: the server forgets it at the first login attempt that names it.
    """

    challenge_id: str
    nonce: Base64Bytes = Field(min_length=32, max_length=32)
    expires_at: datetime


class LoginRequest(WireModel):
    """A login with the eID card.

    ``certificate`` is the authentication certificate (card file 3F00/DF00/5038) and
    ``ca_certificate`` the citizen CA certificate that issued it (file 503A), both DER.
    ``signature`` is the card's authentication key (0x82) over
    ``login_message(challenge.nonce)``, in the form ``signature_algorithm`` names.
    """

    challenge_id: str = Field(min_length=1, max_length=64)
    certificate: Base64Bytes = Field(min_length=1, max_length=16384)
    ca_certificate: Base64Bytes | None = Field(default=None, min_length=1, max_length=16384)
    signature: Base64Bytes = Field(min_length=1, max_length=1024)
    signature_algorithm: SignatureAlgorithm


def _canonical_text(value: str) -> str:
    return unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n"))


def pledge_canonical(version: int, title: dict[Language, str], text: dict[Language, str]) -> bytes:
    """The canonical form of a pledge, which ``PledgeText.sha256`` hashes.

    UTF-8 of the JSON object ``{"text": {lang: …}, "title": {lang: …}, "version": N}`` with
    keys sorted, no spaces (separators ``,`` and ``:``), non-ASCII characters as themselves
    (not ``\\u`` escapes), every string in Unicode NFC with ``\\n`` line ends.
    """
    document = {
        "text": {lang.value: _canonical_text(value) for lang, value in text.items()},
        "title": {lang.value: _canonical_text(value) for lang, value in title.items()},
        "version": version,
    }
    return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


class PledgeText(WireModel):
    """The current confidentiality pledge, in the four languages.

    ``sha256`` is the lowercase hex SHA-256 of :func:`pledge_canonical`: a client recomputes
    it (:meth:`computed_sha256`) so that what it shows is what the agent signs.
    """

    version: int = Field(ge=1)
    title: dict[Language, str]
    text: dict[Language, str]
    sha256: str = Field(pattern=SHA256_HEX)

    def computed_sha256(self) -> str:
        return hashlib.sha256(pledge_canonical(self.version, self.title, self.text)).hexdigest()

    def signed_message(self) -> bytes:
        """What the card signs to accept this pledge: :func:`pledge_message`."""
        return pledge_message(self.version, self.sha256)


class PledgeRequest(WireModel):
    """The agent's acceptance of a pledge, signed by the card they logged in with.

    ``signature`` is the authentication key (0x82) of the login certificate over
    ``pledge_message(version, text_sha256)`` (the card hashes that message with SHA-256 or
    SHA-384, see :data:`SignatureAlgorithm`). ``language`` is the one the agent read it in.
    """

    version: int = Field(ge=1)
    text_sha256: str = Field(pattern=SHA256_HEX)
    language: Language
    signature: Base64Bytes = Field(min_length=1, max_length=1024)
    signature_algorithm: SignatureAlgorithm


class PledgeAccepted(WireModel):
    version: int
    text_sha256: str
    signed_at: datetime
