"""Cases, their append-only timeline, attachments and reference numbers."""
import math
from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    DDL,
    Boolean,
    CheckConstraint,
    ColumnElement,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    and_,
    event,
    exists,
    false,
    func,
    literal_column,
    null,
    or_,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..calendar import center_today, first_provisional_year, working_days_between
from ..database import IntEnum, LabelledEnum, UTCDateTime, enum_check, utcnow
from ..extensions import Model
from ..i18n import listed_apart
from .vocabularies import (
    ASSESSMENTS,
    CHANNELS,
    CONSULTATION_TOPICS,
    FOREIGN_EVENTS,
    PATENT_KINDS,
    PATENT_STATUSES,
    REMEDIES,
    RETRIEVAL_PURPOSES,
    SATISFACTION_SCORES,
    STANDINGS,
)
from .workflow import CASE_TYPES, StageKind, case_type

if TYPE_CHECKING:
    from ..accounts.models import User
    from ..organisations.models import DemonstrationUnit, Organisation, Post


class Priority(LabelledEnum):
    LOW = 1, _l("Low")
    NORMAL = 2, _l("Normal")
    HIGH = 3, _l("High")
    URGENT = 4, _l("Urgent")


class EventKind(LabelledEnum):
    SUBMITTED = 1, _l("Submitted")
    TRANSITION = 2, _l("Stage changed")
    NOTE = 3, _l("Internal note")
    ASSIGNED = 4, _l("Assigned")
    DELEGATED = 5, _l("Delegated to a unit")
    DELEGATION_ENDED = 6, _l("Delegation ended")
    PROGRESS_REPORT = 7, _l("Progress report")
    ESCALATED = 8, _l("Escalated to the managers")
    DEADLINE_MOVED = 9, _l("Due date moved: the working calendar changed")


def stages_where(type_column, stage_column, holds: Callable[[StageKind], bool]) -> ColumnElement[bool]:
    """In a query: `stage_column` names a stage of the type in `type_column` whose kind `holds`. Two types may give
    one code two kinds: such a code is asked with the type; any other by its code alone (a case is only ever at a
    stage of its own type), in one list the database reads and estimates far faster than a condition per type."""
    held: dict[str, set[bool]] = {}
    for kind_of_case in CASE_TYPES.values():
        for stage in kind_of_case.stages:
            held.setdefault(stage.code, set()).add(bool(holds(stage.kind)))
    mixed = {code for code, answers in held.items() if len(answers) > 1}
    per_type = [and_(type_column == t.code, stage_column.in_(codes)) for t in CASE_TYPES.values()
                if (codes := [s.code for s in t.stages if s.code in mixed and holds(s.kind)])]
    return or_(stage_column.in_([code for code, answers in held.items() if answers == {True}]), *per_type)


def _in(column: str, values) -> str:
    return f"{column} IS NULL OR {column} IN ({', '.join(repr(v) for v in values)})"


OPEN = text("closed_at IS NULL")
CLOSED = text("closed_at IS NOT NULL")
UNASSIGNED = text("closed_at IS NULL AND assignee_id IS NULL")
# The finder's two texts (SEARCHED_WORDS, SEARCHED_NUMBERS below), in SQL as PostgreSQL writes them back (so that
# Alembic finds their indexes unchanged).
WORDS_SQL = "(((reference || ' ') || title) || ' ') || description"
NUMBERS_SQL = "replace((coalesce(application_number, '') || ' ') || coalesce(patent_number, ''), '.', '')"


def _searched_indexes(name: str, searched: str) -> tuple[Index, Index]:
    """On PostgreSQL, a text of the finder by its trigrams (pg_trgm: it serves `ILIKE '%fragment%'` for fragments
    of three characters or more) and by its characters (shorter fragments, such as most Chinese words)."""
    return (Index(f"ix_cases_{name}_trigrams", literal_column(f"({searched})").label(name), postgresql_using="gin",
                  postgresql_ops={name: "gin_trgm_ops"}).ddl_if(dialect="postgresql"),
            Index(f"ix_cases_{name}_characters", literal_column(f"string_to_array(lower({searched}), NULL)"),
                  postgresql_using="gin").ddl_if(dialect="postgresql"))


class Case(Model):
    __tablename__ = "cases"
    __table_args__ = (
        CheckConstraint(enum_check("priority", Priority), name="priority_known"),
        CheckConstraint(_in("patent_kind", PATENT_KINDS), name="patent_kind_known"),
        CheckConstraint(_in("retrieval_purpose", RETRIEVAL_PURPOSES), name="purpose_known"),
        CheckConstraint(_in("foreign_event", FOREIGN_EVENTS), name="foreign_event_known"),
        CheckConstraint(_in("topic", CONSULTATION_TOPICS), name="topic_known"),
        CheckConstraint(_in("channel", CHANNELS), name="channel_known"),
        CheckConstraint(_in("patent_status", PATENT_STATUSES), name="patent_status_known"),
        CheckConstraint(_in("standing", STANDINGS), name="standing_known"),
        CheckConstraint(_in("assessment", ASSESSMENTS), name="assessment_known"),
        # The queues: open cases of a post by due date; those nobody holds; mine; every open case by due date (the
        # reminders, the managers' home page, the working calendar); an enterprise's open cases; a unit's.
        # On PostgreSQL each also carries (INCLUDE) what the home pages count by, the stage above all: a count
        # reads the index alone, not a row per case.
        Index("ix_cases_post_queue", "post_id", "due_date", "id", postgresql_where=OPEN, sqlite_where=OPEN,
              postgresql_include=["assignee_id", "case_type", "stage"]),
        Index("ix_cases_unassigned", "post_id", "due_date", "id", postgresql_where=UNASSIGNED,
              sqlite_where=UNASSIGNED),
        Index("ix_cases_assignee_queue", "assignee_id", "due_date", "id", postgresql_where=OPEN,
              sqlite_where=OPEN, postgresql_include=["case_type", "stage"]),
        Index("ix_cases_open_due", "due_date", "id", postgresql_where=OPEN, sqlite_where=OPEN,
              postgresql_include=["case_type", "stage", "post_id", "assignee_id", "due_counted_from"]),
        Index("ix_cases_organisation_open", "organisation_id", "due_date", "id", postgresql_where=OPEN,
              sqlite_where=OPEN, postgresql_include=["case_type", "stage"]),
        Index("ix_cases_unit_list", "delegated_unit_id", "created_at", "id"),
        # Every case by when it came (the finder's newest first; the dashboard's received), by when it closed (the
        # dashboard), an enterprise's, and an enterprise's by closing (its results of the last months; those it
        # has not rated, counted from the index alone on PostgreSQL).
        Index("ix_cases_created", "created_at", "id", postgresql_include=["case_type", "organisation_id"]),
        Index("ix_cases_closed_at", "closed_at"),
        Index("ix_cases_organisation_list", "organisation_id", "created_at", "id"),
        Index("ix_cases_organisation_closed", "organisation_id", "closed_at", postgresql_where=CLOSED,
              sqlite_where=CLOSED, postgresql_include=["case_type", "stage", "id"]),
        *_searched_indexes("searched_words", WORDS_SQL),
        *_searched_indexes("searched_numbers", NUMBERS_SQL),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    case_type: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    submitter_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    stage: Mapped[str] = mapped_column(String(40))
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    delegated_unit_id: Mapped[int | None] = mapped_column(ForeignKey("demonstration_units.id"))
    priority: Mapped[Priority] = mapped_column(IntEnum(Priority), default=Priority.NORMAL)
    due_date: Mapped[date | None] = mapped_column(Date)
    # Where a stage's clock runs in hours (a trade fair's 24 hours): the instant; `due_date` is then its day.
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # How the due date was counted: this many working days after this day (then the external deadline, if
    # earlier). Kept so that a change of the working calendar can count it again.
    due_counted_from: Mapped[date | None] = mapped_column(Date)
    due_working_days: Mapped[int | None] = mapped_column(Integer)
    # While the clock is paused: the working days that were left, and the stage to return to.
    paused_days_left: Mapped[int | None] = mapped_column(Integer)
    resume_stage: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str | None] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(Integer, default=1)
    reminded_on: Mapped[date | None] = mapped_column(Date)
    escalated_on: Mapped[date | None] = mapped_column(Date)
    # The one-time token of the request form it came from: sending the same form again makes no second case.
    submission_token: Mapped[str | None] = mapped_column(String(64), unique=True)

    # Patent filing and fast pre-examination.
    patent_kind: Mapped[str | None] = mapped_column(String(20))
    product_name: Mapped[str | None] = mapped_column(String(200))
    classification: Mapped[str | None] = mapped_column(String(100))
    application_number: Mapped[str | None] = mapped_column(String(40))
    patent_number: Mapped[str | None] = mapped_column(String(40))
    # Fast retrieval.
    retrieval_purpose: Mapped[str | None] = mapped_column(String(30))
    target_description: Mapped[str | None] = mapped_column(Text)
    # Consultation.
    topic: Mapped[str | None] = mapped_column(String(30))
    # Foreign-related assistance.
    country: Mapped[str | None] = mapped_column(String(100))
    counterparty: Mapped[str | None] = mapped_column(String(200))
    foreign_event: Mapped[str | None] = mapped_column(String(30))
    external_deadline: Mapped[date | None] = mapped_column(Date)  # also a complaint's overall deadline
    # Infringement complaint (the enforced patent is `patent_number`, its kind `patent_kind`).
    patent_status: Mapped[str | None] = mapped_column(String(30))
    evaluation_report: Mapped[bool | None] = mapped_column(Boolean)
    standing: Mapped[str | None] = mapped_column(String(30))
    standing_note: Mapped[str | None] = mapped_column(Text)
    respondent_name: Mapped[str | None] = mapped_column(String(200))
    respondent_credit_code: Mapped[str | None] = mapped_column(String(18), index=True)
    respondent_address: Mapped[str | None] = mapped_column(String(300))
    respondent_contact: Mapped[str | None] = mapped_column(String(200))
    respondent_email: Mapped[str | None] = mapped_column(String(254))
    channel: Mapped[str | None] = mapped_column(String(20))
    fair_name: Mapped[str | None] = mapped_column(String(200))
    found_at: Mapped[str | None] = mapped_column(String(300))
    platform: Mapped[str | None] = mapped_column(String(100))
    item_url: Mapped[str | None] = mapped_column(String(500))
    remedies: Mapped[str | None] = mapped_column(String(100))  # REMEDIES codes, comma-separated
    damages_amount: Mapped[int | None] = mapped_column(Integer)
    assessment: Mapped[str | None] = mapped_column(String(20))
    # The case this one was started from (a complaint's prior-art search for the validity of the patent it
    # enforces names the complaint); the other way round, `started_cases`. One column, not one in each: two rows
    # naming each other could be written, restored or copied in no order.
    linked_case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))

    __mapper_args__ = {"version_id_col": version}

    organisation: Mapped["Organisation"] = relationship()
    submitter: Mapped["User"] = relationship(foreign_keys=[submitter_id])
    assignee: Mapped[Optional["User"]] = relationship(foreign_keys=[assignee_id])
    post: Mapped[Optional["Post"]] = relationship()
    delegated_unit: Mapped[Optional["DemonstrationUnit"]] = relationship()
    events: Mapped[list["CaseEvent"]] = relationship(back_populates="case", order_by="CaseEvent.id")
    satisfaction: Mapped[Optional["SatisfactionAnswer"]] = relationship(back_populates="case")
    linked_case: Mapped[Optional["Case"]] = relationship(remote_side=[id], back_populates="started_cases")
    started_cases: Mapped[list["Case"]] = relationship(back_populates="linked_case", order_by="Case.id")

    @property
    def workflow(self):
        return case_type(self.case_type)

    @property
    def current_stage(self):
        return self.workflow.stage(self.stage)

    @property
    def is_open(self) -> bool:
        return self.current_stage.kind.open

    @property
    def clock_paused(self) -> bool:
        return self.current_stage.kind.pauses_clock

    @property
    def outcome_label(self):
        return self.workflow.outcome_label(self.outcome) if self.outcome else None

    @property
    def working_days_left(self) -> int | None:
        if self.due_date is None or not self.is_open:
            return None
        return working_days_between(center_today(), self.due_date)

    @property
    def provisional_year(self) -> int | None:
        """A year the due date is counted through whose official holidays nobody has entered: it may move."""
        if self.due_date is None or not self.is_open:
            return None
        return first_provisional_year(min(self.due_counted_from or self.due_date, self.due_date), self.due_date)

    @property
    def step(self) -> str | None:
        """The stepper's current step: the stage, or the step of the main path a side state belongs to
        (where the clock is paused: the stage it will return to); None for a case that left the main path."""
        path = self.workflow.main_path
        code: str | None = self.stage
        for _ in range(3):  # a side state of a side state at most: materials asked while corrections are
            if code is None or code in path:
                return code
            stage = self.workflow.stage(code)
            code = stage.side_of or (self.resume_stage if stage.kind.pauses_clock else None)
        return None

    @hybrid_property
    def is_center_work(self) -> bool:
        """The center is working to its own deadline (not waiting on the enterprise, not only closing)."""
        return self.current_stage.kind.center_deadline

    @is_center_work.inplace.expression
    @classmethod
    def _is_center_work_in_sql(cls):
        return cls.at_stages_where(lambda kind: kind.center_deadline)

    @classmethod
    def at_stages_where(cls, holds: Callable[[StageKind], bool]) -> ColumnElement[bool]:
        """In a query: the case is at a stage of its own type whose kind `holds`."""
        return stages_where(cls.case_type, cls.stage, holds)

    @property
    def remedy_labels(self) -> str | None:
        """What a complaint asks, in the reader's language."""
        codes = (self.remedies or "").split(",")
        return listed_apart(REMEDIES[code] for code in codes if code in REMEDIES) or None

    @property
    def respondent_told(self) -> bool:
        """The respondent has been told of the complaint: the case is, or has been, at a stage where the respondent
        is to act. Until then the respondent must not learn of it."""
        stages = self.workflow.respondent_stages
        return self.stage in stages or any(event.to_stage in stages for event in self.events)

    @classmethod
    def respondent_told_clause(cls):
        """`respondent_told`, in a query."""
        told = [and_(cls.case_type == t.code, or_(cls.stage.in_(t.respondent_stages), exists().where(
                    CaseEvent.case_id == cls.id, CaseEvent.to_stage.in_(t.respondent_stages))))
                for t in CASE_TYPES.values() if t.respondent_stages]
        return or_(*told) if told else false()

    @property
    def hours_left(self) -> int | None:
        """Where the stage's clock runs in hours: the whole hours left (negative once past)."""
        if self.due_at is None or not self.is_open:
            return None
        return math.floor((self.due_at - utcnow()).total_seconds() / 3600)

    @property
    def deadline_passed(self) -> bool:
        if self.due_at is not None:
            return self.due_at <= utcnow()
        return self.due_date is not None and self.due_date < center_today()

    @property
    def is_overdue(self) -> bool:
        """The center is late: never while the enterprise is to act, nor once the result is in."""
        return self.is_center_work and self.due_date is not None and self.due_date < center_today()

    def __repr__(self) -> str:
        return f"<Case {self.reference} {self.stage}>"


# What the finder searches, each as one text: the case's own words, and its numbers without their dots. Joined by
# a space, which no searched word holds, so a word is found in one of the parts or not at all. PostgreSQL's
# indexes (_searched_indexes) are on these very expressions (WORDS_SQL, NUMBERS_SQL), and it uses an index on an
# expression only for that expression: the constants are written into the SQL, not sent as parameters.
SPACE, NOTHING = text("' '"), text("''")
SEARCHED_WORDS = Case.reference + SPACE + Case.title + SPACE + Case.description
SEARCHED_NUMBERS = func.replace(func.coalesce(Case.application_number, NOTHING) + SPACE
                                + func.coalesce(Case.patent_number, NOTHING), text("'.'"), NOTHING, type_=String)


def characters(expression):
    """The characters of a text in lower case (PostgreSQL): a text holding a fragment holds each of its characters."""
    return func.string_to_array(func.lower(expression), null(), type_=ARRAY(Text))


event.listen(Case.__table__, "before_create",
             DDL("CREATE EXTENSION IF NOT EXISTS pg_trgm").execute_if(dialect="postgresql"))


class CaseEvent(Model):
    """One line of a case's timeline. Never updated or deleted (the database refuses too)."""

    __tablename__ = "case_events"
    __table_args__ = (
        CheckConstraint(enum_check("kind", EventKind), name="kind_known"),
        CheckConstraint("percent IS NULL OR (percent BETWEEN 0 AND 100)", name="percent_range"),
        Index("ix_case_events_kind_created_at", "kind", "created_at"),  # the dashboard: what happened in a period
        # A unit's words on its cases (delegations, reports, their ends), newest last: when each unit last spoke.
        Index("ix_case_events_unit_words", "unit_id", "created_at", postgresql_where=text("unit_id IS NOT NULL"),
              sqlite_where=text("unit_id IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[EventKind] = mapped_column(IntEnum(EventKind))
    action: Mapped[str | None] = mapped_column(String(40))
    from_stage: Mapped[str | None] = mapped_column(String(40))
    to_stage: Mapped[str | None] = mapped_column(String(40))
    comment: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[str | None] = mapped_column(String(200))
    public: Mapped[bool] = mapped_column(Boolean)
    percent: Mapped[int | None] = mapped_column(Integer)
    subject_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("demonstration_units.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    case: Mapped[Case] = relationship(back_populates="events")
    actor: Mapped[Optional["User"]] = relationship(foreign_keys=[actor_id])
    subject_user: Mapped[Optional["User"]] = relationship(foreign_keys=[subject_user_id])
    unit: Mapped[Optional["DemonstrationUnit"]] = relationship()
    attachments: Mapped[list["Attachment"]] = relationship(back_populates="event", order_by="Attachment.id")


class Attachment(Model):
    """A file on a case, stored under a generated name outside the static folder."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("case_events.id"), index=True)
    # Nobody for a file sent through a link the center gave (a complaint's respondent may have no account).
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    original_name: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    case: Mapped[Case] = relationship()
    event: Mapped[CaseEvent] = relationship(back_populates="attachments")
    uploaded_by: Mapped[Optional["User"]] = relationship()


class SatisfactionAnswer(Model):
    """The enterprise's answer to the one question asked when its case closed (workflow: CaseType.rated_endings):
    how satisfied it is, 1 to 5, with a comment if it likes. One per case: the database refuses a second, also
    when two are sent at once."""

    __tablename__ = "satisfaction_answers"
    __table_args__ = (
        CheckConstraint("score BETWEEN 1 AND 5", name="score_range"),
        # The dashboard: answers given in a period, per kind and post (on PostgreSQL from the index alone).
        Index("ix_satisfaction_answers_answered_at", "answered_at",
              postgresql_include=["case_type", "post", "score"]),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), unique=True)
    answered_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    score: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # What the answer is about, kept with it (`about`): the case's kind, and the code of the post owning the stage
    # the case closed from, at its latest closing before the answer.
    case_type: Mapped[str] = mapped_column(String(30))
    post: Mapped[str | None] = mapped_column(String(40))

    case: Mapped[Case] = relationship(back_populates="satisfaction")
    answered_by: Mapped["User"] = relationship()

    @classmethod
    def about(cls, case: Case, answered_by: "User", score: int, comment: str = "",
              answered_at: datetime | None = None) -> "SatisfactionAnswer":
        """The answer about the case's latest closing (before `answered_at`, by default now)."""
        answered_at = answered_at or utcnow()
        closing = next((event for event in reversed(case.events) if event.kind == EventKind.TRANSITION
                        and not case.workflow.stage(event.to_stage).kind.open
                        and (event.created_at is None or event.created_at <= answered_at)), None)
        post = case.workflow.stage(closing.from_stage).post if closing is not None else None
        return cls(case=case, answered_by=answered_by, score=score, comment=comment, answered_at=answered_at,
                   case_type=case.case_type, post=post)

    @property
    def score_label(self) -> str:
        return str(SATISFACTION_SCORES[self.score])


class CaseReferenceCounter(Model):
    """The last reference number given out in a year; incremented under a row lock."""

    __tablename__ = "case_reference_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(Integer)


# The timeline is append-only in the database as well as in the code.
APPEND_ONLY_TRIGGERS = {
    "postgresql": [
        "CREATE OR REPLACE FUNCTION case_events_append_only() RETURNS trigger AS $$ BEGIN "
        "RAISE EXCEPTION 'case_events is append-only'; END; $$ LANGUAGE plpgsql",
        "CREATE TRIGGER case_events_append_only BEFORE UPDATE OR DELETE ON case_events "
        "FOR EACH ROW EXECUTE FUNCTION case_events_append_only()",
    ],
    "sqlite": [
        "CREATE TRIGGER case_events_no_update BEFORE UPDATE ON case_events "
        "BEGIN SELECT RAISE(ABORT, 'case_events is append-only'); END",
        "CREATE TRIGGER case_events_no_delete BEFORE DELETE ON case_events "
        "BEGIN SELECT RAISE(ABORT, 'case_events is append-only'); END",
    ],
}

for _dialect, _statements in APPEND_ONLY_TRIGGERS.items():
    for _statement in _statements:
        event.listen(CaseEvent.__table__, "after_create", DDL(_statement).execute_if(dialect=_dialect))
