"""`flask seed-demo` walks its cases through the real workflow: their notices are issued on the way."""
from sqlalchemy import func, select

from ipcenter.cases.models import Case
from ipcenter.extensions import db
from ipcenter.notices.models import Notice
from tests.notices.conftest import docx_text, downloaded, notice_links
from tests.test_demo import first_run  # noqa: F401


def test_the_demo_cases_carry_their_notices_and_the_enterprise_reads_one(first_run, client):
    kinds = dict(db.session.execute(select(Notice.kind, func.count(Notice.id)).group_by(Notice.kind)).all())
    assert {"acceptance", "not_accepted", "correction", "pre_examination_pass"} <= set(kinds)
    serials = db.session.scalars(select(Notice.serial).where(Notice.kind == "acceptance").order_by(Notice.serial))
    assert list(serials) == list(range(1, kinds["acceptance"] + 1))  # gapless
    notice = db.session.scalar(select(Notice).where(Notice.kind == "acceptance").order_by(Notice.id))
    case = db.session.get(Case, notice.case_id)
    client.submit("/login", {"email": case.submitter.email, "password": "Demo-2026-guzhen"})
    [(number, _, path), *_] = notice_links(client.get(f"/cases/{case.reference}").get_data(as_text=True))
    name, data = downloaded(client, path)
    assert number == notice.number and name == f"受理通知书-{notice.number}.docx"
    assert case.organisation.name_zh in docx_text(data)
