"""The case lists: a post's queue, an enterprise's cases, a unit's delegated cases; and finding a case in them.

Each page is one indexed query for page size + 1 rows (the extra row says whether a
next page exists), each row with its post, assignee, enterprise and unit joined: no
COUNT over the table, and one query whatever the page size.
"""
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, literal, or_, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from ..accounts.models import Role, User
from ..calendar import CENTER_ZONE, add_working_days, center_today
from ..extensions import db
from ..list_filters import containing, page_number
from ..organisations.models import Organisation, Post
from ..permissions import can
from .models import SEARCHED_NUMBERS, SEARCHED_WORDS, Case, CaseEvent, SatisfactionAnswer, characters
from .satisfaction import awaiting_answer
from .workflow import CASE_TYPES

# What a list's row reads: the case's enterprise, assignee, post and unit.
CASE_ROW = (joinedload(Case.organisation), joinedload(Case.assignee), joinedload(Case.post),
            joinedload(Case.delegated_unit))
# What the case page reads: the row's, its timeline, and each entry's people, unit and files; in one query,
# however long the timeline (read it with `.unique()`).
CASE_PAGE = (
    *CASE_ROW,
    joinedload(Case.satisfaction).joinedload(SatisfactionAnswer.answered_by),
    joinedload(Case.events).options(joinedload(CaseEvent.actor), joinedload(CaseEvent.subject_user),
                                    joinedload(CaseEvent.unit), joinedload(CaseEvent.attachments)),
)
PAGE_SIZES = (20, 50, 100)
SORTS = {
    "due": (Case.due_date.asc().nulls_last(), Case.id.asc()),
    "newest": (Case.created_at.desc(), Case.id.desc()),
    "oldest": (Case.created_at.asc(), Case.id.asc()),
    "priority": (Case.priority.desc(), Case.due_date.asc().nulls_last(), Case.id.asc()),
}


DATE_FILTERS = ("due_from", "due_to", "created_from", "created_to", "closed_from", "closed_to")
SOON = 3  # working days: "due soon" on the home pages and in the lists they link to
# The home pages' counts, each a filter of the lists that the list names when it is in force.
URGENCIES = {"overdue": _l("Overdue"), "today": _l("Due today"), "soon": _l("Due within 3 working days"),
             "asked": _l("The center waits for your answer"), "under_way": _l("Your open requests"),
             "results": _l("Results of the last three months"),
             "to_rate": _l("Closed requests waiting for your rating")}
RESULTS_SHOWN_FOR = timedelta(days=90)


@dataclass
class CaseFilters:
    case_type: str | None = None
    stage: str | None = None
    state: str = "open"  # open, closed or all
    sort: str = "due"
    page: int = 1
    per_page: int = 20
    q: str = ""  # a reference, title, enterprise, credit code, application or patent number, or words
    assignee_id: int | None = None
    organisation_id: int | None = None
    urgency: str | None = None  # one of URGENCIES
    dates: dict[str, date] = field(default_factory=dict)  # DATE_FILTERS given, as dates
    problems: list[str] = field(default_factory=list)  # what was given but could not be used, and why

    @classmethod
    def from_args(cls, args, default_sort: str = "due", default_state: str = "open") -> "CaseFilters":
        case_type = args.get("type") if args.get("type") in CASE_TYPES else None
        stages = {stage.code for t in CASE_TYPES.values() for stage in t.stages}
        per_page = args.get("per_page", type=int)
        filters = cls(
            case_type=case_type,
            stage=args.get("stage") if args.get("stage") in stages else None,
            state=args.get("state") if args.get("state") in ("open", "closed", "all") else default_state,
            sort=args.get("sort") if args.get("sort") in SORTS else default_sort,
            page=page_number(args),
            per_page=per_page if per_page in PAGE_SIZES else PAGE_SIZES[0],
            q=unicodedata.normalize("NFKC", args.get("q", "")).strip()[:200],
            assignee_id=args.get("assignee", type=int),
            organisation_id=args.get("enterprise", type=int),
            urgency=args.get("urgency") if args.get("urgency") in URGENCIES else None,
        )
        for name in DATE_FILTERS:
            filters._read_date(name, args.get(name, ""))
        filters._check_ranges()
        return filters

    def _check_ranges(self) -> None:
        """A range whose end comes before its start selects nothing: say so rather than show an empty list."""
        for first, last in zip(DATE_FILTERS[::2], DATE_FILTERS[1::2], strict=True):
            if first in self.dates and last in self.dates and self.dates[last] < self.dates[first]:
                self.problems.append(_("The range from %(first)s to %(last)s ends before it starts; it is left out.",
                                       first=self.dates.pop(first).isoformat(), last=self.dates.pop(last).isoformat()))

    def _read_date(self, name: str, given: str) -> None:
        given = unicodedata.normalize("NFKC", given).strip()
        if not given:
            return
        try:
            self.dates[name] = date.fromisoformat(given)
        except ValueError:
            self.problems.append(_("“%(date)s” is not a date such as 2026-11-26; that filter is left out.",
                                   date=given))

    def as_args(self, default_sort: str = "newest", default_state: str = "all") -> dict[str, str]:
        """The filters as a list's address would give them: each known one once, in one order, as `from_args` read
        them (so two ways of writing the same filters give the same), without the defaults and without the page."""
        given = {"q": self.q, "type": self.case_type, "stage": self.stage,
                 "state": self.state if self.state != default_state else None, "assignee": self.assignee_id,
                 "enterprise": self.organisation_id, "urgency": self.urgency,
                 **{name: self.dates[name].isoformat() for name in DATE_FILTERS if name in self.dates},
                 "sort": self.sort if self.sort != default_sort else None,
                 "per_page": self.per_page if self.per_page != PAGE_SIZES[0] else None}
        return {name: str(value) for name, value in given.items() if value}

    @property
    def urgency_label(self):
        return URGENCIES[self.urgency] if self.urgency else None

    @property
    def narrowed(self) -> bool:
        """Whether more than the menus narrows the list (the finder's fields are then shown open)."""
        return bool(self.q or self.assignee_id or self.organisation_id or self.dates or self.urgency)

    def stage_choices(self, requester: bool = False) -> list[tuple[str, object]]:
        """The stages to filter by: those of the chosen type, or of every type; named for the reader."""
        types = [CASE_TYPES[self.case_type]] if self.case_type else CASE_TYPES.values()
        choices: dict[str, object] = {}
        for case_type in types:
            for stage in case_type.stages:
                choices.setdefault(stage.code, stage.name_for(requester))
        return list(choices.items())


@dataclass
class CasePage:
    cases: list = field(default_factory=list)
    page: int = 1
    has_next: bool = False


CREDIT_CODE_PART = re.compile(r"[0-9A-Z]{6,18}")


def case_search(text: str):
    """Cases holding every word of `text` in their reference, title, description or enterprise (name, credit
    code); or whose application or patent number holds its digits however they were typed (spaces, dots, with
    or without the check digit's dot; full-width is made half-width before); or whose enterprise's credit code
    holds them (9144 2000 MA4W K7Q3 XN, as a code is read out in groups)."""
    digits, words = re.sub(r"[\s.\-]", "", text).upper(), text.split()
    in_words = and_(*(_holding(word) for word in words))
    if not digits:
        return in_words
    in_groups = [_of_enterprises(_by_code(digits))] if len(words) > 1 else []  # one word: looked up already
    return or_(in_words, _held_in(SEARCHED_NUMBERS, digits), *in_groups)


def _holding(word: str):
    return or_(_held_in(SEARCHED_WORDS, word), _of_enterprises(or_(
        containing(Organisation.name_zh, word), containing(Organisation.name_en, word), _by_code(word.upper()))))


def _by_code(code: str):
    """Part of a credit code, six characters or more (its region, 914420; its own part, MA4WK7Q3XN): a shorter
    one (a year in a title) would bring in whole towns of enterprises."""
    return containing(Organisation.credit_code, code) if CREDIT_CODE_PART.fullmatch(code) else (
        Organisation.credit_code == code)


def _of_enterprises(condition):
    # The enterprises are looked up first (a short table), so that their cases are found by the enterprise's index
    # beside the texts' indexes: a subquery there would have PostgreSQL read every case.
    return Case.organisation_id.in_(list(db.session.scalars(select(Organisation.id).where(condition))))


def _held_in(searched, fragment: str):
    """`searched` holds `fragment`, in any case. On PostgreSQL a fragment of three characters or more is found by
    the text's trigram index; a shorter one (吊灯), which has no trigram, by the index of its characters first."""
    held = containing(searched, fragment)
    if len(fragment) < 3 and db.session.get_bind().dialect.name == "postgresql":
        return and_(held, characters(searched).contains(characters(literal(fragment))))
    return held


def urgency_clause(urgency: str):
    """The center late (overdue), due today, due within SOON working days; the enterprise asked something; the
    case under way otherwise; its result in (delivered, or closed with an outcome, within three months); or
    closed where the center asks how satisfied the enterprise is, and not answered yet."""
    if urgency == "to_rate":
        return awaiting_answer()
    if urgency == "asked":
        return Case.closed_at.is_(None) & Case.at_stages_where(lambda kind: kind.asks_enterprise)
    delivered = Case.closed_at.is_(None) & Case.at_stages_where(lambda kind: kind.finished)
    if urgency == "under_way":
        return Case.closed_at.is_(None) & Case.at_stages_where(lambda kind: not kind.asks_enterprise
                                                                and not kind.finished)
    if urgency == "results":
        lately = datetime.now(CENTER_ZONE) - RESULTS_SHOWN_FOR
        return delivered | (Case.outcome.is_not(None) & (Case.closed_at >= lately))
    today = center_today()
    due = {"overdue": Case.due_date < today, "today": Case.due_date == today,
           "soon": (Case.due_date > today) & (Case.due_date <= add_working_days(today, SOON))}[urgency]
    return Case.closed_at.is_(None) & Case.is_center_work & due


def _center_day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, CENTER_ZONE)


def _narrowed(query, filters: CaseFilters):
    """The finder's fields: words or numbers, assignee, enterprise, and due / created / closed date ranges
    (both ends included, counted in the center's days)."""
    if filters.q:
        query = query.where(case_search(filters.q))
    if filters.assignee_id:
        query = query.where(Case.assignee_id == filters.assignee_id)
    if filters.organisation_id:
        query = query.where(Case.organisation_id == filters.organisation_id)
    if filters.urgency:
        query = query.where(urgency_clause(filters.urgency))
    dates = filters.dates
    for column, first, last in ((Case.created_at, "created_from", "created_to"),
                                (Case.closed_at, "closed_from", "closed_to")):
        if first in dates:
            query = query.where(column >= _center_day_start(dates[first]))
        if last in dates:
            query = query.where(column < _center_day_start(dates[last] + timedelta(days=1)))
    if "due_from" in dates:
        query = query.where(Case.due_date >= dates["due_from"])
    if "due_to" in dates:
        query = query.where(Case.due_date <= dates["due_to"])
    return query


def _filtered(query, filters: CaseFilters):
    """`query` as the filters narrow and order it."""
    query = _narrowed(query, filters)
    if filters.case_type:
        query = query.where(Case.case_type == filters.case_type)
    if filters.stage:
        query = query.where(Case.stage == filters.stage)
    if filters.state == "open":
        query = query.where(Case.closed_at.is_(None))
    elif filters.state == "closed":
        query = query.where(Case.closed_at.is_not(None))
    return query.order_by(*SORTS[filters.sort]).options(*CASE_ROW)


def _page(query, filters: CaseFilters) -> CasePage:
    query = _filtered(query, filters).limit(filters.per_page + 1).offset((filters.page - 1) * filters.per_page)
    rows = list(db.session.scalars(query))
    return CasePage(cases=rows[:filters.per_page], page=filters.page, has_next=len(rows) > filters.per_page)


def listed_cases(scope, filters: CaseFilters, limit: int) -> list[Case]:
    """Every case of `scope` the filters select, in their order, up to `limit` (an export: no pages)."""
    return list(db.session.scalars(_filtered(scope, filters).limit(limit)))


QUEUE_TABS = ("unassigned", "mine", "overdue", "all")


def queue_posts(user) -> list[Post]:
    """The posts whose queues a user works: their own; a manager's, every post."""
    if can(user, "queue.every_post"):
        return list(db.session.scalars(select(Post).order_by(Post.id)))
    return list(user.posts)


def post_queue(post_ids: list[int], tab: str, user, filters: CaseFilters) -> CasePage:
    """Cases whose current (or, closed, last) stage one of these posts owns: open ones in the working tabs; in
    "all", open or closed as the filter says, so that an old case is found again."""
    query = select(Case).where(Case.post_id.in_(post_ids))
    if tab == "unassigned":
        query = query.where(Case.assignee_id.is_(None))
    elif tab == "mine":
        query = query.where(Case.assignee_id == user.id)
    elif tab == "overdue":
        query = query.where(Case.is_center_work, Case.due_date < center_today())
    if tab != "all":
        filters.state = "open"
    return _page(query, filters)


def center_colleagues() -> list[User]:
    """The center's staff and managers who can hold a case, by name: the finder's assignee menu."""
    return list(db.session.scalars(select(User).where(User.role.in_((Role.STAFF, Role.MANAGER)),
                                                      User.active.is_(True)).order_by(User.display_name)))


def center_scope(post_id: int | None = None):
    """Every case the center has had (center staff see them all), or one post's."""
    query = select(Case)
    return query.where(Case.post_id == post_id) if post_id else query


def own_scope(user):
    """The cases of a user outside the center: its enterprise's, or those delegated to its unit."""
    if can(user, "unit.cases"):
        return select(Case).where(Case.delegated_unit_id == user.unit_id)
    return select(Case).where(Case.organisation_id == user.organisation_id)


def center_cases(filters: CaseFilters, post_id: int | None = None) -> CasePage:
    return _page(center_scope(post_id), filters)


def own_cases(user, filters: CaseFilters) -> CasePage:
    return _page(own_scope(user), filters)


def organisation_timeline(organisation_id: int) -> list[CaseEvent]:
    """Every timeline entry of an enterprise's cases: case by case from the first submitted, each case's entries
    oldest first; with the people, unit and files an entry names, in two queries however many there are."""
    query = (select(CaseEvent).join(CaseEvent.case).where(Case.organisation_id == organisation_id)
             .order_by(Case.created_at, Case.id, CaseEvent.id)
             .options(contains_eager(CaseEvent.case), joinedload(CaseEvent.actor), joinedload(CaseEvent.subject_user),
                      joinedload(CaseEvent.unit), selectinload(CaseEvent.attachments)))
    return list(db.session.scalars(query).unique())
