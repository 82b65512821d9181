"""The HTTP contract (``/api/v1``): pydantic models shared by the client and the server."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from tracer_tui.core.types import Language, Role, TaskKind, TaskStatus

API_PREFIX = "/api/v1"


class WireModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorBody(WireModel):
    """Every error answer: a stable machine code and a short English detail."""

    code: str
    detail: str


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


class InterviewAccepted(WireModel):
    submission_id: UUID
    task_id: int
    accepted_at: datetime
    duplicate: bool
