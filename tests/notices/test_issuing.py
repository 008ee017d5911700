"""Steps of the workflow issue the center's official notices: numbered per kind and year, attached to the step,
downloaded and read by the enterprise in its language, and by nobody who may not see the step."""
from datetime import date

import pytest
from sqlalchemy import select

from ipcenter.accounts.models import Role, User
from ipcenter.cases.models import Case
from ipcenter.cases.operations import advance_case
from ipcenter.extensions import db
from ipcenter.notices.models import Notice
from tests.cases.conftest import center, make_case  # noqa: F401
from tests.cases.test_concurrency import run_together
from tests.conftest import make_user
from tests.notices.conftest import docx_text, downloaded, notice_links
from tests.page_queries import queries_of


def act(client, case, action: str, **inputs):
    """Perform a workflow action as the signed-in user, from the case page."""
    db.session.refresh(case)
    response = client.submit(f"/cases/{case.reference}/actions/{action}", {"version": case.version, **inputs},
                             page=f"/cases/{case.reference}")
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    return response


def notices_on(case) -> list[tuple[str, str]]:
    return [(n.kind, n.number) for n in db.session.scalars(select(Notice).where(Notice.case_id == case.id)
                                                           .order_by(Notice.id))]


def speaks(user, language: str) -> None:
    user.language = language
    db.session.commit()


def test_accepting_a_case_attaches_an_acceptance_notice_the_enterprise_downloads_and_reads(
        client, sign_in, center, notice_day):
    speaks(center.enterprise, "zh")
    first, second = make_case(center, "patent_filing"), make_case(center, "patent_filing")
    sign_in(center.staff["intake"])
    act(client, first, "accept")
    act(client, second, "accept", comment="材料齐全")

    sign_in(center.enterprise)
    page = client.get(f"/cases/{second.reference}").get_data(as_text=True)
    [(number, language, path)] = notice_links(page)
    assert (number, language) == ("古知受〔2026〕0002号", "zh")
    name, data = downloaded(client, path)
    assert name == "受理通知书-古知受〔2026〕0002号.docx"
    text = docx_text(data)
    assert "受理通知书" in text and "古知受〔2026〕0002号" in text
    assert center.enterprise.organisation.name_zh + "：" in text
    assert "2026年11月26日" in text and second.reference in text and "一种LED吸顶灯" in text
    assert "古镇知识产权快速维权中心" in text and "广东省中山市古镇镇" in text
    assert "{{" not in text and "{%" not in text
    accepted = db.session.get(Case, second.id)
    assert [a.original_name for a in accepted.events[-1].attachments] == [name]  # on the step's timeline entry


def test_numbers_run_per_kind_and_start_again_each_year(client, sign_in, center, notice_day):
    speaks(center.enterprise, "zh")
    cases = [make_case(center, "patent_filing") for _ in range(4)]
    sign_in(center.staff["intake"])
    act(client, cases[0], "accept")
    act(client, cases[1], "not_accept", reason="不属于本中心服务范围")
    act(client, cases[2], "accept")
    notice_day(date(2027, 1, 4))
    act(client, cases[3], "accept")
    assert [notices_on(case) for case in cases] == [
        [("acceptance", "古知受〔2026〕0001号")], [("not_accepted", "古知不受〔2026〕0001号")],
        [("acceptance", "古知受〔2026〕0002号")], [("acceptance", "古知受〔2027〕0001号")]]
    sign_in(center.enterprise)
    _, data = downloaded(client, notice_links(client.get(f"/cases/{cases[3].reference}").get_data(as_text=True))
                         [0][2])
    assert "古知受〔2027〕0001号" in docx_text(data) and "2027年1月4日" in docx_text(data)


def test_an_english_speaking_enterprise_gets_the_notice_in_english_too(client, sign_in, center, notice_day):
    speaks(center.enterprise, "en")
    center.enterprise.organisation.name_en = "Huahui Lighting & Sons <Guzhen>"  # written as text, not as XML
    db.session.commit()
    case = make_case(center, "fast_retrieval")
    sign_in(center.staff["intake"])
    act(client, case, "accept")
    sign_in(center.enterprise)
    links = notice_links(client.get(f"/cases/{case.reference}").get_data(as_text=True))
    assert [(number, language) for number, language, _ in links] == [("古知受〔2026〕0001号", "zh"),
                                                                      ("古知受〔2026〕0001号", "en")]
    name, data = downloaded(client, links[1][2])
    assert name == "Acceptance notice-古知受〔2026〕0001号.docx"
    text = docx_text(data)
    assert "Acceptance Notice" in text and "To: Huahui Lighting & Sons <Guzhen>" in text
    assert "26 November 2026" in text and "Fast retrieval" in text and "Guzhen IP Rapid-Protection" in text
    assert "the Chinese notice governs" in text
    assert "受理通知书" in docx_text(downloaded(client, links[0][2])[1])


def test_a_correction_notice_says_what_is_missing_and_by_when(client, sign_in, center, notice_day):
    speaks(center.enterprise, "zh")
    case = make_case(center, "fast_pre_examination", "pre_examination")
    sign_in(center.staff["pre_examination"])
    act(client, case, "request_corrections", comment="请补充六面视图；\n并提交简要说明。")
    due = db.session.get(Case, case.id).due_date
    sign_in(center.enterprise)
    [(number, _, path)] = notice_links(client.get(f"/cases/{case.reference}").get_data(as_text=True))
    text = docx_text(downloaded(client, path)[1])
    assert number == "古知补〔2026〕0001号" and "补正通知书" in text
    assert "请补充六面视图；\n并提交简要说明。" in text  # its lines kept
    assert f"请于{due.year}年{due.month}月{due.day}日前" in text


def test_asking_for_materials_issues_a_correction_notice_too(client, sign_in, center, notice_day):
    case = make_case(center, "consultation")
    sign_in(center.staff["consultation"])
    act(client, case, "request_materials", comment="请提供产品照片")
    assert notices_on(case) == [("correction", "古知补〔2026〕0001号")]


def test_failing_pre_examination_issues_the_fail_notice_instead_of_the_non_acceptance(
        client, sign_in, center, notice_day):
    speaks(center.enterprise, "zh")
    at_intake = make_case(center, "fast_pre_examination")
    examined = make_case(center, "fast_pre_examination", "pre_examination")
    passed = make_case(center, "fast_pre_examination", "pre_examination")
    sign_in(center.staff["intake"])
    act(client, at_intake, "not_accept", reason="非照明类产品")
    sign_in(center.staff["pre_examination"])
    act(client, examined, "not_accept", reason="六面视图不一致")
    act(client, passed, "pass")
    assert notices_on(at_intake) == [("not_accepted", "古知不受〔2026〕0001号")]
    assert notices_on(examined) == [("pre_examination_fail", "古知预不〔2026〕0001号")]
    assert notices_on(passed) == [("pre_examination_pass", "古知预合〔2026〕0001号")]
    sign_in(center.enterprise)
    [(_, _, path)] = notice_links(client.get(f"/cases/{examined.reference}").get_data(as_text=True))
    text = docx_text(downloaded(client, path)[1])
    assert "预审不合格通知书" in text and "六面视图不一致" in text and "水晶吊灯" in text


def test_a_consultation_whose_first_stage_is_the_answer_gets_no_acceptance_notice(client, sign_in, center):
    case = make_case(center, "consultation")
    sign_in(center.staff["consultation"])
    act(client, case, "answer", comment="外观设计专利权的期限为十五年。")
    assert notices_on(case) == []
    assert 'id="notices"' not in client.get(f"/cases/{case.reference}").get_data(as_text=True)


@pytest.fixture
def accepted(client, sign_in, center, notice_day):
    """A case accepted by intake: its acceptance notice's download path."""
    case = make_case(center, "patent_filing")
    sign_in(center.staff["intake"])
    act(client, case, "accept")
    [(_, _, path), *_] = notice_links(client.get(f"/cases/{case.reference}").get_data(as_text=True))
    client.submit("/logout", page="/")
    return case, path


@pytest.mark.parametrize("who, status", [
    ("enterprise", 200), ("outsider_staff", 200), ("manager", 200), ("other_enterprise", 404),
    ("other_reporter", 404), ("delegated_reporter", 200)])
def test_who_may_download_a_notice_follows_who_may_see_the_step(client, sign_in, center, accepted, who, status):
    """The step's entry is public: the enterprise sees it; the center's staff, of any post, see every case; a unit
    sees the case only while it is delegated to it; another enterprise does not learn the case exists."""
    case, path = accepted
    if who == "delegated_reporter":
        db.session.get(Case, case.id).delegated_unit = center.unit
        db.session.commit()
        who = "reporter"
    sign_in(getattr(center, who))
    assert client.get(path).status_code == status
    listed = notice_links(client.get(f"/cases/{case.reference}").get_data(as_text=True))
    assert (path in [href for *_, href in listed]) == (status == 200)


def test_a_second_correction_request_is_a_new_notice_with_the_next_number(client, sign_in, center, notice_day):
    case = make_case(center, "fast_pre_examination", "pre_examination")
    sign_in(center.staff["pre_examination"])
    act(client, case, "request_corrections", comment="请补充六面视图")
    sign_in(center.enterprise)
    act(client, case, "answer_corrections", comment="已补充")
    sign_in(center.staff["pre_examination"])
    act(client, case, "request_corrections", comment="后视图仍不清晰")
    assert notices_on(case) == [("correction", "古知补〔2026〕0001号"), ("correction", "古知补〔2026〕0002号")]


def test_numbers_stay_gapless_when_many_cases_are_accepted_at_once(app, center, notice_day):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("concurrent writers are a PostgreSQL matter; SQLite serialises every write")
    case_ids = [make_case(center, "patent_filing").id for _ in range(8)]
    staff_id = center.staff["intake"].id

    def accept(case_id):
        def job(barrier):
            case, staff = db.session.get(Case, case_id), db.session.get(User, staff_id)
            barrier.wait()
            advance_case(case, "accept", staff)
            return "done"
        return job

    assert run_together(app, [accept(case_id) for case_id in case_ids]) == ["done"] * 8
    numbers = sorted(db.session.scalars(select(Notice.serial).where(Notice.kind == "acceptance")))
    assert numbers == list(range(1, 9))


def test_staff_of_another_post_cannot_take_the_step_that_issues_a_notice(client, sign_in, center):
    case = make_case(center, "patent_filing")
    sign_in(make_user(Role.STAFF, posts=[center.posts["retrieval"]]))
    response = client.submit(f"/cases/{case.reference}/actions/accept", {"version": case.version},
                             page=f"/cases/{case.reference}")
    assert response.status_code == 403
    assert notices_on(case) == []


def test_the_case_page_reads_many_notices_in_as_many_queries_as_one(client, sign_in, center, notice_day):
    one, many = (make_case(center, "fast_pre_examination", "pre_examination") for _ in range(2))
    staff = center.staff["pre_examination"]
    advance_case(one, "request_corrections", staff, comment="请补充")
    for _ in range(4):
        advance_case(many, "request_corrections", staff, comment="请补充")
        advance_case(many, "answer_corrections", center.enterprise, comment="已补充")
    db.session.commit()
    sign_in(center.enterprise)
    assert len(notice_links(client.get(f"/cases/{many.reference}").get_data(as_text=True))) == 8  # zh and en
    assert queries_of(client, f"/cases/{many.reference}") == queries_of(client, f"/cases/{one.reference}")
