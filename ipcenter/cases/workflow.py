"""The center's process, as data: the case types, their stages and transitions.

The engine (operations), the case page's stepper and actions, the queues, the permissions, the search report
and the workflow help page all read this module and never name a type, a stage or an action (the demo data
aside): adding a type is a change to this data only, and a migration only if its request asks for details the
cases table has no column for. The database does not list the types, as it never listed the stages.

- A stage's *kind* says what the stage is in a case's life: who is to act, whose clock runs, what may still
  happen (`StageKind`). The engine and the pages read the kind, never the stage's code; a new kind of stage is a
  new `StageKind`.
- A type names its request form (a form class of `forms.py`), the rule that says who may make the request
  (`rules.Eligibility`) and, if it produces a search report, where the report is written and read (`Report`).
  The form is named rather than described field by field: a form class is already the plainest declaration of
  what a request asks for and how each answer is checked, and its name says at a glance which request it is.
  The form classes and the rules import nothing of the cases' models, so this module can name them.
- A transition's outcome (what the case has achieved once it is done) carries its label; the case page reads
  it from here.
- The registry is `CASE_TYPES`, read afresh by everything that lists the types.
"""
import enum
import re
from dataclasses import KW_ONLY, dataclass
from functools import cached_property

from flask_babel import lazy_gettext as _l

from .forms import (
    ComplaintForm,
    ConsultationRequestForm,
    FastPreExaminationForm,
    ForeignAssistanceForm,
    PatentRequestForm,
    RetrievalRequestForm,
)
from .rules import EVERY_ENTERPRISE, ClassScope, Eligibility


class Actor(enum.Enum):
    """Who may perform a transition."""

    ENTERPRISE = "enterprise"  # a user of the case's organisation
    POST = "post"  # staff of the post that owns the current stage (managers always may too)
    UNIT = "unit"  # a reporter of the demonstration unit the case is delegated to
    RESPONDENT = "respondent"  # the party a complaint is against: through its link, or its own enterprise's users


ACTOR_LABELS = {Actor.ENTERPRISE: _l("the enterprise"), Actor.POST: _l("staff of the owning post"),
                Actor.UNIT: _l("the delegated unit"), Actor.RESPONDENT: _l("the respondent")}


class Input(enum.Enum):
    """What a transition asks for; `required` on the transition says which are compulsory."""

    COMMENT = "comment"
    ATTACHMENT = "attachment"
    APPLICATION_NUMBER = "application_number"
    PATENT_NUMBER = "patent_number"
    SEARCH_REPORT = "search_report"
    REASON = "reason"


class Phase(enum.Enum):
    """Request Tracker's grouping: where a stage sits in a case's life."""

    ACTIVE = "active"  # the center (or a unit) is working on it
    WAITING = "waiting"  # someone outside the center is to act
    CLOSED = "closed"  # finished; only a follow-up reopens it


@dataclass(frozen=True)
class StageKind:
    """What a stage is in a case's life, as the engine, the deadlines and the pages treat it."""

    phase: Phase
    # The case is still being worked: the center may ask for materials, the enterprise may withdraw.
    under_way: bool = False
    # The due date is the center's own deadline: only at such a stage is a case ever overdue or reminded of.
    center_deadline: bool = False
    # The enterprise is asked something: the case page puts the question first, the due date is its to answer.
    asks_enterprise: bool = False
    # The center's clock stops; once the enterprise answers, the case returns where it was with the days it had.
    pauses_clock: bool = False
    # The result is in (granted, refused, the report or the answer delivered): only closing, or a follow-up
    # question where the type has one, remains.
    finished: bool = False

    @property
    def open(self) -> bool:
        return self.phase != Phase.CLOSED


@dataclass(frozen=True)
class Hours:
    """An allowance counted on the clock, weekends and holidays included (a trade fair does not wait)."""

    hours: int


# The center (or the unit it delegated to) works on the case, to the center's deadline.
CENTER_WORK = StageKind(Phase.ACTIVE, under_way=True, center_deadline=True)
# The enterprise is to answer (confirm a draft, answer corrections) by a date of its own.
ENTERPRISE_ANSWER = StageKind(Phase.WAITING, under_way=True, asks_enterprise=True)
# The center asked for materials: its clock paused. Not under way: the request is out already, and the case
# resumes, or is withdrawn, once the enterprise has answered it.
MATERIALS = StageKind(Phase.WAITING, asks_enterprise=True, pauses_clock=True)
# The result is in; the center closes the case.
RESULT = StageKind(Phase.ACTIVE, finished=True)
# The other party to a dispute (a complaint's respondent) is to answer by its own deadline.
RESPONDENT_ANSWER = StageKind(Phase.WAITING, under_way=True)
# The result is delivered to the enterprise, which may ask a follow-up question or close the case.
RESULT_DELIVERED = StageKind(Phase.WAITING, finished=True)
ENDED = StageKind(Phase.CLOSED)


# Where a transition leads when it returns to the stage the case was in before.
RESUME = "<resume>"
# The sources of a transition possible at every stage whose kind is under way (see CaseType.sources_of).
UNDER_WAY = "*under_way"


@dataclass(frozen=True)
class Stage:
    code: str
    name: object  # a lazy translated string
    _: KW_ONLY
    kind: StageKind = CENTER_WORK
    post: str | None = None  # code of the owning post; None for closed stages
    # Working days, or Hours on the clock; a dict maps the case's `allowance_by` (its patent kind, or a complaint's
    # channel) to either.
    allowance: "int | Hours | dict | None" = None
    allowance_by: str = "patent_kind"
    # At a stage that asks the enterprise: the stage as the enterprise reads it (what is asked of it).
    enterprise_name: object = None
    # A stage off the main path that the stepper marks on a step of it (corrections: on pre-examination).
    side_of: str | None = None

    def name_for(self, enterprise: bool):
        """The stage's name as this reader reads it: the enterprise reads what is asked of it, if anything."""
        return self.enterprise_name if enterprise and self.enterprise_name else self.name


@dataclass(frozen=True)
class Outcome:
    """What a case has achieved: stored on the case by the transition that achieves it."""

    code: str
    label: object


@dataclass(frozen=True, kw_only=True)
class Transition:
    action: str
    label: object
    sources: tuple[str, ...]  # stage codes, or (UNDER_WAY,) for every stage where the case is still being worked
    target: str  # a stage code, or RESUME
    actors: frozenset[Actor]
    # How a notification reports it: what happened, not what to do. %(actor)s acted on %(case)s (its reference
    # and title); %(detail)s is the number recorded.
    news: object
    inputs: tuple[Input, ...] = ()
    required: tuple[Input, ...] = ()
    style: str = "primary"  # the button's colour on the case page
    outcome: Outcome | None = None
    sets: tuple[tuple[str, str], ...] = ()  # (column, value) the step records on the case: an assessment's finding
    keeps_clock: bool = False  # a step within the stage (a mediation session): the deadline stays as it was
    after_due: bool = False  # possible only once the stage's deadline has passed (no answer by the deadline)


@dataclass(frozen=True)
class Report:
    """The search report a type produces: written by the owning post at one stage, delivered by one action
    (attached to the case as a document), read by the enterprise at the stages after."""

    written_at: str
    delivered_by: str
    read_at: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class CaseType:
    code: str
    name: object
    description: object
    request_form: type  # the form an enterprise fills in (forms.RequestForm); its fields are the case's columns
    eligibility: Eligibility = EVERY_ENTERPRISE
    stages: tuple[Stage, ...]
    transitions: tuple[Transition, ...]
    main_path: tuple[str, ...]  # the stepper: the stages of a case that goes well
    initial_stage: str
    report: Report | None = None
    # Working days from submission to the whole case's deadline (a dict: by patent kind), which no stage's due date
    # passes: the national targets for settling a complaint.
    overall_deadline: int | dict | None = None

    def __post_init__(self):
        """Every stage the type names is one of its own: a mistyped code fails here, not on a case."""
        named = {*self.main_path, self.initial_stage, *(stage.side_of for stage in self.stages if stage.side_of),
                 *(t.target for t in self.transitions if t.target != RESUME),
                 *(source for t in self.transitions for source in t.sources if source != UNDER_WAY)}
        if self.report is not None:
            named |= {self.report.written_at, *self.report.read_at}
        unknown = named - {stage.code for stage in self.stages}
        if unknown:
            raise ValueError(f"{self.code} names stages it does not have: {', '.join(sorted(unknown))}")

    def stage(self, code: str) -> Stage:
        return self._stages[code]

    # Derived once per type: the case pages ask for stages many times per row.
    @cached_property
    def _stages(self) -> dict[str, Stage]:
        return {stage.code: stage for stage in self.stages}

    @cached_property
    def _under_way_codes(self) -> frozenset[str]:
        return frozenset(stage.code for stage in self.stages if stage.kind.under_way)

    def transitions_from(self, stage_code: str) -> list[Transition]:
        return [t for t in self.transitions if stage_code in self.sources_of(t)]

    def sources_of(self, transition: Transition) -> set[str]:
        if transition.sources == (UNDER_WAY,):
            return set(self._under_way_codes)
        return set(transition.sources)

    def transition(self, action: str) -> Transition | None:
        return next((t for t in self.transitions if t.action == action), None)

    @cached_property
    def _outcome_labels(self) -> dict[str, object]:
        return {t.outcome.code: t.outcome.label for t in self.transitions if t.outcome}

    def outcome_label(self, code: str):
        return self._outcome_labels[code]

    @cached_property
    def rated_endings(self) -> frozenset[str]:
        """The endings after which the enterprise is asked how satisfied it is (1 to 5, once per case).

        Every ending but the enterprise's own withdrawal. A case closed with its result is asked, and so is one the
        center did not accept: a refused enterprise's opinion is the one a center rated on this figure most needs
        to hear. A request the enterprise called off itself while it was still being worked got no service to
        judge, and it gave its reason when it withdrew. Read from the transitions, so that every type's endings
        are sorted alike: an ending only the enterprise leads to, only from stages still under way, is a
        withdrawal."""
        return frozenset(stage.code for stage in self.stages if not stage.kind.open and not self._called_off(stage))

    def _called_off(self, ending: Stage) -> bool:
        leading = [t for t in self.transitions if t.target == ending.code]
        return bool(leading) and all(
            t.actors == {Actor.ENTERPRISE} and all(self.stage(code).kind.under_way for code in self.sources_of(t))
            for t in leading)

    @cached_property
    def respondent_stages(self) -> frozenset[str]:
        """The stages where the other party of a dispute (a complaint's respondent) is to act: a case that is, or
        has been, at one has told its respondent of itself. None for a type without a respondent."""
        return frozenset(source for t in self.transitions if Actor.RESPONDENT in t.actors
                         for source in self.sources_of(t))

    def report_delivered(self, stage: str, outcome: str | None) -> bool:
        """The enterprise may read the report: it was delivered, and has not been sent back for revision since."""
        report = self.report
        delivery = self.transition(report.delivered_by) if report else None
        return bool(report and delivery and delivery.outcome and stage in report.read_at
                    and outcome == delivery.outcome.code)


STAFF = frozenset({Actor.POST})
ENTERPRISE = frozenset({Actor.ENTERPRISE})
STAFF_OR_UNIT = frozenset({Actor.POST, Actor.UNIT})

# Side states every type has.
AWAITING_MATERIALS = "awaiting_materials"
NOT_ACCEPTED = "not_accepted"
WITHDRAWN = "withdrawn"
CLOSED = "closed"
MATERIALS_DAYS = 10  # working days an enterprise has to send requested materials


def _side_stages(post: str) -> tuple[Stage, ...]:
    return (
        # The due date is the enterprise's, to send the materials.
        Stage(AWAITING_MATERIALS, _l("Awaiting materials"), kind=MATERIALS, post=post, allowance=MATERIALS_DAYS,
              enterprise_name=_l("Awaiting your materials")),
        Stage(NOT_ACCEPTED, _l("Not accepted"), kind=ENDED),
        Stage(WITHDRAWN, _l("Withdrawn"), kind=ENDED),
        Stage(CLOSED, _l("Closed"), kind=ENDED),
    )


def _side_transitions(first_stages: tuple[str, ...], reopen_stage: str) -> tuple[Transition, ...]:
    return (
        Transition(action="request_materials", label=_l("Request materials"), sources=(UNDER_WAY,),
                   target=AWAITING_MATERIALS, actors=STAFF, inputs=(Input.COMMENT, Input.ATTACHMENT),
                   required=(Input.COMMENT,), style="warning",
                   news=_l("%(actor)s asked for materials for %(case)s.")),
        Transition(action="provide_materials", label=_l("Provide the materials"), sources=(AWAITING_MATERIALS,),
                   target=RESUME, actors=ENTERPRISE, inputs=(Input.COMMENT, Input.ATTACHMENT),
                   required=(Input.COMMENT,), news=_l("%(actor)s sent the materials for %(case)s.")),
        Transition(action="not_accept", label=_l("Do not accept"), sources=first_stages, target=NOT_ACCEPTED,
                   actors=STAFF, inputs=(Input.REASON,), required=(Input.REASON,), style="danger",
                   outcome=Outcome("not_accepted", _l("Not accepted")),
                   news=_l("%(actor)s did not accept %(case)s.")),
        Transition(action="withdraw", label=_l("Withdraw the request"), sources=(UNDER_WAY,), target=WITHDRAWN,
                   actors=ENTERPRISE, inputs=(Input.REASON,), required=(Input.REASON,), style="outline-danger",
                   outcome=Outcome("withdrawn", _l("Withdrawn")), news=_l("%(actor)s withdrew %(case)s.")),
        Transition(action="follow_up", label=_l("Follow up (reopen)"), sources=(CLOSED,), target=reopen_stage,
                   actors=ENTERPRISE, inputs=(Input.COMMENT, Input.ATTACHMENT), required=(Input.COMMENT,),
                   style="outline-primary", news=_l("%(actor)s reopened %(case)s with a follow-up.")),
    )


def _accept(source: str, target: str) -> Transition:
    """The post takes the request up: the same words in every type that has an intake of its own."""
    return Transition(action="accept", label=_l("Accept"), sources=(source,), target=target, actors=STAFF,
                      inputs=(Input.COMMENT,), news=_l("%(actor)s accepted %(case)s."))


def _close(*sources: str, actors: frozenset[Actor] = STAFF) -> Transition:
    """Closing a case whose result is in (by the post, or where the type says also by the enterprise)."""
    return Transition(action="close", label=_l("Close the case"), sources=sources, target=CLOSED, actors=actors,
                      inputs=(Input.COMMENT,), style="secondary", news=_l("%(actor)s closed %(case)s."))


def _corrections_stage(post: str, side_of: str) -> Stage:
    """The enterprise is asked to correct its request; the stepper marks it on the step it came from."""
    return Stage("corrections_requested", _l("Corrections requested"), kind=ENTERPRISE_ANSWER, post=post,
                 allowance=5, enterprise_name=_l("Corrections requested from you"), side_of=side_of)


def _corrections(at: str) -> tuple[Transition, Transition]:
    """The post asks for corrections at a stage; the enterprise's answer brings the case back to it."""
    return (
        Transition(action="request_corrections", label=_l("Request corrections"), sources=(at,),
                   target="corrections_requested", actors=STAFF, inputs=(Input.COMMENT, Input.ATTACHMENT),
                   required=(Input.COMMENT,), style="warning",
                   news=_l("%(actor)s requested corrections to %(case)s.")),
        Transition(action="answer_corrections", label=_l("Answer the correction request"),
                   sources=("corrections_requested",), target=at, actors=ENTERPRISE,
                   inputs=(Input.COMMENT, Input.ATTACHMENT), required=(Input.COMMENT,),
                   news=_l("%(actor)s answered the correction request on %(case)s.")),
    )


def _patent_office_decision(awaited_at: str) -> tuple[Transition, ...]:
    """The patent office's decision on an application, recorded by the post that awaited it; then closing."""
    return (
        Transition(action="record_grant", label=_l("Record the grant"), sources=(awaited_at,), target="granted",
                   actors=STAFF, inputs=(Input.PATENT_NUMBER, Input.COMMENT, Input.ATTACHMENT),
                   required=(Input.PATENT_NUMBER,), style="success", outcome=Outcome("granted", _l("Granted")),
                   news=_l("Grant recorded: %(detail)s, %(case)s.")),
        Transition(action="record_refusal", label=_l("Record the refusal"), sources=(awaited_at,), target="refused",
                   actors=STAFF, inputs=(Input.REASON, Input.ATTACHMENT), required=(Input.REASON,), style="danger",
                   outcome=Outcome("refused", _l("Refused")), news=_l("Refusal recorded: %(case)s.")),
        _close("granted", "refused"),
    )


# Expected grant times through the fast channel, by patent kind: a design patent in days.
FAST_CHANNEL_GRANT = {"design": 10, "utility_model": 22, "invention": 66}
EXAMINATION_DAYS = {"design": 66, "utility_model": 130, "invention": 390}

PATENT_FILING = CaseType(
    code="patent_filing",
    name=_l("Patent filing"),
    description=_l("Help to prepare and file an invention, utility-model or design application."),
    request_form=PatentRequestForm,
    stages=(
        Stage("intake", _l("Intake"), post="intake", allowance=2),
        Stage("drafting", _l("Drafting"), post="filing", allowance=15),
        Stage("draft_confirmation", _l("Draft awaiting confirmation"), kind=ENTERPRISE_ANSWER, post="filing",
              allowance=5, enterprise_name=_l("Awaiting your confirmation of the draft")),
        Stage("filing", _l("Filing"), post="filing", allowance=3),
        Stage("under_examination", _l("Under examination"), post="filing", allowance=EXAMINATION_DAYS),
        Stage("granted", _l("Granted"), kind=RESULT, post="filing", allowance=3),
        Stage("refused", _l("Refused"), kind=RESULT, post="filing", allowance=3),
    ) + _side_stages("filing"),
    transitions=(
        _accept("intake", "drafting"),
        Transition(action="submit_draft", label=_l("Submit the draft"), sources=("drafting",),
                   target="draft_confirmation", actors=STAFF_OR_UNIT, inputs=(Input.COMMENT, Input.ATTACHMENT),
                   required=(Input.ATTACHMENT,),
                   news=_l("%(actor)s submitted the draft of %(case)s for your confirmation.")),
        Transition(action="confirm_draft", label=_l("Confirm the draft"), sources=("draft_confirmation",),
                   target="filing", actors=ENTERPRISE, inputs=(Input.COMMENT,), style="success",
                   news=_l("%(actor)s confirmed the draft of %(case)s.")),
        Transition(action="request_draft_changes", label=_l("Ask for changes to the draft"),
                   sources=("draft_confirmation",), target="drafting", actors=ENTERPRISE,
                   inputs=(Input.COMMENT, Input.ATTACHMENT), required=(Input.COMMENT,), style="outline-secondary",
                   news=_l("%(actor)s asked for changes to the draft of %(case)s.")),
        Transition(action="record_filing", label=_l("Record the filing"), sources=("filing",),
                   target="under_examination", actors=STAFF,
                   inputs=(Input.APPLICATION_NUMBER, Input.COMMENT, Input.ATTACHMENT),
                   required=(Input.APPLICATION_NUMBER,),
                   news=_l("Filing recorded: application %(detail)s, %(case)s.")),
    ) + _patent_office_decision(awaited_at="under_examination")
      + _side_transitions(first_stages=("intake",), reopen_stage="intake"),
    main_path=("intake", "drafting", "draft_confirmation", "filing", "under_examination", "granted", CLOSED),
    initial_stage="intake",
)

# The fast channel is for recorded enterprises, and for lighting: Locarno class 26 and the lighting IPC groups.
LIGHTING = ClassScope(
    pattern=re.compile(r"(LOC\s*\(\d+\)\s*CL\.?\s*)?26([-.]\d{2})?|F21[A-Z]?(\s*\d{1,4}/\d{1,6})?|"
                       r"H05B\s*4[57]/\d{1,6}", re.IGNORECASE),
    refusal=_l("Not a lighting class: %(classes)s. The fast pre-examination channel covers lighting products only: "
               "Locarno class 26 (e.g. 26-05) or the lighting IPC groups (e.g. F21V, F21S, H05B 45/00)."),
)
FAST_CHANNEL = Eligibility(
    recorded_only=True,
    refusal=_l("Only enterprises recorded with the center may use the fast pre-examination channel. Your "
               "enterprise is %(status)s."),
    classes=LIGHTING,
)

FAST_PRE_EXAMINATION = CaseType(
    code="fast_pre_examination",
    name=_l("Fast pre-examination and authorization"),
    description=_l("The rapid channel to a granted patent, for recorded lighting enterprises."),
    request_form=FastPreExaminationForm,
    eligibility=FAST_CHANNEL,
    stages=(
        Stage("intake", _l("Intake"), post="intake", allowance=1),
        Stage("pre_examination", _l("Pre-examination"), post="pre_examination", allowance=3),
        _corrections_stage(post="pre_examination", side_of="pre_examination"),
        Stage("passed", _l("Passed pre-examination"), post="pre_examination", allowance=1),
        Stage("forwarded", _l("Forwarded to the patent office"), post="pre_examination",
              allowance=FAST_CHANNEL_GRANT),
        Stage("granted", _l("Granted"), kind=RESULT, post="pre_examination", allowance=2),
        Stage("refused", _l("Refused"), kind=RESULT, post="pre_examination", allowance=2),
    ) + _side_stages("pre_examination"),
    transitions=(
        _accept("intake", "pre_examination"),
        *_corrections(at="pre_examination"),
        Transition(action="pass", label=_l("Pass pre-examination"), sources=("pre_examination",), target="passed",
                   actors=STAFF, inputs=(Input.COMMENT,), style="success",
                   outcome=Outcome("passed_pre_examination", _l("Passed pre-examination")),
                   news=_l("%(case)s passed pre-examination.")),
        Transition(action="forward", label=_l("Forward to the patent office"), sources=("passed",),
                   target="forwarded", actors=STAFF, inputs=(Input.APPLICATION_NUMBER, Input.COMMENT),
                   required=(Input.APPLICATION_NUMBER,),
                   news=_l("Forwarded to the patent office: application %(detail)s, %(case)s.")),
    ) + _patent_office_decision(awaited_at="forwarded")
      + _side_transitions(first_stages=("intake", "pre_examination"), reopen_stage="pre_examination"),
    main_path=("intake", "pre_examination", "passed", "forwarded", "granted", CLOSED),
    initial_stage="intake",
)

def _after_delivery(delivered_at: str, questions_to: str) -> tuple[Transition, ...]:
    """Once the result is delivered, the enterprise may ask a follow-up question; either side may close."""
    return (
        Transition(action="ask_question", label=_l("Ask a follow-up question"), sources=(delivered_at,),
                   target=questions_to, actors=ENTERPRISE, inputs=(Input.COMMENT, Input.ATTACHMENT),
                   required=(Input.COMMENT,), style="outline-primary",
                   news=_l("%(actor)s asked a follow-up question on %(case)s.")),
        _close(delivered_at, actors=frozenset({Actor.POST, Actor.ENTERPRISE})),
    )


FAST_RETRIEVAL = CaseType(
    code="fast_retrieval",
    name=_l("Fast retrieval"),
    description=_l("A patent search: novelty, infringement risk or freedom to operate."),
    request_form=RetrievalRequestForm,
    stages=(
        Stage("intake", _l("Intake"), post="intake", allowance=1),
        Stage("searching", _l("Searching"), post="retrieval", allowance=5),
        Stage("report_delivered", _l("Search report delivered"), kind=RESULT_DELIVERED, post="retrieval",
              allowance=5),
    ) + _side_stages("retrieval"),
    transitions=(
        _accept("intake", "searching"),
        Transition(action="deliver_report", label=_l("Deliver the search report"), sources=("searching",),
                   target="report_delivered", actors=STAFF, inputs=(Input.SEARCH_REPORT, Input.COMMENT),
                   required=(Input.SEARCH_REPORT,), style="success",
                   outcome=Outcome("report_delivered", _l("Search report delivered")),
                   news=_l("%(actor)s delivered the search report of %(case)s.")),
    ) + _after_delivery(delivered_at="report_delivered", questions_to="searching")
      + _side_transitions(first_stages=("intake",), reopen_stage="searching"),
    main_path=("intake", "searching", "report_delivered", CLOSED),
    initial_stage="intake",
    report=Report(written_at="searching", delivered_by="deliver_report", read_at=("report_delivered", CLOSED)),
)

CONSULTATION = CaseType(
    code="consultation",
    name=_l("Consultation"),
    description=_l("A question about intellectual property, answered in writing."),
    request_form=ConsultationRequestForm,
    stages=(
        Stage("answering", _l("Answering"), post="consultation", allowance=3),
        Stage("answered", _l("Answered"), kind=RESULT_DELIVERED, post="consultation", allowance=5),
    ) + _side_stages("consultation"),
    transitions=(
        Transition(action="answer", label=_l("Answer"), sources=("answering",), target="answered", actors=STAFF,
                   inputs=(Input.COMMENT, Input.ATTACHMENT), required=(Input.COMMENT,), style="success",
                   outcome=Outcome("answered", _l("Answered")), news=_l("%(actor)s answered %(case)s.")),
    ) + _after_delivery(delivered_at="answered", questions_to="answering")
      + _side_transitions(first_stages=("answering",), reopen_stage="answering"),
    main_path=("answering", "answered", CLOSED),
    initial_stage="answering",
)

FOREIGN_ASSISTANCE = CaseType(
    code="foreign_assistance",
    name=_l("Foreign-related assistance"),
    description=_l("Help with an overseas matter: an exhibition, customs, a dispute abroad or overseas filing."),
    request_form=ForeignAssistanceForm,
    stages=(
        Stage("assessment", _l("Assessment"), post="foreign_assistance", allowance=3),
        Stage("planning", _l("Assistance plan"), post="foreign_assistance", allowance=5),
        Stage("in_progress", _l("Assistance under way"), post="foreign_assistance", allowance=30),
        Stage("resolved", _l("Resolved"), kind=RESULT, post="foreign_assistance", allowance=3),
    ) + _side_stages("foreign_assistance"),
    transitions=(
        _accept("assessment", "planning"),
        Transition(action="start_assistance", label=_l("Start the assistance plan"), sources=("planning",),
                   target="in_progress", actors=STAFF, inputs=(Input.COMMENT, Input.ATTACHMENT),
                   required=(Input.COMMENT,), news=_l("%(actor)s started the assistance plan of %(case)s.")),
        Transition(action="resolve", label=_l("Mark as resolved"), sources=("in_progress",), target="resolved",
                   actors=STAFF_OR_UNIT, inputs=(Input.COMMENT, Input.ATTACHMENT), required=(Input.COMMENT,),
                   style="success", outcome=Outcome("resolved", _l("Resolved")),
                   news=_l("%(actor)s marked %(case)s resolved.")),
        _close("resolved"),
    ) + _side_transitions(first_stages=("assessment",), reopen_stage="assessment"),
    main_path=("assessment", "planning", "in_progress", "resolved", CLOSED),
    initial_stage="assessment",
)

# Rapid rights protection: a maker's complaint that a competitor copies its patent. National targets: a design
# complaint settled within 10 working days, the others within 30; at a trade fair the respondent answers within
# 24 hours of the notice or the fair withdraws or covers the exhibit.
RESPONDENT_DAYS = 5  # working days a respondent outside a fair has to answer the center's notice
ASSESSORS = STAFF_OR_UNIT  # the assessment is often delegated to a law firm


def _assessment(action: str, label, finding: str, target: str, **extra) -> Transition:
    return Transition(action=action, label=label, sources=("assessment",), target=target, actors=ASSESSORS,
                      sets=(("assessment", finding),), **extra)


def _referral(action: str, label, outcome: Outcome) -> Transition:
    return Transition(action=action, label=label, sources=("assessment", "respondent_answer", "mediation"),
                      target=CLOSED, actors=STAFF, inputs=(Input.COMMENT, Input.ATTACHMENT),
                      required=(Input.COMMENT,), style="outline-danger", outcome=outcome,
                      news=_l("%(actor)s referred %(case)s."))


INFRINGEMENT_COMPLAINT = CaseType(
    code="infringement_complaint",
    name=_l("Infringement complaint"),
    description=_l("A copy of your patented product at a fair, in a shop or online: the center assesses it, "
                   "notifies the respondent, mediates, or refers the dispute."),
    request_form=ComplaintForm,
    overall_deadline={"design": 10, "utility_model": 30, "invention": 30},
    stages=(
        Stage("intake", _l("Intake"), post="rights_protection", allowance=2),
        _corrections_stage(post="rights_protection", side_of="intake"),
        Stage("assessment", _l("Infringement assessment"), post="rights_protection", allowance=3),
        Stage("respondent_notice", _l("Notifying the respondent"), post="rights_protection", allowance=1),
        Stage("respondent_answer", _l("Awaiting the respondent's answer"), kind=RESPONDENT_ANSWER,
              post="rights_protection", allowance_by="channel",
              allowance={"fair": Hours(24), "online": RESPONDENT_DAYS, "ordinary": RESPONDENT_DAYS}),
        Stage("mediation", _l("Mediation"), post="rights_protection", allowance=5),
    ) + _side_stages("rights_protection"),
    transitions=(
        _accept("intake", "assessment"),
        *_corrections(at="intake"),
        _assessment("find_infringing", _l("Assessment: infringing"), "infringing", "respondent_notice",
                    inputs=(Input.COMMENT, Input.ATTACHMENT), required=(Input.COMMENT,), style="success",
                    news=_l("%(actor)s assessed %(case)s: infringing.")),
        _assessment("find_unclear", _l("Assessment: cannot tell"), "unclear", "respondent_notice",
                    inputs=(Input.COMMENT, Input.ATTACHMENT), required=(Input.COMMENT,), style="secondary",
                    news=_l("%(actor)s could not tell from the evidence whether %(case)s is infringing.")),
        _assessment("find_not_infringing", _l("Assessment: not infringing (close)"), "not_infringing", CLOSED,
                    inputs=(Input.REASON, Input.ATTACHMENT), required=(Input.REASON,), style="outline-danger",
                    outcome=Outcome("not_infringing", _l("Not infringing")),
                    news=_l("%(actor)s assessed %(case)s: not infringing.")),
        Transition(action="notify_respondent", label=_l("Notify the respondent"), sources=("respondent_notice",),
                   target="respondent_answer", actors=STAFF, inputs=(Input.COMMENT,),
                   news=_l("%(actor)s notified the respondent of %(case)s.")),
        Transition(action="record_paper_answer", label=_l("Record an answer received on paper"),
                   sources=("respondent_answer",), target="mediation", actors=STAFF,
                   inputs=(Input.COMMENT, Input.ATTACHMENT), required=(Input.COMMENT,), style="outline-primary",
                   news=_l("%(actor)s recorded the respondent's answer to %(case)s.")),
        Transition(action="respondent_answers", label=_l("The respondent's answer"), sources=("respondent_answer",),
                   target="mediation", actors=frozenset({Actor.RESPONDENT}), inputs=(Input.COMMENT, Input.ATTACHMENT),
                   required=(Input.COMMENT,), news=_l("The respondent answered %(case)s.")),
        Transition(action="no_answer", label=_l("No answer by the deadline: request measures"),
                   sources=("respondent_answer",), target=CLOSED, actors=STAFF, after_due=True,
                   inputs=(Input.COMMENT, Input.ATTACHMENT), required=(Input.COMMENT,), style="warning",
                   outcome=Outcome("measures_requested", _l("Respondent failed to answer — measures requested")),
                   news=_l("The respondent did not answer %(case)s in time: %(actor)s requested measures.")),
        Transition(action="record_session", label=_l("Record a mediation session"), sources=("mediation",),
                   target="mediation", actors=STAFF, inputs=(Input.COMMENT, Input.ATTACHMENT),
                   required=(Input.COMMENT,), keeps_clock=True, style="outline-primary",
                   news=_l("%(actor)s recorded a mediation session on %(case)s.")),
        Transition(action="record_agreement", label=_l("Record the mediation agreement (close)"),
                   sources=("mediation",), target=CLOSED, actors=STAFF, inputs=(Input.COMMENT, Input.ATTACHMENT),
                   required=(Input.COMMENT,), style="success",
                   outcome=Outcome("settled", _l("Settled by agreement")),
                   news=_l("%(case)s was settled by agreement.")),
        _referral("refer_to_bureau", _l("Refer to the market-regulation bureau"),
                  Outcome("referred_to_bureau", _l("Referred to the market-regulation bureau"))),
        _referral("refer_to_court", _l("Refer to court"), Outcome("referred_to_court", _l("Referred to court"))),
    ) + _side_transitions(first_stages=("intake",), reopen_stage="intake"),
    main_path=("intake", "assessment", "respondent_notice", "respondent_answer", "mediation", CLOSED),
    initial_stage="intake",
)

# The registry: everything that lists the types reads it afresh (a test may add a type to it for a while).
CASE_TYPES: dict[str, CaseType] = {
    case_type.code: case_type
    for case_type in (PATENT_FILING, FAST_PRE_EXAMINATION, FAST_RETRIEVAL, CONSULTATION, FOREIGN_ASSISTANCE,
                      INFRINGEMENT_COMPLAINT)
}

# Every post that owns a stage of the center's types; the demo data and its checks read this.
OWNING_POSTS = sorted({stage.post for t in CASE_TYPES.values() for stage in t.stages if stage.post})


def case_type(code: str) -> CaseType:
    return CASE_TYPES[code]


def stage_allowance(stage: Stage, case) -> "int | Hours | None":
    """What a stage allows a case: working days, or hours; it may depend on the case (`Stage.allowance_by`)."""
    if isinstance(stage.allowance, dict):
        key = getattr(case, stage.allowance_by, None) or ""
        return stage.allowance.get(key, max(stage.allowance.values(), key=_working_days_or_more))
    return stage.allowance


def _working_days_or_more(allowance) -> float:
    return allowance if isinstance(allowance, int) else allowance.hours / 24


def overall_deadline_days(case_type: CaseType, patent_kind: str | None) -> int | None:
    deadline = case_type.overall_deadline
    if isinstance(deadline, dict):
        return deadline.get(patent_kind or "", max(deadline.values()))
    return deadline
