"""The timeline as a user sees it (which entries: the permission layer's event.view), the entries the case page puts
first, and an entry in words (for the files that list it)."""
from flask_babel import gettext as _

from ..i18n import localized_name, with_colon
from ..permissions import can
from .models import Case, CaseEvent, EventKind
from .queries import organisation_timeline
from .workflow import Actor


def visible_events(case: Case, user) -> list[CaseEvent]:
    return [event for event in case.events if can(user, "event.view", event)]


def organisation_history(user, organisation) -> list[CaseEvent]:
    """Every entry of an enterprise's cases this user may see (the enterprise: the public ones), case by case."""
    return [event for event in organisation_timeline(organisation.id) if can(user, "event.view", event)]


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


def what_happened(event: CaseEvent, requester: bool) -> str:
    """A timeline entry in words, as the case page heads it (templates/cases/_timeline.html), stages named for the
    reader: `requester` is of the enterprise that made the request."""
    workflow = event.case.workflow
    if event.kind == EventKind.TRANSITION:
        transition = workflow.transition(event.action or "")
        stages = [str(workflow.stage(code).name_for(requester)) for code in (event.from_stage, event.to_stage) if code]
        return with_colon(transition.label if transition else event.action) + " → ".join(stages)
    if event.kind == EventKind.SUBMITTED:
        return _("Request submitted")
    if event.kind == EventKind.ASSIGNED:
        return _("Assigned to %(name)s", name=event.subject_user.display_name) if event.subject_user else \
            _("Unassigned")
    if event.kind in (EventKind.DELEGATED, EventKind.DELEGATION_ENDED):
        return with_colon(event.kind.label) + localized_name(event.unit)
    if event.kind == EventKind.PROGRESS_REPORT:
        return _("Progress report from %(unit)s", unit=localized_name(event.unit))
    return str(event.kind.label)


def written_by(event: CaseEvent) -> str:
    """Who the case page says wrote the entry: the person's name (staff too, to the enterprise); for a step taken
    through a link the center gave, which nobody signed in to take, its role (the respondent); or the system."""
    if event.actor:
        return event.actor.display_name
    transition = event.case.workflow.transition(event.action) if event.action else None
    if transition is not None and Actor.RESPONDENT in transition.actors:
        return _("The respondent")
    return _("The system")
