"""The interview scripts the server knows, by id and version."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from tracer_tui import wire
from tracer_tui.core.questionnaire import Questionnaire
from tracer_tui.server.auth import CurrentAgentDep, StateDep
from tracer_tui.server.errors import ApiError

router = APIRouter(tags=["questionnaires"])


@router.get("/questionnaires")
def list_questionnaires(agent: CurrentAgentDep, state: StateDep) -> list[wire.QuestionnaireSummary]:
    return [
        wire.QuestionnaireSummary(
            id=questionnaire.id,
            version=questionnaire.version,
            kind=questionnaire.kind,
            title=questionnaire.title.model_dump(),
        )
        for _, questionnaire in sorted(state.questionnaires.items())
    ]


@router.get("/questionnaires/{questionnaire_id}/{version}", response_model=Questionnaire)
def get_questionnaire(
    questionnaire_id: str, version: int, agent: CurrentAgentDep, state: StateDep
) -> JSONResponse:
    """The script as its file gave it: fields left out there are left out here too, so that
    ``Questionnaire.model_validate`` reads back the same script."""
    questionnaire = state.questionnaires.get((questionnaire_id, version))
    if questionnaire is None:
        raise ApiError(404, "unknown_questionnaire", "no such questionnaire id and version")
    return JSONResponse(questionnaire.model_dump(mode="json", exclude_unset=True))
