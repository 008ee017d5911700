"""Business rules for enterprises, units and posts."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..accounts.models import Role, User
from ..accounts.operations import (
    create_user,
    find_user_by_email,
    normalise_email,
    send_email_confirmation,
    spend_hashing_time,
    tell_owner_of_registration_attempt,
)
from ..audit.operations import record
from ..extensions import db
from ..mail import external_url, queue_mail
from ..notifications.operations import notify
from ..validators import compact_phone
from .models import (
    DemonstrationUnit,
    Organisation,
    OrganisationReview,
    OrganisationStatus,
    Post,
    ReviewAction,
    UnitKind,
)


class ReviewRefused(ValueError):
    """A review decision that the enterprise's current status does not allow."""


# Which decisions are possible from which status, and where each leads.
REVIEW_TRANSITIONS = {
    ReviewAction.APPROVE: ({OrganisationStatus.PENDING, OrganisationStatus.REJECTED}, OrganisationStatus.RECORDED),
    ReviewAction.REJECT: ({OrganisationStatus.PENDING}, OrganisationStatus.REJECTED),
    ReviewAction.SUSPEND: ({OrganisationStatus.RECORDED}, OrganisationStatus.SUSPENDED),
    ReviewAction.REINSTATE: ({OrganisationStatus.SUSPENDED}, OrganisationStatus.RECORDED),
}
REASON_REQUIRED = {ReviewAction.REJECT, ReviewAction.SUSPEND}
# The notification each decision sends to the enterprise's users (besides the email that gives the reason).
REVIEW_NOTIFICATIONS = {
    ReviewAction.APPROVE: "organisation_recorded", ReviewAction.REJECT: "organisation_rejected",
    ReviewAction.SUSPEND: "organisation_suspended", ReviewAction.REINSTATE: "organisation_reinstated",
}


def register_enterprise(details: dict, display_name: str, email: str, password: str,
                        language: str) -> User | None:
    """Create a pending enterprise and its first user, who keeps the language they registered in and
    confirms the email before logging in. An email that has an account registers nothing: its owner
    is told by mail, and the visitor sees the same answer (and waits as long) as for a new one."""
    existing = find_user_by_email(email)
    if existing is not None:
        spend_hashing_time(password)
        tell_owner_of_registration_attempt(existing)
        return None
    organisation = Organisation(
        name_zh=details["name_zh"].strip(),
        name_en=(details.get("name_en") or "").strip() or None,
        credit_code=details["credit_code"],
        address=details["address"].strip(),
        contact_person=details["contact_person"].strip(),
        phone=compact_phone(details["phone"]),
        email=normalise_email(details["organisation_email"]),
        main_products=details["main_products"].strip(),
        status=OrganisationStatus.PENDING,
    )
    db.session.add(organisation)
    user = create_user(email, display_name, Role.ENTERPRISE, password=password, organisation=organisation,
                       language=language)
    user.email_verified = False
    send_email_confirmation(user)
    return user


def registrations_with_same_credit_code(organisation: Organisation) -> list[Organisation]:
    """Other registrations that gave this enterprise's credit code (rejected ones free it)."""
    return list(db.session.scalars(select(Organisation).where(
        Organisation.credit_code == organisation.credit_code, Organisation.id != organisation.id,
    ).order_by(Organisation.created_at)))


def update_organisation_details(organisation: Organisation, details: dict) -> None:
    organisation.name_en = (details.get("name_en") or "").strip() or None
    organisation.address = details["address"].strip()
    organisation.contact_person = details["contact_person"].strip()
    organisation.phone = compact_phone(details["phone"])
    organisation.email = normalise_email(details["email"])
    organisation.main_products = details["main_products"].strip()


def credit_code_in_use(credit_code: str, apart_from: Organisation | None = None) -> bool:
    """Whether an enterprise that is not rejected holds this code: a rejected registration frees it
    for the real company."""
    query = select(Organisation.id).where(Organisation.credit_code == credit_code,
                                          Organisation.status != OrganisationStatus.REJECTED)
    if apart_from is not None:
        query = query.where(Organisation.id != apart_from.id)
    return db.session.scalar(query.limit(1)) is not None


def allowed_reviews(organisation: Organisation) -> list[ReviewAction]:
    return [action for action, (sources, _) in REVIEW_TRANSITIONS.items() if organisation.status in sources]


def review_organisation(organisation: Organisation, action: ReviewAction, actor: User,
                        reason: str | None = None) -> OrganisationReview:
    """Approve, reject, suspend or reinstate an enterprise, keep the decision, tell its users."""
    sources, target = REVIEW_TRANSITIONS[action]
    if organisation.status not in sources:
        raise ReviewRefused(_l("This decision is not possible while the enterprise is %(status)s.",
                               status=organisation.status.label))
    reason = (reason or "").strip() or None
    if action in REASON_REQUIRED and not reason:
        raise ReviewRefused(_l("Give a reason; the enterprise will see it."))
    if target != OrganisationStatus.REJECTED and credit_code_in_use(organisation.credit_code, organisation):
        raise ReviewRefused(_l("Another registration now holds this credit code; reject one of them first."))
    before = {"status": organisation.status.name}
    organisation.status = target
    organisation.status_reason = reason
    review = OrganisationReview(organisation=organisation, actor=actor, action=action, reason=reason)
    db.session.add(review)
    db.session.flush()
    record(f"organisation.{action.name.lower()}", "organisation", organisation.id, actor=actor, before=before,
           after={"status": target.name, "reason": reason})
    _tell_enterprise(organisation, review)
    return review


def _tell_enterprise(organisation: Organisation, review: OrganisationReview) -> None:
    """In the app; by email (the decision's own, with its reason) to those who hear of it at once."""
    link = external_url("organisations.my_organisation")

    def decision_mail(user, notification) -> None:
        queue_mail(user.email, _l("Your enterprise record: %(status)s", status=organisation.status.label),
                   "organisation_reviewed", language=user.language, organisation=organisation, review=review,
                   link=link)

    notify(organisation.users, REVIEW_NOTIFICATIONS[review.action], actor=review.actor, mail_with=decision_mail)


def invite_colleague(organisation: Organisation, email: str, display_name: str, inviter: User) -> User:
    return create_user(email, display_name, Role.ENTERPRISE, organisation=organisation, invited_by=inviter)


def save_unit(unit: DemonstrationUnit | None, details: dict) -> DemonstrationUnit:
    """Create a demonstration unit, or update it when one is given."""
    if unit is None:
        unit = DemonstrationUnit()
        db.session.add(unit)
    unit.name_zh = details["name_zh"].strip()
    unit.name_en = (details.get("name_en") or "").strip() or None
    # The member of that value. mypy reads the call as LabelledEnum.__new__, which only builds the members
    # (python/mypy#10573): a lookup by value takes the value alone.
    unit.kind = UnitKind(details["kind"])  # type: ignore[call-arg]
    unit.contact_person = details["contact_person"].strip()
    unit.phone = compact_phone(details["phone"])
    unit.email = normalise_email(details["email"])
    unit.active = bool(details["active"])
    db.session.flush()
    return unit


def add_unit_reporter(unit: DemonstrationUnit, email: str, display_name: str, actor: User) -> User:
    return create_user(email, display_name, Role.UNIT_REPORTER, unit=unit, invited_by=actor)


def save_post(post: Post | None, details: dict, members: list[User]) -> Post:
    """Create a post, or update it when one is given; only center accounts can be members."""
    if post is None:
        post = Post()
        db.session.add(post)
    post.code = details["code"].strip()
    post.name_zh = details["name_zh"].strip()
    post.name_en = details["name_en"].strip()
    post.description = (details.get("description") or "").strip()
    post.active = bool(details["active"])
    post.members = [user for user in members if user.is_center]
    db.session.flush()
    return post
