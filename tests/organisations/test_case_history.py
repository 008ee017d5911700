"""An enterprise's whole case history as a file: every timeline entry of its cases, case by case and oldest first,
for the managers (everything, marked where the enterprise never sees it) and for the enterprise itself (what its
case pages show it, never an internal note); in the reader's language, safe to open, audited and throttled."""

import pytest
from sqlalchemy import select

from ipcenter.accounts.models import Role
from ipcenter.audit.models import AuditEntry
from ipcenter.calendar import CENTER_ZONE
from ipcenter.cases.operations import add_note, advance_case, assign_case, delegate_case, report_progress
from ipcenter.extensions import db
from ipcenter.throttling import init_throttling
from tests.cases.conftest import center, make_case  # noqa: F401  (the fixture)
from tests.conftest import make_user
from tests.spreadsheets import table_rows

HEADERS = {
    "en": ["Reference", "Kind of request", "Title", "Date and time", "What happened", "Details", "By", "Comment",
           "Files"],
    "zh": ["编号", "请求类型", "标题", "日期时间", "办理事项", "详情", "操作人", "说明", "附件"],
}
SHOWN = {"en": "Shown to the enterprise", "zh": "企业可见"}


def history(client, organisation_id: int, file_format: str = "csv") -> list[list[str]]:
    response = client.get(f"/organisations/{organisation_id}/history.{file_format}")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment; filename=history-")
    return table_rows(response, file_format)


def when(event) -> str:
    return event.created_at.astimezone(CENTER_ZONE).strftime("%Y-%m-%d %H:%M")


@pytest.fixture
def worked(center):
    """A consultation asked for materials, answered with them, noted internally and answered; a foreign matter
    delegated to a unit that reported; and another enterprise's case."""
    staff = center.staff["consultation"]
    staff.display_name = "梁主任"
    center.enterprise.display_name = "何经理"
    question = make_case(center, "consultation", title='=HYPERLINK("http://evil.example","展会咨询")')
    assign_case(question, staff, staff)
    advance_case(question, "request_materials", staff, comment="请补充产品照片")
    advance_case(question, "provide_materials", center.enterprise, comment="照片已上传")
    add_note(question, staff, "内部：对方是老客户")
    advance_case(question, "answer", staff, comment="外观设计专利保护期为15年")
    abroad = make_case(center, "foreign_assistance", "in_progress", title="法兰克福灯光展")
    delegate_case(abroad, center.unit, center.staff["foreign_assistance"], "请准备展会取证")
    report_progress(abroad, center.reporter, 40, "已联系展会主办方")
    make_case(center, "consultation", title="别家的咨询").organisation_id = center.other_enterprise.organisation_id
    db.session.commit()
    return question, abroad


def files_of(event) -> str:
    """The Files cell of an entry: the correction notice the step issued, in Chinese and English."""
    names = [attachment.original_name for attachment in event.attachments]
    assert names and names[0].startswith("补正通知书")
    return "\n".join(names)


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_the_enterprise_reads_what_its_case_pages_show_it_and_never_an_internal_note(
        client, login_as, center, worked, file_format):
    question, abroad = worked
    submitted, _, asked, answered_materials, _, answered = question.events
    login_as(center.enterprise)
    rows = history(client, center.enterprise.organisation_id, file_format)
    case = [question.reference, "Consultation", "'" + question.title]
    assert rows == [
        HEADERS["en"],
        [*case, when(submitted), "Request submitted", "", "何经理", "", ""],
        [*case, when(asked), "Request materials: Answering → Awaiting your materials", "", "梁主任",
         "请补充产品照片", files_of(asked)],
        [*case, when(answered_materials), "Provide the materials: Awaiting your materials → Answering", "", "何经理",
         "照片已上传", ""],
        [*case, when(answered), "Answer: Answering → Answered", "", "梁主任", "外观设计专利保护期为15年", ""],
        [abroad.reference, "Foreign-related assistance", "法兰克福灯光展", when(abroad.events[0]), "Request submitted",
         "", "何经理", "", ""],
    ]
    # The case page names the staff member to the enterprise as the file does.
    assert "梁主任" in client.get(f"/cases/{question.reference}").get_data(as_text=True)


def test_in_chinese_the_enterprise_reads_its_stages_as_its_case_page_names_them(client, login_as, center, worked):
    question, _ = worked
    center.enterprise.language = "zh"
    db.session.commit()
    login_as(center.enterprise)
    rows = history(client, center.enterprise.organisation_id)
    assert rows[0] == HEADERS["zh"]
    assert [row[4] for row in rows[1:5]] == ["已提交请求", "要求补充材料：答复中 → 待您补充材料",
                                             "提交补充材料：待您补充材料 → 答复中", "答复：答复中 → 已答复"]
    assert rows[1][:2] == [question.reference, "咨询"]


@pytest.mark.parametrize("language", ["en", "zh"])
def test_a_manager_reads_every_entry_marked_where_the_enterprise_never_sees_it(
        client, login_as, center, worked, language):
    question, abroad = worked
    submitted, assigned, asked, provided, noted, answered = question.events
    _, delegated, reported = abroad.events
    center.manager.language = language
    db.session.commit()
    login_as(center.manager)
    rows = history(client, center.enterprise.organisation_id, "xlsx")
    words = {
        "en": ["Request submitted", "Assigned to 梁主任", "Request materials: Answering → Awaiting materials",
               "Provide the materials: Awaiting materials → Answering", "Internal note", "Answer: Answering → Answered",
               "Request submitted", "Delegated to a unit: 测试代理所", "Progress report from 测试代理所", "Yes", "No"],
        "zh": ["已提交请求", "已分派给梁主任", "要求补充材料：答复中 → 等待补充材料",
               "提交补充材料：等待补充材料 → 答复中", "内部备注", "答复：答复中 → 已答复", "已提交请求",
               "委托示范单位：测试代理所", "测试代理所的进度报告", "是", "否"],
    }[language]
    unit = center.unit.name_zh
    words = [word.replace("测试代理所", unit) for word in words]
    yes, no = words[9], words[10]
    assert rows[0] == [*HEADERS[language], SHOWN[language]]
    assert [row[3:] for row in rows[1:]] == [
        [when(submitted), words[0], "", "何经理", "", "", yes],
        [when(assigned), words[1], "", "梁主任", "", "", no],
        [when(asked), words[2], "", "梁主任", "请补充产品照片", files_of(asked), yes],
        [when(provided), words[3], "", "何经理", "照片已上传", "", yes],
        [when(noted), words[4], "", "梁主任", "内部：对方是老客户", "", no],
        [when(answered), words[5], "", "梁主任", "外观设计专利保护期为15年", "", yes],
        [when(abroad.events[0]), words[6], "", "何经理", "", "", yes],
        [when(delegated), words[7], "", center.staff["foreign_assistance"].display_name, "请准备展会取证", "", no],
        [when(reported), words[8], "40%", center.reporter.display_name, "已联系展会主办方", "", no],
    ]
    assert {row[0] for row in rows[1:]} == {question.reference, abroad.reference}  # not the other enterprise's


def test_the_download_is_audited(client, login_as, center, worked):
    login_as(center.manager)
    history(client, center.enterprise.organisation_id)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "organisation.history_exported"))
    assert (entry.actor_id, entry.object_kind, entry.object_id) == (
        center.manager.id, "organisation", str(center.enterprise.organisation_id))
    assert entry.after == {"format": "csv", "entries": 9, "cases": 2}


@pytest.mark.parametrize("who", ["other_enterprise", "staff", "reporter"])
def test_another_enterprise_staff_who_are_not_managers_and_units_are_refused(client, login_as, center, worked, who):
    login_as({"other_enterprise": center.other_enterprise, "staff": center.staff["consultation"],
              "reporter": center.reporter}[who])
    assert client.get(f"/organisations/{center.enterprise.organisation_id}/history.csv").status_code == 403
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "organisation.history_exported"))
    assert entry is None


def test_a_visitor_is_sent_to_log_in_and_unknown_files_are_not_found(client, login_as, center):
    answer = client.get(f"/organisations/{center.enterprise.organisation_id}/history.csv")
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]
    login_as(center.manager)
    assert client.get(f"/organisations/{center.enterprise.organisation_id}/history.pdf").status_code == 404
    assert client.get("/organisations/99999/history.csv").status_code == 404


def test_the_links_are_on_the_managers_enterprise_page_and_on_my_enterprise(client, login_as, center):
    link = f'href="/organisations/{center.enterprise.organisation_id}/history.xlsx"'
    login_as(center.manager)
    assert link in client.get(f"/admin/organisations/{center.enterprise.organisation_id}").get_data(as_text=True)
    client.submit("/logout", page="/")
    login_as(center.enterprise)
    assert link in client.get("/organisation").get_data(as_text=True)
    colleague = make_user(Role.ENTERPRISE, organisation=center.enterprise.organisation)
    client.submit("/logout", page="/")
    login_as(colleague)
    assert len(history(client, center.enterprise.organisation_id)) == 1  # a colleague too; no case yet


def test_downloads_are_throttled_per_user(app, client, login_as, center):
    app.config.update(EXPORT_RATE_LIMIT="2 per hour", REDIS_URL=None)
    init_throttling(app)
    login_as(center.enterprise)
    path = f"/organisations/{center.enterprise.organisation_id}/history.csv"
    assert [client.get(path).status_code for _ in range(3)] == [200, 200, 429]
