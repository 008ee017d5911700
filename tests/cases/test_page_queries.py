"""The case page and the staff queue run as many SQL statements for twenty rows (timeline entries, actions,
citations, cases) as for two: nothing is loaded row by row."""
import io
from datetime import date

from werkzeug.datastructures import FileStorage

from ipcenter.accounts.models import Role
from ipcenter.cases.operations import _enter_stage, add_note, assign_case, delegate_case, end_delegation, \
    report_progress
from ipcenter.cases.working_days import center_today
from ipcenter.extensions import db
from ipcenter.patents.models import Patent
from ipcenter.reports.models import Citation, SearchRecord
from tests.cases.conftest import make_case
from tests.conftest import make_organisation, make_unit, make_user
from tests.page_queries import queries_of

PDF = b"%PDF-1.4\n%%EOF\n"


def _file(name: str) -> FileStorage:
    return FileStorage(io.BytesIO(PDF), filename=name, content_type="application/pdf")


def _work_on(case, center, colleagues: int, delegations: int) -> None:
    """Timeline entries by different people: a note with a file and an assignment by each colleague, and for
    each delegation a unit's brief, its progress report with a file, and its end."""
    post = center.posts["pre_examination"]
    staff = center.staff["pre_examination"]
    for n in range(colleagues):
        colleague = make_user(Role.STAFF, posts=[post])
        add_note(case, colleague, f"第{n}次核对", [_file(f"核对{n}.pdf")])
        assign_case(case, colleague, staff)
    for n in range(delegations):
        unit = make_unit()
        delegate_case(case, unit, staff, f"请协助第{n}项")
        report_progress(case, make_user(Role.UNIT_REPORTER, unit=unit), 50, "已完成一半", [_file(f"进展{n}.pdf")])
        end_delegation(case, staff)
    db.session.commit()


def test_the_case_page_runs_as_many_queries_for_a_long_timeline_and_many_actions(center, client, login_as):
    case = make_case(center, "fast_pre_examination", "granted")  # one action: close
    _work_on(case, center, colleagues=1, delegations=1)
    login_as(center.staff["pre_examination"])
    short = queries_of(client, f"/cases/{case.reference}")

    _work_on(case, center, colleagues=6, delegations=3)
    _enter_stage(case, "pre_examination", center_today())  # four actions
    assert len(case.events) == 27
    assert queries_of(client, f"/cases/{case.reference}") == short


def _report(case, center, citations: int) -> None:
    """`citations` patents cited in the case's report, and as many searches recorded."""
    examiner = center.staff["retrieval"]
    for n in range(citations):
        patent = Patent(country="CN", publication_number=f"CN3{case.id:03d}{n:05d}", kind_code="S",
                        patent_type="design", title=f"吊灯{n}", publication_date=date(2022, 5, 1), locarno="26-05")
        db.session.add(patent)
        db.session.add(Citation(case_id=case.id, patent=patent, category="XYA"[n % 3], note="相同灯臂",
                                cited_by=examiner))
        db.session.add(SearchRecord(case_id=case.id, mode="query", query=f"吊灯 {n}", result_count=n,
                                    run_by=examiner))
    db.session.commit()


def test_the_case_page_runs_as_many_queries_for_a_long_search_report(center, client, login_as):
    few, many = make_case(center, "fast_retrieval", "searching"), make_case(center, "fast_retrieval", "searching")
    _report(few, center, citations=2)
    _report(many, center, citations=20)
    login_as(center.staff["retrieval"])
    assert queries_of(client, f"/cases/{many.reference}") == queries_of(client, f"/cases/{few.reference}")


def _queue(center, cases: int) -> None:
    """Open cases of different enterprises, posts, assignees and units."""
    for n in range(cases):
        case = make_case(center, ("consultation", "fast_retrieval", "fast_pre_examination")[n % 3],
                         ("answering", "searching", "pre_examination")[n % 3])
        case.organisation = make_organisation()
        case.assignee = make_user(Role.STAFF, posts=[case.post])
        case.delegated_unit = make_unit()
    db.session.commit()


def test_the_staff_queue_runs_as_many_queries_for_twenty_cases_as_for_two(center, client, login_as):
    login_as(center.manager)
    _queue(center, 2)
    two = queries_of(client, "/workspace/?tab=all")
    _queue(center, 18)
    assert queries_of(client, "/workspace/?tab=all") == two
