"""Each user chooses how to hear of each group of events: in the app only, by email at once, or in the daily
digest; the settings page shows only the groups of the user's role, and the next digest's time."""
import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from ipcenter.accounts.models import Role
from ipcenter.extensions import db
from ipcenter.notifications.models import (
    EVENT_GROUPS,
    MESSAGES,
    Delivery,
    Notification,
    NotificationSetting,
    groups_heard_by,
)
from ipcenter.organisations.models import ReviewAction
from ipcenter.organisations.operations import review_organisation
from tests.cases.conftest import make_case
from tests.notifications.conftest import mail_to


def groups_on(page: str) -> list[str]:
    return re.findall(r'<fieldset class="mb-3" id="(\w+)"', page)


def chosen_on(page: str) -> dict[str, int]:
    """The choice each group's radio buttons show."""
    return {name: int(value) for name, value in
            re.findall(r'<input checked [^>]*name="(\w+)" type="radio" value="(\d)">', page)}


def kinds_for(user) -> list[str]:
    return list(db.session.scalars(select(Notification.kind).where(Notification.user_id == user.id)
                                   .order_by(Notification.id)))


def answer(client, login_as, center, case) -> None:
    """The consultation post answers the enterprise's question (the enterprise hears: stage changed)."""
    login_as(center.staff["consultation"])
    response = client.submit(f"/cases/{case.reference}/actions/answer",
                             {"version": case.version, "comment": "保护期十五年"}, page="/")
    assert response.status_code == 302


def test_every_kind_of_notification_belongs_to_exactly_one_group():
    grouped = [kind for group in EVENT_GROUPS for kind in group.kinds]
    assert sorted(grouped) == sorted(MESSAGES)


def test_the_settings_page_is_found_from_the_account_menu_and_the_inbox(client, login_as, center):
    login_as(center.enterprise)
    assert 'id="nav-notification-settings" href="/notifications/settings"' in client.get("/").get_data(as_text=True)
    inbox = client.get("/notifications/").get_data(as_text=True)
    assert 'id="notification-settings" href="/notifications/settings"' in inbox


@pytest.mark.parametrize("person, groups", [
    ("enterprise", ["stage_changed", "enterprise_record"]),
    ("staff", ["new_work", "stage_changed", "assigned", "unit_reports", "deadlines"]),
    ("manager", ["new_work", "stage_changed", "assigned", "unit_reports", "deadlines"]),
    ("reporter", ["delegation"]),
])
def test_each_role_chooses_only_for_the_events_it_hears_of(client, login_as, center, person, groups):
    user = center.staff["intake"] if person == "staff" else getattr(center, person)
    login_as(user)
    page = client.get("/notifications/settings").get_data(as_text=True)
    assert groups_on(page) == groups
    # every group offers the three choices, at once (today's behaviour) chosen until the user chooses otherwise
    assert page.count('type="radio"') == 3 * len(groups)
    assert chosen_on(page) == dict.fromkeys(groups, Delivery.AT_ONCE.value)


def test_an_enterprise_never_sees_its_posts_queue():
    assert "new_work" not in [group.code for group in groups_heard_by(Role.ENTERPRISE)]


def test_in_the_app_only_brings_the_notification_but_no_email(client, login_as, center, choose):
    case = make_case(center, "consultation")
    choose(center.enterprise, stage_changed=Delivery.IN_APP)
    answer(client, login_as, center, case)
    assert kinds_for(center.enterprise) == ["stage_changed"]
    assert mail_to(center.enterprise, case.reference) == []


def test_email_at_once_brings_one_email(client, login_as, center, choose):
    case = make_case(center, "consultation")
    choose(center.enterprise, stage_changed=Delivery.IN_APP)
    choose(center.enterprise, stage_changed=Delivery.AT_ONCE)  # changed back
    answer(client, login_as, center, case)
    assert kinds_for(center.enterprise) == ["stage_changed"]
    assert len(mail_to(center.enterprise, case.reference)) == 1


def test_a_choice_is_kept_and_shown_again(client, login_as, center, choose):
    choose(center.staff["intake"], new_work=Delivery.DIGEST, deadlines=Delivery.IN_APP)
    login_as(center.staff["intake"])
    page = client.get("/notifications/settings").get_data(as_text=True)
    assert chosen_on(page) == {"new_work": 3, "stage_changed": 2, "assigned": 2, "unit_reports": 2, "deadlines": 1}
    assert {(s.event_group, s.delivery) for s in db.session.scalars(select(NotificationSetting))} == {
        ("new_work", Delivery.DIGEST), ("deadlines", Delivery.IN_APP), ("stage_changed", Delivery.AT_ONCE),
        ("assigned", Delivery.AT_ONCE), ("unit_reports", Delivery.AT_ONCE)}


@pytest.mark.parametrize("sent, error", [("weekly", "Invalid Choice: could not coerce."),
                                         ("7", "Not a valid choice.")])
def test_an_unknown_choice_is_refused_beside_its_group(client, login_as, center, sent, error):
    login_as(center.enterprise)
    response = client.submit("/notifications/settings", {"stage_changed": sent, "enterprise_record": "1"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    stage_group = page[page.index('id="stage_changed"'):page.index('id="enterprise_record"')]
    assert error in stage_group and "is-invalid" in stage_group
    assert db.session.scalars(select(NotificationSetting)).all() == []


def test_a_group_of_another_role_cannot_be_set(client, login_as, center):
    login_as(center.enterprise)
    response = client.submit("/notifications/settings", {"stage_changed": "1", "enterprise_record": "3",
                                                         "new_work": "3"})
    assert response.status_code == 302
    assert {s.event_group for s in db.session.scalars(select(NotificationSetting))} == {
        "stage_changed", "enterprise_record"}


@pytest.mark.parametrize("now, hour, shown", [
    (datetime(2026, 11, 26, 23, 59, tzinfo=UTC), 8, "2026-11-27 08:00"),  # 07:59 in Zhongshan: this morning's
    (datetime(2026, 11, 27, 0, 1, tzinfo=UTC), 8, "2026-11-28 08:00"),  # 08:01: tomorrow's
    (datetime(2026, 11, 27, 0, 0, tzinfo=UTC), 8, "2026-11-28 08:00"),  # 08:00 sharp: being sent now
    (datetime(2026, 11, 27, 9, 59, tzinfo=UTC), 18, "2026-11-27 18:00"),
    (datetime(2026, 12, 31, 10, 30, tzinfo=UTC), 18, "2027-01-01 18:00"),
])
def test_the_page_shows_the_next_digest_in_the_centers_time(app, client, login_as, center, choose, clock, now, hour,
                                                            shown):
    app.config["DIGEST_HOUR"] = hour
    choose(center.staff["intake"], deadlines=Delivery.DIGEST)
    clock(now)
    login_as(center.staff["intake"])
    page = client.get("/notifications/settings").get_data(as_text=True)
    assert re.search(r'<p id="next-digest"[^>]*>Next daily digest: ([^<]+)</p>', page).group(1) == shown


def test_no_digest_time_is_promised_to_whom_no_digest_is_sent(client, login_as, center, choose):
    choose(center.staff["intake"], deadlines=Delivery.DIGEST)
    login_as(center.staff["intake"])
    assert 'id="next-digest"' in client.get("/notifications/settings").get_data(as_text=True)
    response = client.submit("/notifications/settings", {"deadlines": int(Delivery.IN_APP)}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert 'id="next-digest"' not in page
    assert "You get no daily digest: no kind of event below is set to it." in page


def test_the_page_speaks_chinese(client, login_as, center, choose):
    center.enterprise.language = "zh"
    choose(center.enterprise, stage_changed=Delivery.DIGEST)
    login_as(center.enterprise)
    page = client.get("/notifications/settings").get_data(as_text=True)
    assert "每日摘要邮件" in page and "下次每日摘要" in page


def test_a_decision_on_the_record_is_mailed_only_to_those_who_hear_of_it_at_once(center, choose):
    colleague = center.enterprise
    choose(colleague, enterprise_record=Delivery.IN_APP)
    review_organisation(colleague.organisation, ReviewAction.SUSPEND, center.manager, reason="质押到期")
    db.session.commit()
    assert kinds_for(colleague) == ["organisation_suspended"]
    assert mail_to(colleague) == []
    choose(colleague, enterprise_record=Delivery.AT_ONCE)
    review_organisation(colleague.organisation, ReviewAction.REINSTATE, center.manager)
    db.session.commit()
    assert len(mail_to(colleague, "Your enterprise record")) == 1
