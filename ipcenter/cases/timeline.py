"""Which timeline entries a user sees: internal ones never leave the center.

A demonstration unit sees, besides the public timeline, what concerns its own delegation: the brief it
was given (on the delegation event), the end of it, and its own progress reports.
"""
from ..accounts.models import Role
from .models import Case, CaseEvent, EventKind

UNIT_EVENTS = {EventKind.DELEGATED, EventKind.DELEGATION_ENDED, EventKind.PROGRESS_REPORT}


def event_visible_to(event: CaseEvent, user) -> bool:
    if user.role in (Role.STAFF, Role.MANAGER):
        return True
    if event.public:
        return True
    return user.role == Role.UNIT_REPORTER and event.kind in UNIT_EVENTS and event.unit_id == user.unit_id


def visible_events(case: Case, user) -> list[CaseEvent]:
    return [event for event in case.events if event_visible_to(event, user)]


def delegation_brief(case: Case, user) -> CaseEvent | None:
    """The event that delegated the case to its current unit (who, when, what the unit is asked to do),
    if this user may read it: the unit and the center may, the enterprise may not."""
    if case.delegated_unit_id is None:
        return None
    brief = next((event for event in reversed(case.events) if event.kind == EventKind.DELEGATED
                  and event.unit_id == case.delegated_unit_id), None)
    return brief if brief is not None and event_visible_to(brief, user) else None


def enterprise_request(case: Case) -> CaseEvent | None:
    """While the case waits on the enterprise's answer: the step that asked it, with what was asked."""
    if case.current_stage.asks_enterprise is None:
        return None
    return next((event for event in reversed(case.events) if event.kind == EventKind.TRANSITION
                 and event.to_stage == case.stage), None)
