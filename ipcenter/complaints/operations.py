"""The respondent's side of a complaint: its link, its answer, the files released to it; the prior-art search a
complaint starts. Each operation changes objects, writes its trail and flushes; the request commits."""
from datetime import datetime, time, timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import or_, select, update

from ..accounts.models import User
from ..audit.operations import record
from ..calendar import CENTER_ZONE
from ..cases.models import Attachment, Case, CaseEvent
from ..cases.operations import add_note, advance_case, advance_case_by_link, submit_case
from ..cases.rules import CaseRefused
from ..cases.signals import step_taken
from ..cases.workflow import Actor, Transition
from ..database import utcnow
from ..extensions import db
from ..i18n import center_name, local_time
from ..mail import external_url, queue_mail
from ..patents.models import Patent
from .models import ReleasedAttachment, RespondentLink, is_released, respondents_notices
from .queries import enforced_patent

LINK_SALT = "respondent-link"
# How long after the answer's deadline the link still takes an answer. The deadline is the respondent's, and staff
# may request measures from that moment (the answer then finds the case moved on); the hour only saves an answer
# being written or uploaded as the deadline strikes (a phone on a fair's crowded network, a few megabytes of
# evidence), which the timeline shows as late. Longer would blur the fair's 24 hours, which the fair enforces by
# covering the exhibit; shorter would lose what is already on its way.
LINK_GRACE = timedelta(hours=1)
# What a complaint starts to test the patent it enforces: a novelty search against the prior art.
VALIDITY_SEARCH = "fast_retrieval"
VALIDITY_PURPOSE = "novelty"


class LinkSpent(CaseRefused):
    """The link has been used: the answer it carried was received."""


class LinkExpired(CaseRefused):
    """The link's time is over."""


# The link ---------------------------------------------------------------------------------------------------

def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=LINK_SALT)


def link_token(link: RespondentLink) -> str:
    """The link's id, signed: staff can show the link again at any time, and no token is stored to be stolen."""
    return _serializer().dumps(link.id)


def link_from_token(token: str) -> RespondentLink | None:
    """The link a token names, or None for a token the center never signed."""
    try:
        link_id = _serializer().loads(token)
    except BadSignature:
        return None
    return db.session.get(RespondentLink, link_id) if isinstance(link_id, int) else None


def link_address(link: RespondentLink) -> str:
    return external_url("complaints.respond_by_link", token=link_token(link))


def answer_deadline(case: Case) -> datetime | None:
    """When the respondent's time ends: the instant on a clock in hours, else the end of the due day (center time)."""
    if case.due_at is not None:
        return case.due_at
    if case.due_date is None:
        return None
    return datetime.combine(case.due_date + timedelta(days=1), time.min, CENTER_ZONE)


@step_taken.connect
def link_on_notice(case: Case, event: CaseEvent, actor: User | None) -> RespondentLink | None:
    """A step that asks the respondent to answer (staff notifying it) makes the respondent's link."""
    transition = case.workflow.transition(event.action) if event.action else None
    if transition is None or transition.target not in case.workflow.respondent_stages or actor is None:
        return None
    return make_link(case, actor)


def make_link(case: Case, actor: User) -> RespondentLink:
    """A new link for the respondent, which replaces any earlier one still unused; emailed to the respondent when
    the complaint gives its address (staff see it on the case page to send it by other means)."""
    deadline = answer_deadline(case)
    assert deadline is not None, "the stage where the respondent answers has a deadline"
    now = utcnow()
    db.session.execute(update(RespondentLink).where(RespondentLink.case_id == case.id,
                                                    RespondentLink.used_at.is_(None),
                                                    RespondentLink.expires_at > now).values(expires_at=now))
    link = RespondentLink(case=case, created_by=actor, created_at=now, expires_at=deadline + LINK_GRACE,
                          emailed_to=case.respondent_email)
    db.session.add(link)
    db.session.flush()
    record("respondent.link_made", "case", case.reference, actor=actor,
           after={"link_id": link.id, "expires_at": link.expires_at.isoformat(), "emailed_to": link.emailed_to})
    if case.respondent_email:
        _mail_notice(case.respondent_email, case, link)
    return link


def _mail_notice(address: str, case: Case, link: RespondentLink) -> None:
    """The notice and its link, in Chinese (the respondent is a mainland enterprise with no known language)."""
    queue_mail(address, _l("%(center)s: complaint %(reference)s against you — please answer",
                                         center=center_name("zh"), reference=case.reference),
               "respondent_notice", language="zh", case=case, link=link_address(link), deadline=answer_deadline(case),
               expires_at=link.expires_at)


def latest_link(case: Case) -> RespondentLink | None:
    return db.session.scalar(select(RespondentLink).where(RespondentLink.case_id == case.id)
                             .order_by(RespondentLink.id.desc()).limit(1))


# The answer ---------------------------------------------------------------------------------------------------

def respondent_step(case: Case) -> Transition | None:
    """The step the respondent may take now (its answer), if the case waits for it."""
    return next((t for t in case.workflow.transitions_from(case.stage) if Actor.RESPONDENT in t.actors), None)


MOVED_ON = _l("The center is no longer waiting for an answer here: it has already recorded one, or the complaint "
              "has moved on. Nothing was sent. Contact the center, quoting the reference %(reference)s.")


def answer_by_link(link: RespondentLink, comment: str, files=()) -> CaseEvent:
    """The respondent's answer through its link: the step, taken by nobody signed in; the link is then spent."""
    if link.used_at is not None:
        raise LinkSpent(_l("This link has been used already: the center received your answer on %(when)s.",
                           when=local_time(link.used_at, "short")))
    if link.expired:
        raise LinkExpired(_l("The time to answer through this link is over."))
    step = respondent_step(link.case)
    if step is None:
        raise CaseRefused(MOVED_ON % {"reference": link.case.reference})
    event = advance_case_by_link(link.case, step.action, comment=comment, files=files)
    _spend_links(link.case)
    return event


def answer_as_respondent(case: Case, user: User, comment: str, files=()) -> CaseEvent:
    """The answer of a user of the registered respondent, from its own page: that user is the actor."""
    step = respondent_step(case)
    if step is None:
        raise CaseRefused(MOVED_ON % {"reference": case.reference})
    event = advance_case(case, step.action, user, comment=comment, files=files)
    _spend_links(case)
    return event


def _spend_links(case: Case) -> None:
    """The respondent has answered: its links take no second answer, and say when the first came."""
    db.session.execute(update(RespondentLink).where(RespondentLink.case_id == case.id,
                                                    RespondentLink.used_at.is_(None)).values(used_at=utcnow()))


def respondent_answer(case: Case) -> CaseEvent | None:
    """The respondent's own answer (through its link or its page), if it has given one."""
    for event in reversed(case.events):
        transition = case.workflow.transition(event.action) if event.action else None
        if transition is not None and Actor.RESPONDENT in transition.actors:
            return event
    return None


# Files released to the respondent -------------------------------------------------------------------------------

def release_to_respondent(case: Case, attachment: Attachment, actor: User) -> None:
    """Offer one file of the case to the respondent (its link page, its users' page)."""
    _check_file_of(case, attachment)
    if is_released(attachment):
        return
    db.session.add(ReleasedAttachment(attachment_id=attachment.id, case_id=case.id, released_by_id=actor.id))
    db.session.flush()
    record("respondent.document_released", "case", case.reference, actor=actor,
           after={"attachment_id": attachment.id, "name": attachment.original_name})


def withdraw_from_respondent(case: Case, attachment: Attachment, actor: User) -> None:
    _check_file_of(case, attachment)
    released = db.session.get(ReleasedAttachment, attachment.id)
    if released is None:
        return
    db.session.delete(released)
    db.session.flush()
    record("respondent.document_withdrawn", "case", case.reference, actor=actor,
           after={"attachment_id": attachment.id, "name": attachment.original_name})


def _check_file_of(case: Case, attachment: Attachment) -> None:
    if attachment.case_id != case.id or not case.workflow.respondent_stages:
        raise CaseRefused(_l("This file is not one of this complaint's."))


def released_files(case: Case) -> list[Attachment]:
    """What the respondent may read of the case: the notices addressed to it, and the files staff released."""
    released = select(ReleasedAttachment.attachment_id).where(ReleasedAttachment.case_id == case.id)
    return list(db.session.scalars(select(Attachment).where(
        Attachment.case_id == case.id,
        or_(Attachment.id.in_(released), Attachment.id.in_(respondents_notices(case.id)))).order_by(Attachment.id)))


# The prior-art search a complaint starts -----------------------------------------------------------------------

def start_validity_search(complaint: Case, actor: User) -> Case:
    """A fast-retrieval case for the complainant's enterprise, searching the prior art against the patent the
    complaint enforces; linked to the complaint (each case page shows the other)."""
    earlier = validity_search(complaint)
    if earlier is not None:
        raise CaseRefused(_l("This complaint already has its search: %(reference)s.", reference=earlier.reference))
    if not complaint.is_open:
        raise CaseRefused(_l("A closed complaint starts no search."))
    patent = enforced_patent(complaint)
    search = submit_case(complaint.organisation, actor, VALIDITY_SEARCH, _search_request(complaint, patent))
    search.linked_case = complaint
    add_note(complaint, actor, _("Prior-art search %(reference)s started for the validity of %(patent)s.",
                                 reference=search.reference, patent=complaint.patent_number))
    record("complaint.search_started", "case", complaint.reference, actor=actor,
           after={"search": search.reference, "patent": complaint.patent_number})
    return search


def validity_search(complaint: Case) -> Case | None:
    return next((case for case in complaint.started_cases if case.case_type == VALIDITY_SEARCH), None)


def _search_request(complaint: Case, patent: Patent | None) -> dict:
    described = patent.title if patent is not None else complaint.title
    return dict(
        title=_("Validity of %(patent)s (complaint %(reference)s)", patent=complaint.patent_number,
                reference=complaint.reference)[:200],
        description=_("The patent %(patent)s is enforced in complaint %(reference)s. Search the prior art before its "
                      "filing date: is it new?", patent=complaint.patent_number, reference=complaint.reference),
        retrieval_purpose=VALIDITY_PURPOSE, patent_kind=complaint.patent_kind,
        target_description=_("%(patent)s: %(described)s", patent=complaint.patent_number, described=described))
