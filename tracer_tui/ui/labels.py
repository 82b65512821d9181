"""Short translated labels for domain values."""

from __future__ import annotations

from datetime import datetime

from tracer_tui.core.i18n import N_, _
from tracer_tui.core.types import TaskKind

KIND_LABELS: dict[TaskKind, str] = {
    TaskKind.INDEX_CALL: N_("Index case"),
    TaskKind.CONTACT_CALL: N_("Contact"),
    TaskKind.FOLLOW_UP: N_("Follow-up"),
    TaskKind.FIELD_VISIT: N_("Field visit"),
}


def kind_label(kind: TaskKind) -> str:
    return _(KIND_LABELS[kind])


def due_label(due: datetime, now: datetime) -> str:
    """``overdue``, ``14:30`` today, or ``29/11 14:30`` on another day (local time)."""
    local = due.astimezone()
    if due <= now:
        return _("now")
    if local.date() == now.astimezone().date():
        return local.strftime("%H:%M")
    return local.strftime("%d/%m %H:%M")
