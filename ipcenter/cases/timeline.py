"""The timeline as a user sees it (which entries: the permission layer's event.view), and the entries the case
page puts first."""
from ..permissions import can
from .models import Case, CaseEvent, EventKind


def visible_events(case: Case, user) -> list[CaseEvent]:
    return [event for event in case.events if can(user, "event.view", event)]


def delegation_brief(case: Case, user) -> CaseEvent | None:
    """The event that delegated the case to its current unit (who, when, what the unit is asked to do),
    if this user may read it: the unit and the center may, the enterprise may not."""
    if case.delegated_unit_id is None:
        return None
    brief = next((event for event in reversed(case.events) if event.kind == EventKind.DELEGATED
                  and event.unit_id == case.delegated_unit_id), None)
    return brief if brief is not None and can(user, "event.view", brief) else None


def enterprise_request(case: Case) -> CaseEvent | None:
    """While the case waits on the enterprise's answer: the step that asked it, with what was asked."""
    if not case.current_stage.kind.asks_enterprise:
        return None
    return next((event for event in reversed(case.events) if event.kind == EventKind.TRANSITION
                 and event.to_stage == case.stage), None)
