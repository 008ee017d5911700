"""The case page, the staff queue, the patent results and a patent's page run as many SQL statements for twenty
rows (timeline entries, actions, citations, cases, hits) as for two: nothing is loaded row by row."""
import io
from datetime import date

from werkzeug.datastructures import FileStorage

from ipcenter.accounts.models import Role
from ipcenter.calendar import center_today
from ipcenter.cases.operations import (
    _enter_stage,
    add_note,
    assign_case,
    delegate_case,
    end_delegation,
    report_progress,
)
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


def _lamps(count: int, first: int = 0) -> list[Patent]:
    """Chandeliers alike enough to be each other's similar patents; the index follows the commit."""
    lamps = [Patent(country="CN", publication_number=f"CN30{first + n:07d}", kind_code="S", patent_type="design",
                    title=f"六臂水晶吊灯{first + n}", abstract="金色灯臂的六臂水晶吊灯，灯罩为水晶。",
                    publication_date=date(2022, 5, 1), locarno="26-05", applicants=f"中山市古镇灯饰{first + n}厂")
             for n in range(count)]
    db.session.add_all(lamps)
    db.session.commit()
    return lamps


def _cases_citing(center, patent: Patent, count: int) -> list:
    """Retrieval cases citing `patent`: half being searched (each one citable), half with the report delivered."""
    cases = [make_case(center, "fast_retrieval", ("searching", "report_delivered")[n % 2]) for n in range(count)]
    for case in cases:
        db.session.add(Citation(case_id=case.id, patent=patent, category="X", note="相同灯臂",
                                cited_by=center.staff["retrieval"]))
    db.session.commit()
    return cases


def test_the_results_page_runs_as_many_queries_for_twenty_hits_as_for_two(center, client, login_as):
    lamps = _lamps(20)
    wall_lamps = _lamps(2, first=100)
    for lamp in wall_lamps:
        lamp.title = f"壁灯{lamp.id}"
    case = _cases_citing(center, lamps[0], 1)[0]
    db.session.add(Citation(case_id=case.id, patent=wall_lamps[0], category="Y", cited_by=center.staff["retrieval"]))
    login_as(center.staff["retrieval"])
    two = queries_of(client, f"/patents/?q=壁灯&case={case.reference}")
    assert queries_of(client, f"/patents/?q=吊灯&case={case.reference}") == two


def test_a_patents_page_runs_as_many_queries_for_twenty_citations_and_similar_patents_as_for_two(center, client,
                                                                                                login_as):
    lamp = _lamps(3)[0]
    _cases_citing(center, lamp, 2)
    login_as(center.staff["retrieval"])
    two = queries_of(client, f"/patents/{lamp.id}")

    _lamps(18, first=3)
    _cases_citing(center, lamp, 18)
    html = client.get(f"/patents/{lamp.id}").get_data(as_text=True)
    assert html.count('<li><a href="/cases/') == 20 and html.count("六臂水晶吊灯") >= 10
    assert queries_of(client, f"/patents/{lamp.id}") == two
