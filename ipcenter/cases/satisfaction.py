"""The one question asked when a case closes: how satisfied the enterprise is with the center's work on it, 1 to
5, with a comment if it likes. Asked at the endings the workflow names (`CaseType.rated_endings`), of the users of
the enterprise that made the request, on the case page, on their home page and in the closing's email; answered
once per case, whoever of the enterprise answers and however often the case is reopened and closed again.
"""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, or_, select
from sqlalchemy.exc import IntegrityError

from ..audit.operations import record, record_failure
from ..extensions import db
from ..i18n import local_time
from ..mail import external_url
from ..notifications.signals import mail_additions
from ..permissions import can
from .models import Case, SatisfactionAnswer
from .operations import ActionForbidden
from .rules import CaseRefused
from .workflow import CASE_TYPES


class AlreadyAnswered(CaseRefused):
    """The enterprise has answered for this case already: the center asks once."""


def answer_of(case: Case) -> SatisfactionAnswer | None:
    return db.session.scalar(select(SatisfactionAnswer).where(SatisfactionAnswer.case_id == case.id))


def rate_case(case: Case, actor, score: int, comment: str | None = None) -> SatisfactionAnswer:
    """Keep the enterprise's answer, if the center asks this user and nobody of the enterprise has answered yet."""
    if not can(actor, "case.rate", case):
        record_failure("access.denied", "case", case.reference, actor=actor, after={"permission": "case.rate"})
        if can(actor, "case.requester", case):
            raise CaseRefused(_l("The center asks how satisfied you are once the case has closed with its result "
                                 "or was not accepted; this case is at the stage “%(stage)s”.",
                                 stage=case.current_stage.name))
        raise ActionForbidden(_l("Only the enterprise that made the request is asked how satisfied it is."))
    earlier = answer_of(case)
    if earlier is None:
        answer = SatisfactionAnswer.about(case, actor, score, (comment or "").strip())
        earlier = _kept_unless_answered(case, answer)
        if earlier is None:
            record("case.rated", "case", case.reference, actor=actor, after={"score": score})
            return answer
    raise AlreadyAnswered(_l("%(name)s answered for your enterprise on %(when)s: the center asks once per case.",
                             name=earlier.answered_by.display_name, when=local_time(earlier.answered_at, "short")))


def _kept_unless_answered(case: Case, answer: SatisfactionAnswer) -> SatisfactionAnswer | None:
    """None once `answer` is in; if a colleague answered at the same moment (the unique case let theirs in
    first), theirs, this transaction rolled back."""
    case_id = case.id
    db.session.add(answer)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        earlier = db.session.scalar(select(SatisfactionAnswer).where(SatisfactionAnswer.case_id == case_id))
        if earlier is None:
            raise
        return earlier
    return None


def awaiting_answer():
    """In a query: the case ended where the center asks how satisfied the enterprise is, and nobody answered."""
    rated = or_(*((Case.case_type == t.code) & Case.stage.in_(sorted(t.rated_endings)) for t in CASE_TYPES.values()))
    return Case.closed_at.is_not(None) & rated & ~exists().where(SatisfactionAnswer.case_id == Case.id)


@mail_additions.connect
def question_in_closing_mail(notification, user) -> str | None:
    """The email of the step that closed the case asks the enterprise's users the question, with a link to it."""
    case, event = notification.case, notification.event
    if case is None or event is None or event.to_stage != case.stage or not can(user, "case.rate", case):
        return None
    if answer_of(case) is not None:
        return None
    return _("How satisfied are you with the center’s work on this request? Answer from 1 (very dissatisfied) to 5 "
             "(very satisfied), with a comment if you like; the center asks once: %(link)s",
             link=external_url("cases.satisfaction", reference=case.reference))
