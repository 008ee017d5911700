"""The center's process, as data: the case types, their stages and transitions.

The engine (operations.advance_case), the case page's stepper and actions, the queues
and the workflow help page all read this module; adding a stage or a transition
needs no change anywhere else.
"""
import enum
from dataclasses import dataclass, field
from functools import cached_property

from flask_babel import lazy_gettext as _l


class Actor(enum.Enum):
    """Who may perform a transition."""

    ENTERPRISE = "enterprise"  # a user of the case's organisation
    POST = "post"  # staff of the post that owns the current stage (managers always may too)
    UNIT = "unit"  # a reporter of the demonstration unit the case is delegated to


ACTOR_LABELS = {Actor.ENTERPRISE: _l("the enterprise"), Actor.POST: _l("staff of the owning post"),
                Actor.UNIT: _l("the delegated unit")}


class Input(enum.Enum):
    """What a transition asks for; `required_inputs` on the transition says which are compulsory."""

    COMMENT = "comment"
    ATTACHMENT = "attachment"
    APPLICATION_NUMBER = "application_number"
    PATENT_NUMBER = "patent_number"
    SEARCH_REPORT = "search_report"
    REASON = "reason"


class Phase(enum.Enum):
    """Request Tracker's grouping: where a stage sits in a case's life."""

    ACTIVE = "active"  # the center (or a unit) is working on it
    WAITING = "waiting"  # the enterprise must act
    CLOSED = "closed"  # finished; only a follow-up reopens it


# Where a transition leads when it returns to the stage the case was in before.
RESUME = "<resume>"
# The sources of a transition possible at every stage where the case is under way (see CaseType.sources_of).
UNDER_WAY = "*under_way"


@dataclass(frozen=True)
class Stage:
    code: str
    name: object  # a lazy translated string
    post: str | None  # code of the owning post; None for closed stages
    allowance: int | dict | None = None  # working days; a dict maps patent kind -> days
    clock_runs: bool = True
    phase: Phase = Phase.ACTIVE
    # A side state the stepper marks on a step of the main path: what the case waits for there, as
    # the enterprise reads it (its own answer) and as the center reads it.
    asks_enterprise: object = None
    side_of: str | None = None  # the main-path step it belongs to (awaiting materials: the stage it left)
    # The result is in (granted, refused, the report or the answer delivered): only closing, or a follow-up
    # question where the type has one, remains; nothing can be withdrawn or asked for any more.
    finished: bool = False

    def name_for(self, enterprise: bool):
        """The stage's name as this reader reads it: the enterprise reads what is asked of it, if anything."""
        return self.asks_enterprise if enterprise and self.asks_enterprise else self.name


@dataclass(frozen=True)
class Transition:
    action: str
    label: object
    sources: tuple[str, ...]  # stage codes, or (UNDER_WAY,) for every stage where the case is still being worked
    target: str  # a stage code, or RESUME
    actors: frozenset[Actor]
    inputs: tuple[Input, ...] = ()
    required: tuple[Input, ...] = ()
    style: str = "primary"  # the button's colour on the case page
    outcome: str | None = None  # what the case has achieved once this is done

    @property
    def news(self):
        """How a notification reports it: what happened, not what to do."""
        return ACTION_NEWS[self.action]


@dataclass(frozen=True)
class CaseType:
    code: str
    name: object
    description: object
    stages: tuple[Stage, ...]
    transitions: tuple[Transition, ...]
    main_path: tuple[str, ...]  # the stepper: the stages of a case that goes well
    reopen_stage: str
    initial_stage: str = field(default="")

    def stage(self, code: str) -> Stage:
        return self._stages[code]

    # Derived once per type: the case pages ask for stages many times per row.
    @cached_property
    def _stages(self) -> dict[str, Stage]:
        return {stage.code: stage for stage in self.stages}

    @cached_property
    def _open_stage_codes(self) -> frozenset[str]:
        return frozenset(stage.code for stage in self.stages if stage.phase != Phase.CLOSED)

    def open_stage_codes(self) -> frozenset[str]:
        return self._open_stage_codes

    def transitions_from(self, stage_code: str) -> list[Transition]:
        return [t for t in self.transitions if stage_code in self.sources_of(t)]

    @cached_property
    def _under_way_codes(self) -> frozenset[str]:
        """Open, not finished, and not already waiting for materials."""
        return frozenset(code for code in self._open_stage_codes
                         if code != AWAITING_MATERIALS and not self.stage(code).finished)

    def sources_of(self, transition: Transition) -> set[str]:
        if transition.sources == (UNDER_WAY,):
            return set(self._under_way_codes)
        return set(transition.sources)

    def transition(self, action: str) -> Transition | None:
        return next((t for t in self.transitions if t.action == action), None)


STAFF = frozenset({Actor.POST})
ENTERPRISE = frozenset({Actor.ENTERPRISE})
STAFF_OR_UNIT = frozenset({Actor.POST, Actor.UNIT})
C, A, AN, PN, SR, R = (Input.COMMENT, Input.ATTACHMENT, Input.APPLICATION_NUMBER, Input.PATENT_NUMBER,
                       Input.SEARCH_REPORT, Input.REASON)

# Side states every type has.
AWAITING_MATERIALS = "awaiting_materials"
NOT_ACCEPTED = "not_accepted"
WITHDRAWN = "withdrawn"
CLOSED = "closed"
MATERIALS_DAYS = 10  # working days an enterprise has to send requested materials


def _side_stages(post: str) -> tuple[Stage, ...]:
    return (
        # The center's clock pauses; the due date is the enterprise's, to send the materials.
        Stage(AWAITING_MATERIALS, _l("Awaiting materials"), post, MATERIALS_DAYS, clock_runs=False,
              phase=Phase.WAITING, asks_enterprise=_l("Awaiting your materials")),
        Stage(NOT_ACCEPTED, _l("Not accepted"), None, phase=Phase.CLOSED),
        Stage(WITHDRAWN, _l("Withdrawn"), None, phase=Phase.CLOSED),
        Stage(CLOSED, _l("Closed"), None, phase=Phase.CLOSED),
    )


def _side_transitions(first_stages: tuple[str, ...], reopen_stage: str) -> tuple[Transition, ...]:
    return (
        Transition("request_materials", _l("Request materials"), (UNDER_WAY,), AWAITING_MATERIALS, STAFF,
                   (C, A), (C,), style="warning"),
        Transition("provide_materials", _l("Provide the materials"), (AWAITING_MATERIALS,), RESUME, ENTERPRISE,
                   (C, A), (C,)),
        Transition("not_accept", _l("Do not accept"), first_stages, NOT_ACCEPTED, STAFF, (R,), (R,), style="danger",
                   outcome="not_accepted"),
        Transition("withdraw", _l("Withdraw the request"), (UNDER_WAY,), WITHDRAWN, ENTERPRISE, (R,), (R,),
                   style="outline-danger", outcome="withdrawn"),
        Transition("follow_up", _l("Follow up (reopen)"), (CLOSED,), reopen_stage, ENTERPRISE, (C, A), (C,),
                   style="outline-primary"),
    )


# Expected grant times through the fast channel, by patent kind: a design patent in days.
FAST_CHANNEL_GRANT = {"design": 10, "utility_model": 22, "invention": 66}
EXAMINATION_DAYS = {"design": 66, "utility_model": 130, "invention": 390}

PATENT_FILING = CaseType(
    code="patent_filing",
    name=_l("Patent filing"),
    description=_l("Help to prepare and file an invention, utility-model or design application."),
    stages=(
        Stage("intake", _l("Intake"), "intake", 2),
        Stage("drafting", _l("Drafting"), "filing", 15),
        Stage("draft_confirmation", _l("Draft awaiting confirmation"), "filing", 5, phase=Phase.WAITING,
              asks_enterprise=_l("Awaiting your confirmation of the draft")),
        Stage("filing", _l("Filing"), "filing", 3),
        Stage("under_examination", _l("Under examination"), "filing", EXAMINATION_DAYS),
        Stage("granted", _l("Granted"), "filing", 3, finished=True),
        Stage("refused", _l("Refused"), "filing", 3, finished=True),
    ) + _side_stages("filing"),
    transitions=(
        Transition("accept", _l("Accept"), ("intake",), "drafting", STAFF, (C,)),
        Transition("submit_draft", _l("Submit the draft"), ("drafting",), "draft_confirmation", STAFF_OR_UNIT,
                   (C, A), (A,)),
        Transition("confirm_draft", _l("Confirm the draft"), ("draft_confirmation",), "filing", ENTERPRISE, (C,),
                   style="success"),
        Transition("request_draft_changes", _l("Ask for changes to the draft"), ("draft_confirmation",),
                   "drafting", ENTERPRISE, (C, A), (C,), style="outline-secondary"),
        Transition("record_filing", _l("Record the filing"), ("filing",), "under_examination", STAFF, (AN, C, A),
                   (AN,)),
        Transition("record_grant", _l("Record the grant"), ("under_examination",), "granted", STAFF, (PN, C, A),
                   (PN,), style="success", outcome="granted"),
        Transition("record_refusal", _l("Record the refusal"), ("under_examination",), "refused", STAFF, (R, A),
                   (R,), style="danger", outcome="refused"),
        Transition("close", _l("Close the case"), ("granted", "refused"), CLOSED, STAFF, (C,), style="secondary"),
    ) + _side_transitions(("intake",), "intake"),
    main_path=("intake", "drafting", "draft_confirmation", "filing", "under_examination", "granted", CLOSED),
    reopen_stage="intake",
    initial_stage="intake",
)

FAST_PRE_EXAMINATION = CaseType(
    code="fast_pre_examination",
    name=_l("Fast pre-examination and authorization"),
    description=_l("The rapid channel to a granted patent, for recorded lighting enterprises."),
    stages=(
        Stage("intake", _l("Intake"), "intake", 1),
        Stage("pre_examination", _l("Pre-examination"), "pre_examination", 3),
        Stage("corrections_requested", _l("Corrections requested"), "pre_examination", 5, phase=Phase.WAITING,
              asks_enterprise=_l("Corrections requested from you"), side_of="pre_examination"),
        Stage("passed", _l("Passed pre-examination"), "pre_examination", 1),
        Stage("forwarded", _l("Forwarded to the patent office"), "pre_examination", FAST_CHANNEL_GRANT),
        Stage("granted", _l("Granted"), "pre_examination", 2, finished=True),
        Stage("refused", _l("Refused"), "pre_examination", 2, finished=True),
    ) + _side_stages("pre_examination"),
    transitions=(
        Transition("accept", _l("Accept"), ("intake",), "pre_examination", STAFF, (C,)),
        Transition("request_corrections", _l("Request corrections"), ("pre_examination",), "corrections_requested",
                   STAFF, (C, A), (C,), style="warning"),
        Transition("answer_corrections", _l("Answer the correction request"), ("corrections_requested",),
                   "pre_examination", ENTERPRISE, (C, A), (C,)),
        Transition("pass", _l("Pass pre-examination"), ("pre_examination",), "passed", STAFF, (C,), style="success",
                   outcome="passed_pre_examination"),
        Transition("forward", _l("Forward to the patent office"), ("passed",), "forwarded", STAFF, (AN, C), (AN,)),
        Transition("record_grant", _l("Record the grant"), ("forwarded",), "granted", STAFF, (PN, C, A), (PN,),
                   style="success", outcome="granted"),
        Transition("record_refusal", _l("Record the refusal"), ("forwarded",), "refused", STAFF, (R, A), (R,),
                   style="danger", outcome="refused"),
        Transition("close", _l("Close the case"), ("granted", "refused"), CLOSED, STAFF, (C,), style="secondary"),
    ) + _side_transitions(("intake", "pre_examination"), "pre_examination"),
    main_path=("intake", "pre_examination", "passed", "forwarded", "granted", CLOSED),
    reopen_stage="pre_examination",
    initial_stage="intake",
)

FAST_RETRIEVAL = CaseType(
    code="fast_retrieval",
    name=_l("Fast retrieval"),
    description=_l("A patent search: novelty, infringement risk or freedom to operate."),
    stages=(
        Stage("intake", _l("Intake"), "intake", 1),
        Stage("searching", _l("Searching"), "retrieval", 5),
        Stage("report_delivered", _l("Search report delivered"), "retrieval", 5, phase=Phase.WAITING,
              finished=True),
    ) + _side_stages("retrieval"),
    transitions=(
        Transition("accept", _l("Accept"), ("intake",), "searching", STAFF, (C,)),
        Transition("deliver_report", _l("Deliver the search report"), ("searching",), "report_delivered", STAFF,
                   (SR, C), (SR,), style="success", outcome="report_delivered"),
        Transition("ask_question", _l("Ask a follow-up question"), ("report_delivered",), "searching", ENTERPRISE,
                   (C, A), (C,), style="outline-primary"),
        Transition("close", _l("Close the case"), ("report_delivered",), CLOSED, frozenset({Actor.POST,
                   Actor.ENTERPRISE}), (C,), style="secondary"),
    ) + _side_transitions(("intake",), "searching"),
    main_path=("intake", "searching", "report_delivered", CLOSED),
    reopen_stage="searching",
    initial_stage="intake",
)

CONSULTATION = CaseType(
    code="consultation",
    name=_l("Consultation"),
    description=_l("A question about intellectual property, answered in writing."),
    stages=(
        Stage("answering", _l("Answering"), "consultation", 3),
        Stage("answered", _l("Answered"), "consultation", 5, phase=Phase.WAITING, finished=True),
    ) + _side_stages("consultation"),
    transitions=(
        Transition("answer", _l("Answer"), ("answering",), "answered", STAFF, (C, A), (C,), style="success",
                   outcome="answered"),
        Transition("ask_question", _l("Ask a follow-up question"), ("answered",), "answering", ENTERPRISE, (C, A),
                   (C,), style="outline-primary"),
        Transition("close", _l("Close the case"), ("answered",), CLOSED, frozenset({Actor.POST, Actor.ENTERPRISE}),
                   (C,), style="secondary"),
    ) + _side_transitions(("answering",), "answering"),
    main_path=("answering", "answered", CLOSED),
    reopen_stage="answering",
    initial_stage="answering",
)

FOREIGN_ASSISTANCE = CaseType(
    code="foreign_assistance",
    name=_l("Foreign-related assistance"),
    description=_l("Help with an overseas matter: an exhibition, customs, a dispute abroad or overseas filing."),
    stages=(
        Stage("assessment", _l("Assessment"), "foreign_assistance", 3),
        Stage("planning", _l("Assistance plan"), "foreign_assistance", 5),
        Stage("in_progress", _l("Assistance under way"), "foreign_assistance", 30),
        Stage("resolved", _l("Resolved"), "foreign_assistance", 3, finished=True),
    ) + _side_stages("foreign_assistance"),
    transitions=(
        Transition("accept", _l("Accept"), ("assessment",), "planning", STAFF, (C,)),
        Transition("start_assistance", _l("Start the assistance plan"), ("planning",), "in_progress", STAFF, (C, A),
                   (C,)),
        Transition("resolve", _l("Mark as resolved"), ("in_progress",), "resolved", STAFF_OR_UNIT, (C, A), (C,),
                   style="success", outcome="resolved"),
        Transition("close", _l("Close the case"), ("resolved",), CLOSED, STAFF, (C,), style="secondary"),
    ) + _side_transitions(("assessment",), "assessment"),
    main_path=("assessment", "planning", "in_progress", "resolved", CLOSED),
    reopen_stage="assessment",
    initial_stage="assessment",
)

# Each action as news; %(actor)s acted on %(case)s (its reference and title); %(detail)s is the number recorded.
ACTION_NEWS = {
    "accept": _l("%(actor)s accepted %(case)s."),
    "submit_draft": _l("%(actor)s submitted the draft of %(case)s for your confirmation."),
    "confirm_draft": _l("%(actor)s confirmed the draft of %(case)s."),
    "request_draft_changes": _l("%(actor)s asked for changes to the draft of %(case)s."),
    "record_filing": _l("Filing recorded: application %(detail)s, %(case)s."),
    "record_grant": _l("Grant recorded: %(detail)s, %(case)s."),
    "record_refusal": _l("Refusal recorded: %(case)s."),
    "close": _l("%(actor)s closed %(case)s."),
    "request_corrections": _l("%(actor)s requested corrections to %(case)s."),
    "answer_corrections": _l("%(actor)s answered the correction request on %(case)s."),
    "pass": _l("%(case)s passed pre-examination."),
    "forward": _l("Forwarded to the patent office: application %(detail)s, %(case)s."),
    "deliver_report": _l("%(actor)s delivered the search report of %(case)s."),
    "ask_question": _l("%(actor)s asked a follow-up question on %(case)s."),
    "answer": _l("%(actor)s answered %(case)s."),
    "start_assistance": _l("%(actor)s started the assistance plan of %(case)s."),
    "resolve": _l("%(actor)s marked %(case)s resolved."),
    "request_materials": _l("%(actor)s asked for materials for %(case)s."),
    "provide_materials": _l("%(actor)s sent the materials for %(case)s."),
    "not_accept": _l("%(actor)s did not accept %(case)s."),
    "withdraw": _l("%(actor)s withdrew %(case)s."),
    "follow_up": _l("%(actor)s reopened %(case)s with a follow-up."),
}

CASE_TYPES: dict[str, CaseType] = {
    case_type.code: case_type
    for case_type in (PATENT_FILING, FAST_PRE_EXAMINATION, FAST_RETRIEVAL, CONSULTATION, FOREIGN_ASSISTANCE)
}

# Every post that owns a stage somewhere; the demo data and checks read this.
OWNING_POSTS = sorted({stage.post for t in CASE_TYPES.values() for stage in t.stages if stage.post})
# Where the center works against its own deadline: only there can a case be overdue. Elsewhere the due
# date is the enterprise's (to answer), or the result is in and the date says when the case will close.
CENTER_STAGES = frozenset(stage.code for t in CASE_TYPES.values() for stage in t.stages
                          if stage.phase == Phase.ACTIVE and not stage.finished)


def case_type(code: str) -> CaseType:
    return CASE_TYPES[code]


def stage_allowance(stage: Stage, patent_kind: str | None) -> int | None:
    """The working days a stage allows, which may depend on the kind of patent."""
    if isinstance(stage.allowance, dict):
        return stage.allowance.get(patent_kind or "", max(stage.allowance.values()))
    return stage.allowance
