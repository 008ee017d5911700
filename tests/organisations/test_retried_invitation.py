"""Forms that make something unique need no submission key: sent again, the unique email refuses the copy."""
from sqlalchemy import func, select

from ipcenter.accounts.models import User
from ipcenter.extensions import db


def test_an_invitation_sent_again_after_its_answer_was_lost_makes_one_account_and_one_mail(client, login_as, users,
                                                                                          mailbox):
    login_as(users["enterprise"])
    form = {"invite-email": "colleague@example.cn", "invite-display_name": "何同事",
            "csrf_token": client.csrf_token("/organisation")}
    client.post("/organisation/invite", data=form)  # committed; suppose the answer never arrived
    retry = client.post("/organisation/invite", data=form)
    assert retry.status_code == 400 and "An account with this email already exists." in retry.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).where(User.email == "colleague@example.cn")) == 1
    assert len(mailbox()) == 1
