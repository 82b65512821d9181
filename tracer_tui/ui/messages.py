"""Server and network errors, told to the agent in their language."""

from __future__ import annotations

from tracer_tui.client.errors import (
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
from tracer_tui.core.i18n import _


def describe_error(error: ApiError) -> str:
    """One sentence for the agent; the details stay in the log."""
    if error.code == "dev_login_disabled":
        return _("This server does not allow the development sign-in.")
    if error.code == "unknown_agent":
        return _("This agent is not registered on the central server.")
    if isinstance(error, Unreachable):
        return _("The central server cannot be reached. Check the network and try again.")
    if isinstance(error, AuthError):
        return _("Your session has ended. Sign in again.")
    if isinstance(error, Forbidden):
        return _("You are not allowed to do this.")
    if isinstance(error, NotFound):
        return _("This task is no longer yours: it may have been reassigned.")
    if isinstance(error, Conflict):
        return _("The server already holds a different version of this.")
    if isinstance(error, Invalid):
        return _("The server refused the answers as invalid.")
    if isinstance(error, InvalidScript):
        return _(
            "The interview script {id} version {version} is invalid: the interview cannot "
            "start. Tell your supervisor."
        ).format(id=error.questionnaire_id, version=error.version)
    if isinstance(error, ServerError):
        return _("The central server had a problem. Try again in a moment.")
    return _("Unexpected answer from the central server.")
