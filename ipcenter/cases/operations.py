"""Business rules for cases: submission, the workflow engine, assignment, delegation,
progress reports, internal notes and deadline reminders.

Each operation changes objects, writes its timeline event, queues notifications and
flushes; the request boundary commits once. A state change and its event are always
in the same transaction.
"""
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import false, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError

from ..accounts.models import Role, User
from ..audit.operations import record, record_failure
from ..calendar import CENTER_ZONE, add_working_days, center_today, working_days_between
from ..database import utcnow
from ..extensions import db
from ..mail import discard_queued_mail, write_queued_mail
from ..notifications.operations import notify
from ..organisations.models import Post
from ..patents.numbers import InvalidApplicationNumber, normalise_cn_application_number
from ..permissions import can, case_actors
from .attachments import UploadRefused, store_attachment
from .models import Case, CaseEvent, CaseReferenceCounter, EventKind
from .rules import CaseRefused
from .signals import replies, step_documents, step_taken
from .stints import recount as recount_stints
from .workflow import (
    CASE_TYPES,
    RESUME,
    Actor,
    Hours,
    Input,
    Transition,
    overall_deadline_days,
    stage_allowance,
)


class CaseChanged(CaseRefused):
    """Someone else changed the case since this user loaded it."""


class ActionForbidden(CaseRefused):
    """This user may not do this to this case."""


# Reference numbers ------------------------------------------------------------

def next_reference(today: date) -> str:
    """`ZS-<year>-<6 digits>`, gapless: the counter row is locked until this transaction ends."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    db.session.execute(insert(CaseReferenceCounter).values(year=today.year, last_number=0)
                       .on_conflict_do_nothing(index_elements=["year"]))
    number = db.session.execute(
        update(CaseReferenceCounter).where(CaseReferenceCounter.year == today.year)
        .values(last_number=CaseReferenceCounter.last_number + 1)
        .returning(CaseReferenceCounter.last_number)
    ).scalar_one()
    return f"ZS-{today.year}-{number:06d}"


# Submission -------------------------------------------------------------------

def submit_case(organisation, submitter: User, type_code: str, details: dict, files=()) -> Case:
    """An enterprise's request: a new case at its type's first stage, in that stage's post queue."""
    if type_code not in CASE_TYPES:
        raise CaseRefused(_l("Unknown kind of request."))
    CASE_TYPES[type_code].eligibility.check(organisation, details)
    today = center_today()
    case = Case(reference=next_reference(today), case_type=type_code, organisation=organisation,
                submitter=submitter, **details)
    overall = overall_deadline_days(case.workflow, case.patent_kind)
    if overall is not None:
        case.external_deadline = add_working_days(today, overall)
    db.session.add(case)
    _enter_stage(case, case.workflow.initial_stage, today)
    event = _record(case, submitter, files, kind=EventKind.SUBMITTED, to_stage=case.stage, public=True)
    db.session.flush()
    notify(_queue_watchers(case), "case_submitted", case, event, submitter)
    return case


def submit_once(organisation, submitter: User, type_code: str, details: dict, files, token: str) -> tuple[Case, bool]:
    """`submit_case` for a request form sent with its one-time token: sent again (back and submit, a double
    click), it makes no second case and answers with the first one. (case, whether it is new)"""
    earlier = case_submitted_with(submitter, token)
    if earlier is not None:
        return earlier, False
    try:
        return submit_case(organisation, submitter, type_code, {**details, "submission_token": token}, files), True
    except IntegrityError:  # sent twice at once: the unique token let the other request make the case
        db.session.rollback()  # and the files written for it
        earlier = case_submitted_with(submitter, token)
        if earlier is None:
            raise
        return earlier, False


def case_submitted_with(submitter: User, token: str) -> Case | None:
    return db.session.scalar(select(Case).where(Case.submission_token == token, Case.submitter_id == submitter.id))


def _record(case: Case, actor: User | None, files=(), **fields) -> CaseEvent:
    """Append an event to the case's timeline, with its files."""
    event = CaseEvent(case=case, actor=actor, **fields)
    db.session.add(event)
    for upload in files:
        store_attachment(case, event, actor, upload)
    return event


# The engine ---------------------------------------------------------------------

def available_transitions(case: Case, user) -> list[Transition]:
    """What this user may do to the case now, in the workflow's order."""
    roles = case_actors(user, case)
    return [t for t in case.workflow.transitions_from(case.stage) if t.actors & roles]


def advance_case(case: Case, action: str, actor: User, *, expected_version: int | None = None,
                 comment: str | None = None, reason: str | None = None, application_number: str | None = None,
                 patent_number: str | None = None, files=()) -> CaseEvent:
    """Perform a workflow action: check it, record it on the timeline, move the case, tell people."""
    _check_version(case, expected_version)
    return _advance(case, action, actor, case_actors(actor, case), comment=comment, reason=reason,
                    application_number=application_number, patent_number=patent_number, files=files)


# The workflow role of whoever holds a link the center gave, without an account: a complaint's respondent.
LINK_HOLDER = frozenset({Actor.RESPONDENT})


def advance_case_by_link(case: Case, action: str, *, comment: str | None = None, files=()) -> CaseEvent:
    """A step taken by the holder of a link the center gave for it (a complaint's respondent, who may have no
    account). The link is the authority, and the caller has checked it; nobody is the actor (None on the timeline,
    in the audit log and to `step_taken`'s receivers), and the step's role names who acted ("the respondent")."""
    return _advance(case, action, None, LINK_HOLDER, comment=comment, files=files)


def _advance(case: Case, action: str, actor: User | None, roles, *, comment: str | None = None,
             reason: str | None = None, application_number: str | None = None, patent_number: str | None = None,
             files=()) -> CaseEvent:
    """The step `action`, taken by `actor` holding the workflow `roles` on the case."""
    transition = case.workflow.transition(action)
    if transition is None or case.stage not in case.workflow.sources_of(transition):
        raise CaseRefused(_l("This action is not possible while the case is at the stage “%(stage)s”.",
                             stage=case.current_stage.name))
    if not transition.actors & roles:
        record_failure("access.denied", "case", case.reference, actor=actor,
                       after={"permission": f"workflow action {action}", "stage": case.stage})
        raise ActionForbidden(_l("You may not perform this action on this case."))
    if transition.after_due and not case.deadline_passed:
        raise CaseRefused(_l("Not before the deadline has passed: the answer may still come."))
    documents = replies(step_documents.send(case, needed=transition.required))
    inputs = _validated_inputs(transition, comment=comment, reason=reason, application_number=application_number,
                               patent_number=patent_number, files=files, documents=documents)
    files = [*files, *documents]
    from_stage, old_post_id = case.stage, case.post_id
    resuming = transition.target == RESUME
    target = case.resume_stage if resuming else transition.target
    if target is None:  # resuming needs the stage it left, which entering the waiting stage kept
        raise CaseRefused(_l("This case does not know which stage to return to; ask a manager."))
    event = _record(case, actor, files, kind=EventKind.TRANSITION, action=action, from_stage=from_stage,
                    to_stage=target, comment=inputs.get("comment") or inputs.get("reason"),
                    detail=inputs.get("application_number") or inputs.get("patent_number"), public=True)
    _record_inputs(case, transition, inputs)
    _enter_stage(case, target, center_today(), resuming=resuming, keep_clock=transition.keeps_clock)
    _flush(case)
    recount_stints([case.id])
    record("case.transition", "case", case.reference, actor=actor, before={"stage": from_stage},
           after={"stage": target, "action": action, "outcome": case.outcome, "event_id": event.id})
    step_taken.send(case, event=event, actor=actor)  # the documents the step issues (notices), in its transaction
    _announce_transition(case, event, actor, entered_queue=case.post_id != old_post_id)
    if not case.is_open and case.delegated_unit is not None:
        _end_delegation(case, actor)  # a closed case is nobody's work
    return event


def _check_version(case: Case, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != case.version:
        raise CaseChanged(_l("This case has changed since you opened it — reload the page and try again."))


def _flush(case: Case) -> None:
    try:
        db.session.flush()
    except StaleDataError:
        raise CaseChanged(_l("This case has changed since you opened it — reload the page and try again.")) from None


def _validated_inputs(transition: Transition, *, files, documents, **given) -> dict:
    values = {key: (value or "").strip() for key, value in given.items()}
    for needed in transition.required:
        if needed == Input.SEARCH_REPORT:
            if not documents:  # built by the search report's domain (signals.step_documents), if it is loaded
                raise RuntimeError("no search report document was built: the reports domain is not loaded")
        elif needed == Input.ATTACHMENT:
            if not files:
                raise CaseRefused(_l("Attach the document this step needs."), field="files")
        elif not values.get(needed.value):
            raise CaseRefused(_l("This step needs: %(what)s.", what=INPUT_LABELS[needed]), field=needed.value)
    # A Chinese patent number is its application's number: the same digits and check digit, written ZL….
    for name, prefix in (("application_number", "CN"), ("patent_number", "ZL")):
        if values.get(name):
            try:
                values[name] = prefix + normalise_cn_application_number(values[name]).removeprefix("CN")
            except InvalidApplicationNumber:
                raise CaseRefused(NUMBER_FORMATS[name], field=name) from None
    return values


NUMBER_FORMATS = {
    "application_number": _l("This is not a valid Chinese application number (e.g. 202130123456.8; the last "
                             "character is a check digit)."),
    "patent_number": _l("This is not a valid Chinese patent number (e.g. ZL202130123456.8: the application "
                        "number, whose last character is a check digit)."),
}


INPUT_LABELS = {
    Input.COMMENT: _l("a comment"), Input.REASON: _l("a reason"), Input.ATTACHMENT: _l("an attachment"),
    Input.APPLICATION_NUMBER: _l("the application number"), Input.PATENT_NUMBER: _l("the patent number"),
    Input.SEARCH_REPORT: _l("the search report"),
}


def _record_inputs(case: Case, transition: Transition, inputs: dict) -> None:
    if inputs.get("application_number"):
        case.application_number = inputs["application_number"]
    if inputs.get("patent_number"):
        case.patent_number = inputs["patent_number"]
    if transition.outcome:
        case.outcome = transition.outcome.code
    for column, value in transition.sets:
        setattr(case, column, value)


def _post_by_code(code: str | None) -> Post | None:
    if code is None:
        return None
    with db.session.no_autoflush:  # the case may not be complete yet
        post = db.session.scalar(select(Post).where(Post.code == code))
    if post is None:
        raise CaseRefused(_l("The center has not set up the post “%(code)s” yet; ask a manager.", code=code))
    return post


def _enter_stage(case: Case, target: str, today: date, resuming: bool = False, keep_clock: bool = False) -> None:
    """Move the case to a stage: its owning post, its deadline, open or closed."""
    stage = case.workflow.stage(target)
    if stage.kind.pauses_clock:
        case.resume_stage = case.stage
        case.paused_days_left = working_days_between(today, case.due_date) if case.due_date else None
    post = _post_by_code(stage.post)
    # Compared by id: `case.post_id` follows `case.post` only at the next flush.
    if (post.id if post else None) != case.post_id or not stage.kind.open:
        case.assignee = None
    case.stage = target
    case.post = post
    case.closed_at = None if stage.kind.open else utcnow()
    if not keep_clock:
        _count_due_date(case, stage, today, resuming)
    if resuming:
        case.resume_stage = case.paused_days_left = None


def _count_due_date(case: Case, stage, today: date, resuming: bool) -> None:
    """The center's deadline; where the case waits on the enterprise, the enterprise's to answer. What it was
    counted from is kept with it (`recount_deadlines`)."""
    days = None
    if stage.kind.open:
        days = case.paused_days_left if resuming and case.paused_days_left is not None \
            else stage_allowance(stage, case)
    case.due_at = None
    if isinstance(days, Hours):  # on the clock, weekends included; no calendar change moves it
        case.due_at = utcnow() + timedelta(hours=days.hours)
        case.due_counted_from = case.due_working_days = None
        case.due_date = case.due_at.astimezone(CENTER_ZONE).date()
        return
    case.due_counted_from, case.due_working_days = (today, days) if days is not None else (None, None)
    case.due_date = _counted_due_date(case)


def _counted_due_date(case: Case) -> date | None:
    if case.due_counted_from is None or case.due_working_days is None:
        return None
    due = add_working_days(case.due_counted_from, case.due_working_days)
    if case.external_deadline and case.external_deadline < due:
        return case.external_deadline  # an overseas exhibition does not wait for the center
    return due


def recount_deadlines(first: date, last: date, actor: User | None) -> dict[str, tuple[date, date]]:
    """After the working calendar changed between `first` and `last`: the due dates of open cases counted across
    those days, counted again as they were first counted; each case whose due date moved says so on its timeline,
    to the enterprise too (it reads the due date on its case). {reference: (old, new)}"""
    counted_across = select(Case).where(Case.closed_at.is_(None), Case.due_date >= first,
                                        Case.due_counted_from <= last).order_by(Case.id)
    moved = {}
    for case in db.session.scalars(counted_across):
        old, new = case.due_date, _counted_due_date(case)
        if old is None or new is None or new == old:
            continue
        _record(case, actor, kind=EventKind.DEADLINE_MOVED, detail=f"{old.isoformat()} → {new.isoformat()}",
                public=True)
        case.due_date = new
        moved[case.reference] = (old, new)
        _flush(case)  # a case someone changed meanwhile refuses the whole change: nothing is half recounted
    return moved


def _post_members(case: Case) -> list[User]:
    return list(case.post.members) if case.post else []


def _queue_watchers(case: Case) -> list[User]:
    """Who hears of a case in a post's queue: the post's staff. Managers see every queue and would hear of
    every move, so they hear only for a post that no staff member works."""
    members = _post_members(case)
    return [user for user in members if user.role == Role.STAFF] or members


def _case_workers(case: Case) -> list[User]:
    """Who at the center hears about the case: its assignee, or else its post."""
    return [case.assignee] if case.assignee else _queue_watchers(case)


def _enterprise_users(case: Case) -> list[User]:
    return list(case.organisation.users)


def _announce_transition(case: Case, event: CaseEvent, actor: User | None, entered_queue: bool) -> None:
    """The enterprise hears of every step; a post when the case newly enters its queue; whoever works the
    case when someone outside the center acted (the enterprise, a unit, a respondent: through its link, nobody)."""
    notify(_enterprise_users(case), "stage_changed", case, event, actor)
    if entered_queue and case.is_open:
        notify(_queue_watchers(case), "entered_queue", case, event, actor)
    elif actor is None or actor.role in (Role.ENTERPRISE, Role.UNIT_REPORTER):
        notify(_case_workers(case), "stage_changed", case, event, actor)


# Assignment, delegation, notes, reports --------------------------------------------

def may_be_assigned(user: User, case: Case) -> bool:
    return user.active and can(user, "case.work", case)


def assignable_colleagues(case: Case) -> list[User]:
    """Who the case may be given to: the owning post's staff and the managers."""
    on_post = User.posts.any(Post.id == case.post_id) if case.post_id else false()
    candidates = db.session.scalars(select(User).where(or_(User.role == Role.MANAGER, on_post))
                                    .options(joinedload(User.posts))).unique()  # may_be_assigned reads them
    return sorted((u for u in candidates if may_be_assigned(u, case)), key=lambda u: u.display_name)


def assign_case(case: Case, assignee: User | None, actor: User, expected_version: int | None = None) -> CaseEvent:
    """Give the case to a colleague of the owning post (or to oneself: claiming); None unassigns."""
    _check_version(case, expected_version)
    if not case.is_open:
        raise CaseRefused(_l("A closed case cannot be assigned."))
    if assignee is not None and not may_be_assigned(assignee, case):
        raise CaseRefused(_l("%(name)s is not on the post that owns this stage.", name=assignee.display_name))
    if assignee == case.assignee:  # nothing to record, nobody to tell
        raise CaseRefused(_already_assigned(assignee, actor))
    before = {"assignee_id": case.assignee.id if case.assignee else None}
    case.assignee = assignee
    event = _record(case, actor, kind=EventKind.ASSIGNED, subject_user=assignee, public=False)
    _flush(case)
    record("case.assigned", "case", case.reference, actor=actor, before=before,
           after={"assignee_id": assignee.id if assignee else None})
    if assignee is not None:
        notify([assignee], "assigned", case, event, actor)
    return event


def _already_assigned(assignee: User | None, actor: User):
    if assignee is None:
        return _l("The case is not assigned to anyone.")
    if assignee == actor:
        return _l("The case is yours already.")
    return _l("The case is assigned to %(name)s already.", name=assignee.display_name)


def delegate_case(case: Case, unit, actor: User, comment: str | None = None,
                  expected_version: int | None = None) -> CaseEvent:
    """Hand part of the work to a demonstration unit, whose reporters then see the case."""
    _check_version(case, expected_version)
    if not case.is_open:
        raise CaseRefused(_l("A closed case cannot be delegated."))
    if not unit.active:
        raise CaseRefused(_l("This unit is not active."))
    before = {"unit_id": case.delegated_unit.id if case.delegated_unit else None}
    case.delegated_unit = unit
    event = _record(case, actor, kind=EventKind.DELEGATED, unit=unit, comment=comment or None, public=False)
    _flush(case)
    record("case.delegated", "case", case.reference, actor=actor, before=before, after={"unit_id": unit.id})
    notify(unit.reporters, "delegated", case, event, actor)
    return event


def end_delegation(case: Case, actor: User, expected_version: int | None = None) -> CaseEvent:
    _check_version(case, expected_version)
    if case.delegated_unit is None:
        raise CaseRefused(_l("This case is not delegated."))
    return _end_delegation(case, actor)


def _end_delegation(case: Case, actor: User | None) -> CaseEvent:
    """The unit's work on the case ends: it hears so, and no longer sees the case."""
    unit = case.delegated_unit
    assert unit is not None, "ended a delegation the case does not have"
    event = _record(case, actor, kind=EventKind.DELEGATION_ENDED, unit=unit, public=False)
    case.delegated_unit = None
    _flush(case)
    record("case.delegation_ended", "case", case.reference, actor=actor, before={"unit_id": unit.id},
           after={"unit_id": None})
    notify(unit.reporters, "delegation_ended", case, event, actor)
    return event


def add_note(case: Case, actor: User, comment: str, files=()) -> CaseEvent:
    """An internal note: seen by the center only."""
    if not (comment or "").strip():
        raise CaseRefused(_l("Write the note first."))
    event = _record(case, actor, files, kind=EventKind.NOTE, comment=comment.strip(), public=False)
    db.session.flush()
    record("case.note", "case", case.reference, actor=actor, after={"event_id": event.id})
    return event


def report_progress(case: Case, reporter: User, percent: int, note: str, files=()) -> CaseEvent:
    """A demonstration unit's progress report; the center (and the unit) see it."""
    if not 0 <= percent <= 100:
        raise CaseRefused(_l("Progress is a percentage from 0 to 100."))
    if not (note or "").strip():
        raise CaseRefused(_l("Say what has been done."))
    event = _record(case, reporter, files, kind=EventKind.PROGRESS_REPORT, percent=percent, comment=note.strip(),
                    unit=reporter.unit, public=False)
    db.session.flush()
    notify(_case_workers(case), "unit_report", case, event, reporter)
    return event


# Reminders (cron) -------------------------------------------------------------------

def send_reminders(today: date) -> dict[str, int]:
    """Remind the assignee and the owning post of cases due within a working day and of overdue ones (where
    the center, not the enterprise, is to act); escalate each overdue case to the managers once."""
    tomorrow = add_working_days(today, 1)
    open_cases = select(Case).where(Case.closed_at.is_(None), Case.is_center_work,
                                    Case.due_date.is_not(None),
                                    (Case.reminded_on.is_(None)) | (Case.reminded_on < today))
    counts = {"due_soon": 0, "overdue": 0, "escalated": 0}
    managers = list(db.session.scalars(select(User).where(User.role == Role.MANAGER, User.active.is_(True))))
    for case in db.session.scalars(open_cases.where(Case.due_date <= tomorrow).order_by(Case.due_date, Case.id)).all():
        overdue = case.due_date is not None and case.due_date < today  # the query asked for dated cases
        notify([case.assignee, *_queue_watchers(case)], "overdue" if overdue else "due_soon", case)
        counts["overdue" if overdue else "due_soon"] += 1
        changes = {"reminded_on": today}
        if overdue and case.escalated_on is None:
            event = _record(case, None, kind=EventKind.ESCALATED, public=False)
            notify(managers, "escalated", case, event)
            changes["escalated_on"] = today
            counts["escalated"] += 1
        # A plain UPDATE: a reminder must not make open forms on the case stale.
        db.session.execute(update(Case).where(Case.id == case.id).values(**changes)
                           .execution_options(synchronize_session=False))
    db.session.flush()
    return counts


# Several cases at once ------------------------------------------------------------

CLAIM, ASSIGN = "claim", "assign"


def bulk_actions() -> dict[str, object]:
    """What staff may do to a selection of cases: claim them, assign them, and each workflow action that asks
    nothing of a case (not even a comment), by its label."""
    actions: dict[str, object] = {CLAIM: _l("Claim them"), ASSIGN: _l("Assign them to…")}
    for case_type in CASE_TYPES.values():
        for transition in case_type.transitions:
            if Actor.POST in transition.actors and not transition.required:
                actions.setdefault(transition.action, transition.label)
    return actions


@dataclass
class BulkOutcome:
    done: list[str] = field(default_factory=list)  # references
    refused: list[tuple[str, str]] = field(default_factory=list)  # reference, and why


def act_on_cases(references: list[str], action: str, actor: User, assignee: User | None = None) -> BulkOutcome:
    """Do `action` to each case, in a transaction of its own and checked as if it were done to that case alone:
    a case refused leaves the others done, and says why."""
    outcome = BulkOutcome()
    for reference in dict.fromkeys(references):
        case = db.session.scalar(select(Case).where(Case.reference == reference))
        try:
            _act_on_case(case, reference, action, actor, assignee)
        except (CaseRefused, UploadRefused) as refusal:
            db.session.rollback()
            discard_queued_mail()
            outcome.refused.append((reference, str(refusal)))
        else:
            db.session.commit()
            write_queued_mail()
            outcome.done.append(reference)
    return outcome


def _act_on_case(case: Case | None, reference: str, action: str, actor: User, assignee: User | None) -> None:
    if case is None or not can(actor, "case.view", case):
        raise CaseRefused(_l("There is no case %(reference)s.", reference=reference))
    if action not in (CLAIM, ASSIGN):
        advance_case(case, action, actor)
    elif case.is_open and not can(actor, "case.work", case):  # a closed case: assign_case says so
        record_failure("access.denied", "case", case.reference, actor=actor, after={"permission": "case.work"})
        raise ActionForbidden(_l("Only the post that owns its stage may assign this case."))
    else:
        assign_case(case, actor if action == CLAIM else assignee, actor)
