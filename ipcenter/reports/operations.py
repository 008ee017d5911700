"""The rules of a search report: who may edit it and when, citing, and delivering it as a document."""
import io
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from ..cases.models import Case
from ..cases.operations import CaseRefused
from ..cases.workflow import Actor
from ..extensions import db
from ..patents.forms import MAX_QUERY_LENGTH
from ..patents.models import Patent
from ..permissions import case_actors
from .models import CATEGORIES, Citation, SearchRecord, SearchReport

RETRIEVAL = "fast_retrieval"
EDITABLE_STAGE = "searching"
DELIVERED_STAGES = ("report_delivered", "closed")
CATEGORY_ORDER = {"X": 0, "Y": 1, "A": 2}


def has_search_report(case: Case) -> bool:
    return case.case_type == RETRIEVAL


def may_edit_report(user, case: Case) -> bool:
    """Staff of the owning post (and managers), while the case is being searched."""
    return has_search_report(case) and case.stage == EDITABLE_STAGE and Actor.POST in case_actors(user, case)


def may_read_report(user, case: Case) -> bool:
    """The center always; the enterprise once the report has been delivered (and not while it is revised)."""
    if not has_search_report(case):
        return False
    if user.is_center:
        return True
    return Actor.ENTERPRISE in case_actors(user, case) and case.stage in DELIVERED_STAGES and \
        case.outcome == "report_delivered"


def _editable(case: Case, user) -> None:
    if not may_edit_report(user, case):
        raise CaseRefused(_l("The search report can be changed only by the retrieval post while the case is "
                             "at the stage “Searching”."))


def record_search(case: Case, user, mode: str, query: str, result_count: int) -> SearchRecord | None:
    """Note a search in the report; the same search twice in a row is noted once."""
    _editable(case, user)
    query = query.strip()[:MAX_QUERY_LENGTH]
    last = db.session.scalar(select(SearchRecord).where(SearchRecord.case_id == case.id)
                             .order_by(SearchRecord.id.desc()).limit(1))
    if last is not None and (last.mode, last.query) == (mode, query):
        last.result_count = result_count
        return last
    record = SearchRecord(case_id=case.id, mode=mode, query=query, result_count=result_count, run_by=user)
    db.session.add(record)
    return record


def cite_patent(case: Case, patent: Patent, category: str, note: str, user) -> Citation:
    """Add a patent to the report, or change its category and note if it is cited already."""
    _editable(case, user)
    if category not in CATEGORIES:
        raise CaseRefused(_l("Choose the category X, Y or A."))
    citation = db.session.scalar(select(Citation).where(Citation.case_id == case.id,
                                                        Citation.patent_id == patent.id))
    if citation is None:
        citation = Citation(case_id=case.id, patent=patent, cited_by=user)
        db.session.add(citation)
    citation.category, citation.note = category, (note or "").strip()
    db.session.flush()
    return citation


def remove_citation(case: Case, citation_id: int, user) -> None:
    _editable(case, user)
    citation = db.session.get(Citation, citation_id)
    if citation is None or citation.case_id != case.id:
        raise CaseRefused(_l("This citation is not in the report any more."))
    db.session.delete(citation)


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

    @property
    def complete(self) -> bool:
        return bool(self.conclusion)


def report_contents(case: Case) -> ReportContents:
    records = list(db.session.scalars(select(SearchRecord).where(SearchRecord.case_id == case.id)
                                      .order_by(SearchRecord.id)))
    citations = sorted(db.session.scalars(select(Citation).where(Citation.case_id == case.id)),
                       key=lambda c: (CATEGORY_ORDER[c.category], c.patent.publication_number))
    report = db.session.get(SearchReport, case.id)
    return ReportContents(case, records, citations, report.conclusion if report else "")


def citations_visible_to(user, patent: Patent) -> list[Citation]:
    """The cases citing a patent, as far as this user may know of them."""
    from ..permissions import can

    citations = db.session.scalars(select(Citation).where(Citation.patent_id == patent.id)
                                   .order_by(Citation.cited_at.desc()))
    return [c for c in citations if can(user, "case.view", c.case) and may_read_report(user, c.case)]


def delivered_report_upload(case: Case) -> FileStorage:
    """The report as a DOCX file, to be attached when it is delivered (CaseRefused if it is not ready)."""
    from .document import search_report_docx

    contents = report_contents(case)
    if not contents.complete:
        raise CaseRefused(_l("Write the conclusion of the search report before delivering it."))
    return FileStorage(io.BytesIO(search_report_docx(contents)), filename=f"search-report-{case.reference}.docx",
                       content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")


def citable_cases(user, limit: int = 50) -> list[Case]:
    """The retrieval cases this user could cite a patent into now, soonest due first."""
    if not user.is_center:
        return []
    cases = db.session.scalars(select(Case).where(Case.case_type == RETRIEVAL, Case.stage == EDITABLE_STAGE)
                               .order_by(Case.due_date, Case.id).limit(limit * 4))
    return [case for case in cases if may_edit_report(user, case)][:limit]
