"""A search report's operations: recording searches, citing, the conclusion, and what the report contains
(who may read or change it: permissions, report.read and report.edit)."""
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import selectinload

from ..cases.models import Case, CaseEvent
from ..cases.operations import CaseRefused
from ..cases.workflow import CASE_TYPES
from ..extensions import db
from ..patents.models import Patent
from ..patents.query import MAX_QUERY_LENGTH
from ..patents.search import OrganisationMembers, search_by_mode
from ..permissions import can
from .models import CATEGORIES, Citation, SearchRecord, SearchReport

CATEGORY_ORDER = {"X": 0, "Y": 1, "A": 2}


def _editable(case: Case, user) -> None:
    if can(user, "report.edit", case):
        return
    if case.workflow.report is None:
        raise CaseRefused(_l("This kind of request has no search report."))
    raise CaseRefused(_l("The search report can be changed only by the owning post while the case is at the stage "
                         "“%(stage)s”.", stage=case.workflow.stage(case.workflow.report.written_at).name))


def record_search(case: Case, user, mode: str, query: str) -> SearchRecord:
    """Note a search in the report; the same search twice in a row is noted once (QueryError if it is malformed).

    Its hits are counted as the case's enterprise sees the collection: the report reaches the enterprise, and
    the center's own count would reveal how many unpublished records of other organisations match."""
    _editable(case, user)
    query = query.strip()[:MAX_QUERY_LENGTH]
    hits = search_by_mode(_enterprise_of(case), mode, query, per_page=1, facets=False).total
    last = db.session.scalar(select(SearchRecord).where(SearchRecord.case_id == case.id)
                             .order_by(SearchRecord.id.desc()).limit(1))
    if last is not None and (last.mode, last.query) == (mode, query):
        last.result_count = hits
        return last
    record = SearchRecord(case_id=case.id, mode=mode, query=query, result_count=hits, run_by=user)
    db.session.add(record)
    db.session.flush()
    return record


def remove_search(case: Case, record_id: int, user) -> None:
    _remove_from_report(case, user, db.session.get(SearchRecord, record_id),
                        _l("This search is not in the report any more."))


def _remove_from_report(case: Case, user, item: SearchRecord | Citation | None, gone) -> None:
    _editable(case, user)
    if item is None or item.case_id != case.id:
        raise CaseRefused(gone)
    db.session.delete(item)


def _enterprise_of(case: Case) -> OrganisationMembers:
    return OrganisationMembers(case.organisation_id)


class AlreadyCited(CaseRefused):
    """The patent is cited in the case already: replacing its category and note needs a confirmation."""

    def __init__(self, citation: Citation):
        super().__init__(_l("%(number)s is cited in %(reference)s already, as %(category)s. Confirm to replace "
                            "its category and note.", number=citation.patent.display_number,
                            reference=citation.case.reference, category=citation.category))
        self.citation = citation


def cite_patent(case: Case, patent: Patent, category: str, note: str, user, replace: bool = False) -> Citation:
    """Add a patent to the report, or (when `replace` confirms it) change the category and note of its citation.

    Only records the case's enterprise may see can be cited: the report shows their titles to it."""
    _editable(case, user)
    if category not in CATEGORIES:
        raise CaseRefused(_l("Choose the category X, Y or A."))
    if not can(_enterprise_of(case), "patent.view", patent):
        raise CaseRefused(_l("%(number)s cannot be cited in %(reference)s: it is an unpublished record of another "
                             "organisation, which the case's enterprise may not see.",
                             number=patent.display_number, reference=case.reference))
    citation = citation_of(case, patent)
    if citation is None:
        citation = Citation(case_id=case.id, patent=patent, cited_by=user)
        db.session.add(citation)
    elif not replace:
        raise AlreadyCited(citation)
    citation.category, citation.note = category, (note or "").strip()
    db.session.flush()
    return citation


def citation_of(case: Case, patent: Patent) -> Citation | None:
    return db.session.scalar(select(Citation).where(Citation.case_id == case.id, Citation.patent_id == patent.id))


def citations_in(case: Case | None) -> dict[int, Citation]:
    """The case's citations by patent id (none without a case)."""
    if case is None:
        return {}
    return {c.patent_id: c for c in db.session.scalars(select(Citation).where(Citation.case_id == case.id))}


def remove_citation(case: Case, citation_id: int, user) -> None:
    _remove_from_report(case, user, db.session.get(Citation, citation_id),
                        _l("This citation is not in the report any more."))


def save_conclusion(case: Case, conclusion: str, user) -> SearchReport:
    _editable(case, user)
    report = db.session.get(SearchReport, case.id) or SearchReport(case_id=case.id)
    report.conclusion, report.updated_by = (conclusion or "").strip(), user
    db.session.add(report)
    return report


@dataclass
class ReportContents:
    case: Case
    records: list[SearchRecord]
    citations: list[Citation]
    conclusion: str
    version: int

    @property
    def complete(self) -> bool:
        return bool(self.conclusion)

    @property
    def filename(self) -> str:
        suffix = f"-v{self.version}" if self.version > 1 else ""
        return f"search-report-{self.case.reference}{suffix}.docx"


def report_contents(case: Case) -> ReportContents:
    """The report as it stands: the delivered version once delivered, the next version while it is revised."""
    records = list(db.session.scalars(select(SearchRecord).where(SearchRecord.case_id == case.id)
                                      .order_by(SearchRecord.id)))
    # Citations made before citing checked the enterprise's view stay out of what reaches the enterprise.
    visible = (c for c in db.session.scalars(select(Citation).where(Citation.case_id == case.id)
                                             .options(selectinload(Citation.patent)))
               if can(_enterprise_of(case), "patent.view", c.patent))
    citations = sorted(visible, key=lambda c: (CATEGORY_ORDER[c.category], c.patent.publication_number))
    report = db.session.get(SearchReport, case.id)
    steps = case.workflow.report
    deliveries = db.session.execute(select(func.count(CaseEvent.id)).where(
        CaseEvent.case_id == case.id, CaseEvent.action == steps.delivered_by)).scalar_one()
    version = max(1, deliveries + (0 if case.stage in steps.read_at else 1))
    return ReportContents(case, records, citations, report.conclusion if report else "", version)


def citations_visible_to(user, patent: Patent) -> list[Citation]:
    """The cases citing a patent, as far as this user may know of them."""
    citations = db.session.scalars(select(Citation).where(Citation.patent_id == patent.id)
                                   .order_by(Citation.cited_at.desc()).options(selectinload(Citation.case)))
    return [c for c in citations if can(user, "report.read", c.case)]


def citable_cases(user, limit: int = 50) -> list[Case]:
    """The cases this user could cite a patent into now (their report being written), soonest due first."""
    written = [and_(Case.case_type == t.code, Case.stage == t.report.written_at)
               for t in CASE_TYPES.values() if t.report]
    if not can(user, "center.workspace") or not written:
        return []  # only the center works on reports: no need to look
    cases = db.session.scalars(select(Case).where(or_(*written)).order_by(Case.due_date, Case.id).limit(limit * 4))
    return [case for case in cases if can(user, "report.edit", case)][:limit]
