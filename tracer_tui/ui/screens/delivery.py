"""Sending a completed interview: into the local outbox, which the sync engine empties."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from tracer_tui.client.errors import ApiError, Unreachable
from tracer_tui.core.i18n import _
from tracer_tui.ui.drafts import drafts_of
from tracer_tui.ui.messages import describe_error

if TYPE_CHECKING:
    from tracer_tui.ui.app import TracerApp
    from tracer_tui.wire import InterviewSubmission

log = logging.getLogger(__name__)


async def deliver(app: TracerApp, task_id: int, submission: InterviewSubmission) -> bool:
    """Put the interview in the outbox (on disk, in one transaction with the draft's
    removal); the sync engine sends it exactly once, now or when the server is back.
    Returns whether the interview is safe; the agent is told either way."""
    store = app.services.store
    if store is None:
        return await deliver_direct(app, task_id, submission)
    try:
        await asyncio.to_thread(lambda: store().submit_interview(task_id, submission))
    except Exception:
        log.exception("could not put the interview in the outbox")
        app.notify(
            _("The interview could not be saved on this computer: see the log file."),
            severity="error",
            timeout=10,
        )
        return False
    app.sync_now()
    app.notify(_("Interview saved: it is sent to the central server as soon as possible."))
    return True


async def deliver_direct(app: TracerApp, task_id: int, submission: InterviewSubmission) -> bool:
    """Without a local store (none configured): straight to the server."""
    api = app.api
    assert api is not None
    try:
        await api.submit_interview(task_id, submission)
    except ApiError as error:
        app.online = not isinstance(error, Unreachable)
        message = describe_error(error)
        if isinstance(error, Unreachable):
            message += " " + _("The answers are kept on this computer.")
        app.notify(message, severity="error", timeout=8)
        return False
    app.online = True
    await asyncio.to_thread(drafts_of(app).discard, task_id)
    app.notify(_("Interview sent."))
    return True
