"""The case lists: a post's queue, an enterprise's cases, a unit's delegated cases.

Each page is one indexed query for page size + 1 rows (the extra row says whether a
next page exists), each row with its post, assignee, enterprise and unit joined: no
COUNT over the table, and one query whatever the page size.
"""
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..calendar import center_today
from ..extensions import db
from ..list_filters import page_number
from ..organisations.models import Post
from ..permissions import can
from .models import Case, CaseEvent
from .workflow import CASE_TYPES

# What a list's row reads: the case's enterprise, assignee, post and unit.
CASE_ROW = (joinedload(Case.organisation), joinedload(Case.assignee), joinedload(Case.post),
            joinedload(Case.delegated_unit))
# What the case page reads: the row's, its timeline, and each entry's people, unit and files; in one query,
# however long the timeline (read it with `.unique()`).
CASE_PAGE = (
    *CASE_ROW,
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


@dataclass
class CaseFilters:
    case_type: str | None = None
    stage: str | None = None
    state: str = "open"  # open, closed or all
    sort: str = "due"
    page: int = 1
    per_page: int = 20

    @classmethod
    def from_args(cls, args, default_sort: str = "due", default_state: str = "open") -> "CaseFilters":
        case_type = args.get("type") if args.get("type") in CASE_TYPES else None
        stages = {stage.code for t in CASE_TYPES.values() for stage in t.stages}
        per_page = args.get("per_page", type=int)
        return cls(
            case_type=case_type,
            stage=args.get("stage") if args.get("stage") in stages else None,
            state=args.get("state") if args.get("state") in ("open", "closed", "all") else default_state,
            sort=args.get("sort") if args.get("sort") in SORTS else default_sort,
            page=page_number(args),
            per_page=per_page if per_page in PAGE_SIZES else PAGE_SIZES[0],
        )


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


def _page(query, filters: CaseFilters) -> CasePage:
    if filters.case_type:
        query = query.where(Case.case_type == filters.case_type)
    if filters.stage:
        query = query.where(Case.stage == filters.stage)
    if filters.state == "open":
        query = query.where(Case.closed_at.is_(None))
    elif filters.state == "closed":
        query = query.where(Case.closed_at.is_not(None))
    query = (query.order_by(*SORTS[filters.sort]).limit(filters.per_page + 1)
             .offset((filters.page - 1) * filters.per_page)
             .options(*CASE_ROW))
    rows = list(db.session.scalars(query))
    return CasePage(cases=rows[:filters.per_page], page=filters.page, has_next=len(rows) > filters.per_page)


QUEUE_TABS = ("unassigned", "mine", "overdue", "all")


def queue_posts(user) -> list[Post]:
    """The posts whose queues a user works: their own; a manager's, every post."""
    if can(user, "queue.every_post"):
        return list(db.session.scalars(select(Post).order_by(Post.id)))
    return list(user.posts)


def post_queue(post_ids: list[int], tab: str, user, filters: CaseFilters) -> CasePage:
    """Open cases whose current stage one of these posts owns."""
    query = select(Case).where(Case.post_id.in_(post_ids), Case.closed_at.is_(None))
    if tab == "unassigned":
        query = query.where(Case.assignee_id.is_(None))
    elif tab == "mine":
        query = query.where(Case.assignee_id == user.id)
    elif tab == "overdue":
        query = query.where(Case.is_center_work, Case.due_date < center_today())
    filters.state = "open"
    return _page(query, filters)


def organisation_cases(organisation_id: int, filters: CaseFilters) -> CasePage:
    return _page(select(Case).where(Case.organisation_id == organisation_id), filters)


def unit_cases(unit_id: int, filters: CaseFilters) -> CasePage:
    return _page(select(Case).where(Case.delegated_unit_id == unit_id), filters)
