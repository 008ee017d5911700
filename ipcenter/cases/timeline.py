"""Which timeline entries a user sees: internal ones never leave the center."""
from ..accounts.models import Role
from .models import Case, CaseEvent, EventKind


def event_visible_to(event: CaseEvent, user) -> bool:
    if user.role in (Role.STAFF, Role.MANAGER):
        return True
    if event.public:
        return True
    # A unit sees its own progress reports besides the public timeline.
    return (user.role == Role.UNIT_REPORTER and event.kind == EventKind.PROGRESS_REPORT
            and event.unit_id == user.unit_id)


def visible_events(case: Case, user) -> list[CaseEvent]:
    return [event for event in case.events if event_visible_to(event, user)]
