"""An enterprise registers itself; bad input is refused beside the field and writes nothing."""
import pytest
from sqlalchemy import func, select

from ipcenter.accounts.models import Role, User
from ipcenter.extensions import db
from ipcenter.organisations.models import Organisation, OrganisationStatus
from tests.conftest import link_in, make_user, valid_credit_code


def registration(**overrides):
    form = {
        "name_zh": "中山市古镇新光灯饰有限公司", "name_en": "Xinguang Lighting", "credit_code": valid_credit_code(),
        "address": "广东省中山市古镇镇同兴路1号", "contact_person": "梁小姐", "phone": "0760-22381234",
        "organisation_email": "info@xinguang.cn", "main_products": "LED 吸顶灯",
        "display_name": "梁小姐", "email": "liang@xinguang.cn", "password": "Xinguang-2026", "confirm": "Xinguang-2026",
    }
    form.update(overrides)
    return form


def confirm(client, mailbox):
    """The new user opens the link in the confirmation email."""
    [message] = [m for m in mailbox() if m["Subject"] == "Confirm your email address"]
    return client.get(link_in(message), follow_redirects=True)


def counts():
    return (db.session.scalar(select(func.count(Organisation.id))), db.session.scalar(select(func.count(User.id))))


def test_registration_creates_a_pending_enterprise_whose_user_confirms_the_email_then_logs_in(client, mailbox):
    response = client.submit("/register", registration(), follow_redirects=True)
    assert "we have emailed a link to liang@xinguang.cn" in response.get_data(as_text=True)
    organisation = db.session.scalar(select(Organisation))
    assert organisation.status == OrganisationStatus.PENDING
    [user] = organisation.users
    assert user.role == Role.ENTERPRISE and user.email == "liang@xinguang.cn"

    confirm(client, mailbox)
    response = client.submit("/login", {"email": "liang@xinguang.cn", "password": "Xinguang-2026"},
                             follow_redirects=True)
    assert "Pending record" in client.get("/organisation").get_data(as_text=True)


def test_credit_code_is_accepted_with_spaces_and_lower_case(client):
    code = valid_credit_code()
    client.submit("/register", registration(credit_code=" " + code[:9].lower() + " " + code[9:] + " "))
    assert db.session.scalar(select(Organisation.credit_code)) == code


@pytest.mark.parametrize("field, value, message", [
    ("credit_code", "91442000MA00000010", "not a valid unified social credit code"),
    ("credit_code", "9144200", "not a valid unified social credit code"),
    ("phone", "12345", "mainland-China phone number"),
    ("phone", "23812345678", "mainland-China phone number"),
    ("email", "not-an-email", "Enter a valid email address."),
    ("password", "Lamp-2026", "Use at least 12 characters."),
    ("password", "password1234", "list of common or leaked passwords"),
    ("confirm", "Different-2026", "The two passwords differ."),
    ("name_zh", "灯" * 201, "Field cannot be longer than 200 characters."),
    ("main_products", "", "This field is required."),
])
def test_bad_input_is_refused_beside_the_field_and_nothing_is_written(client, field, value, message):
    response = client.submit("/register", registration(**{field: value}))
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert 'is-invalid' in response.get_data(as_text=True)
    assert counts() == (0, 0)


def test_duplicate_credit_code_is_refused(client):
    existing = make_user(Role.ENTERPRISE)
    before = counts()
    response = client.submit("/register", registration(credit_code=existing.organisation.credit_code))
    assert "already registered" in response.get_data(as_text=True)
    assert counts() == before




def test_registration_without_csrf_token_gets_the_friendly_page(client):
    response = client.post("/register", data=registration())
    assert response.status_code == 400
    assert "This form has expired" in response.get_data(as_text=True)
    assert counts() == (0, 0)


def test_logged_in_user_is_sent_home_from_registration(client, login_as, users):
    login_as(users["staff"])
    assert client.get("/register").status_code == 302
