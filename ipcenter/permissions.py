"""The one place that answers "may this user do this (to this object)?".

Views, the API, search, operations and templates (`can` is a Jinja global) all ask
`can(user, action, target)`; `ensure` turns a refusal into a logged 403, or a 404 where existence must not leak.
"""
from collections.abc import Callable
from functools import wraps

from flask import abort, current_app, request
from flask_login import current_user

from .accounts.models import Role
from .audit.operations import record_failure
from .cases.models import EventKind
from .cases.workflow import Actor, case_type
from .complaints.models import is_released
from .extensions import login_manager
from .organisations.models import OrganisationStatus
from .patents.index import visibility

# What a demonstration unit sees of a case's internal timeline: its own delegation, and its progress reports.
UNIT_EVENTS = {EventKind.DELEGATED, EventKind.DELEGATION_ENDED, EventKind.PROGRESS_REPORT}


def _is_manager(user, target=None) -> bool:
    return user.role == Role.MANAGER


def _is_center(user, target=None) -> bool:
    return user.role in (Role.STAFF, Role.MANAGER)


def _is_unit_reporter(user, target=None) -> bool:
    return user.role == Role.UNIT_REPORTER


def _keeps_organisation(user, organisation) -> bool:
    """An enterprise's own page (its details, its colleagues) is for its users; the center reviews enterprises in
    the administration."""
    return user.role == Role.ENTERPRISE and organisation is not None and user.organisation_id == organisation.id


def _may_invite(user, organisation) -> bool:
    """Only a recorded enterprise: an unchecked registration must not hand out accounts."""
    return _keeps_organisation(user, organisation) and organisation.status == OrganisationStatus.RECORDED


def _keeps_account(user, account) -> bool:
    """Managers keep the center's accounts; an enterprise's and a unit's accounts come from their own pages."""
    return _is_manager(user) and _is_center(account)


def _may_submit_cases(user, type_code: str | None = None) -> bool:
    """Pending and recorded enterprises; a type's request (the fast channel's) only those its rule admits."""
    if user.role != Role.ENTERPRISE or user.organisation.status not in (
            OrganisationStatus.PENDING, OrganisationStatus.RECORDED):
        return False
    return type_code is None or case_type(type_code).eligibility.admits(user.organisation)


def _may_view_case(user, case) -> bool:
    if user.role in (Role.STAFF, Role.MANAGER):
        return True
    if user.role == Role.ENTERPRISE:
        return case.organisation_id == user.organisation_id
    return user.role == Role.UNIT_REPORTER and case.delegated_unit_id == user.unit_id


def _is_requester(user, case=None) -> bool:
    """A user of the enterprise that made the request (without a case: of an enterprise, reading its own
    requests): the pages speak to them as "you"."""
    return user.role == Role.ENTERPRISE and (case is None or case.organisation_id == user.organisation_id)


def _is_respondent(user, case) -> bool:
    """A user of the registered enterprise a complaint is against (known by its credit code), once the center has
    told the respondent of it (before, it must not learn of the complaint). It reads the notice addressed to it and
    answers, as through its link; never the complainant's side of the case."""
    organisation = user.organisation if user.role == Role.ENTERPRISE else None
    return bool(organisation is not None and case.respondent_credit_code
                and organisation.credit_code == case.respondent_credit_code
                and organisation.id != case.organisation_id and case.respondent_told)


def _has_respondent(case) -> bool:
    return bool(case.workflow.respondent_stages)


def _may_read_respondent_page(user, case) -> bool:
    """The page addressed to a complaint's respondent: the respondent's users; the center, to see what the
    respondent is shown."""
    return _is_respondent(user, case) or (_is_center(user) and _has_respondent(case))


def _handles_respondent_side(user, case) -> bool:
    """What the respondent is given (its link, the documents released to it): the post working the complaint."""
    return _has_respondent(case) and _works_on_case(user, case)


def _may_read_released(user, attachment) -> bool:
    """A file staff released to a complaint's respondent: the respondent's users (and the center, which sees every
    file of the case); nothing else of the case's files."""
    return _is_center(user) or (_is_respondent(user, attachment.case) and is_released(attachment))


def link_may_download(link, attachment) -> bool:
    """The holder of a respondent's link, who has no account: the files staff released to the respondent of the
    link's case, while the link still shows its notice (neither used nor expired)."""
    return link.shows_notice and attachment.case_id == link.case_id and is_released(attachment)


def _works_on_case(user, case) -> bool:
    """Managers, and staff of the post that owns the case's current stage."""
    if user.role == Role.MANAGER:
        return True
    return user.role == Role.STAFF and case.post_id is not None and any(p.id == case.post_id for p in user.posts)


def _may_report_progress(user, case) -> bool:
    return user.role == Role.UNIT_REPORTER and case.delegated_unit_id == user.unit_id and case.is_open


def _may_rate(user, case) -> bool:
    """A user of the enterprise that made the request, once the case has ended where the center asks
    (workflow: CaseType.rated_endings). That it is asked once per case is the operation's to say."""
    return _is_requester(user, case) and case.stage in case.workflow.rated_endings


def _may_read_satisfaction(user, case) -> bool:
    """The answer: the center, as it reads the rest of the case's inside; and the enterprise that gave it. Never a
    unit (its delegation is over when the case closes)."""
    return _may_view_case(user, case) and (_is_center(user) or _is_requester(user, case))


def _may_view_event(user, event) -> bool:
    """Internal timeline entries never leave the center; a unit sees, besides the public timeline, what concerns
    its own delegation (the brief it was given, the end of it, its progress reports)."""
    if not _may_view_case(user, event.case):
        return False
    if _is_center(user) or event.public:
        return True
    return user.role == Role.UNIT_REPORTER and event.kind in UNIT_EVENTS and event.unit_id == user.unit_id


def _may_download(user, attachment) -> bool:
    return _may_view_event(user, attachment.event)


def _may_view_notice(user, notice) -> bool:
    """An official notice is seen by whoever sees the timeline entry of the step that issued it (the steps' entries
    are public: the enterprise that made the request sees each of its notices)."""
    return _may_view_event(user, notice.event)


def _may_read_report(user, case) -> bool:
    """Of a type that produces a report: the center always; the enterprise once the report has been delivered
    (and not while it is revised)."""
    if case.workflow.report is None:
        return False
    return _is_center(user) or (_is_requester(user, case)
                                and case.workflow.report_delivered(case.stage, case.outcome))


def _may_edit_report(user, case) -> bool:
    """Staff of the owning post (and managers), at the stage where the report is written (searching)."""
    report = case.workflow.report
    return report is not None and case.stage == report.written_at and _works_on_case(user, case)


def _may_view_patent(user, patent) -> bool:
    """The center sees every record; anybody else the published ones and the unpublished ones of their own
    organisation. Searches filter the index alike (patents.search.visibility_filter)."""
    return _is_center(user) or visibility(patent.organisation_id, patent.publication_date) in (
        "public", f"org:{user.organisation_id}")


def _on_post(user, post_id: int | None) -> bool:
    return post_id is not None and any(post.id == post_id for post in user.posts)


def _may_use_view(user, view) -> bool:
    """A saved view: its owner; one shared with a post, that post's staff and the managers."""
    if not _is_center(user):
        return False
    shared = view.post_id is not None and (_is_manager(user) or _on_post(user, view.post_id))
    return view.owner_id == user.id or shared


def _owns_view(user, view) -> bool:
    return _is_center(user) and view.owner_id == user.id


def _may_delete_view(user, view) -> bool:
    """Its owner; a shared one also the managers (who keep what every post sees)."""
    return _owns_view(user, view) or (view.post_id is not None and _is_manager(user))


def _may_share_with(user, post) -> bool:
    """A view is shared with one of its owner's own posts, never with a post they are not on."""
    return _is_center(user) and _on_post(user, post.id)


def _may_read_history(user, organisation) -> bool:
    """An enterprise's whole case history: the managers, and the enterprise's own users."""
    return _is_manager(user) or _keeps_organisation(user, organisation)


def case_actors(user, case) -> set:
    """The workflow roles (Actor) this user holds on this case."""
    if user is None or not user.is_authenticated or not user.is_active:
        return set()
    roles = set()
    if _is_requester(user, case):
        roles.add(Actor.ENTERPRISE)
    if _works_on_case(user, case):
        roles.add(Actor.POST)
    if user.role == Role.UNIT_REPORTER and case.delegated_unit_id == user.unit_id:
        roles.add(Actor.UNIT)
    if _is_respondent(user, case):
        roles.add(Actor.RESPONDENT)
    return roles


RULES: dict[str, Callable[..., bool]] = {
    "center.workspace": _is_center,
    "queue.every_post": _is_manager,  # staff work the queues of their own posts
    "admin.users": _is_manager,
    "admin.organisations": _is_manager,
    "admin.units": _is_manager,
    "admin.posts": _is_manager,
    "audit.browse": _is_manager,
    "calendar.view": _is_center,
    "dashboard.view": _is_center,
    "dashboard.every_post": _is_manager,  # staff read the figures of their own posts
    "calendar.edit": _is_manager,  # the year's official holidays, which every deadline counts with
    "user.edit": _keeps_account,
    "organisation.edit": _keeps_organisation,
    "organisation.invite": _may_invite,
    "organisation.review": _is_manager,
    "organisation.history": _may_read_history,
    "case.submit": _may_submit_cases,
    "case.view": _may_view_case,
    "case.requester": _is_requester,
    "case.respondent": _is_respondent,
    "complaint.respondent_page": _may_read_respondent_page,
    "complaint.respondent_side": _handles_respondent_side,
    # Both parties of a complaint may be the center's clients: staff see their other open cases.
    "complaint.conflicts": lambda user, case: _is_center(user) and _has_respondent(case),
    "complaint.start_search": lambda user, case: _has_respondent(case) and _works_on_case(user, case),
    "case.work": _works_on_case,
    # The center's side of a case: who is assigned, the center's own clock while it waits on the enterprise.
    "case.internal": _is_center,
    "case.note": lambda user, case: _is_center(user) and _may_view_case(user, case),
    "case.report_progress": _may_report_progress,
    "case.rate": _may_rate,  # the one question asked when the case closes: how satisfied, 1 to 5
    "case.satisfaction": _may_read_satisfaction,
    "event.view": _may_view_event,
    "attachment.download": _may_download,
    "notice.view": _may_view_notice,
    "notice.regenerate": _is_manager,  # after a template was replaced: the same number, a new version
    "notices.templates": _is_manager,  # the notices' Word templates: replace one, or put the default back
    "attachment.released": _may_read_released,
    "unit.cases": _is_unit_reporter,
    "report.read": _may_read_report,
    "report.edit": _may_edit_report,
    # The report's cited patents link to their pages for the center; the enterprise reads the report as delivered.
    "report.patent_links": _is_center,
    "patent.view": _may_view_patent,
    "patent.every_record": _is_center,  # unpublished records of other organisations too: searches filter nothing
    # Relevance scores weigh every record in the index, unpublished ones of other organisations too.
    "patent.scores": _is_center,
    "patent.complaints": _is_center,  # the complaints that enforce a patent, on its page
    "saved_view.use": _may_use_view,
    "saved_view.rename": _owns_view,
    "saved_view.delete": _may_delete_view,
    "saved_view.share_with": _may_share_with,
}

# Actions whose targets an outsider must not learn exist.
HIDE_EXISTENCE = {"case.view", "attachment.download", "saved_view.use", "complaint.respondent_page",
                  "attachment.released"}


def can(user, action: str, target=None) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return RULES[action](user, target)


def ensure(action: str, target=None, reason: str | None = None) -> None:
    """Abort the request unless the current user may perform `action` (a 403 says `reason` if given)."""
    if can(current_user, action, target):
        return
    if not current_user.is_authenticated:
        abort(login_manager.unauthorized())
    current_app.logger.warning(
        "permission denied: user=%s action=%s target=%r path=%s",
        getattr(current_user, "id", None), action, target, request.path,
    )
    hide = action in HIDE_EXISTENCE and not (
        current_user.is_authenticated and current_user.role == Role.MANAGER
    )
    status = 404 if hide else 403
    record_failure("access.denied", "page", request.path, after={
        "permission": action, "target": _described(target), "method": request.method, "answered": status})
    abort(status, description=reason if status == 403 else None)


def _described(target):
    """The object refused, as the log shows it: `Case 12`."""
    if target is None or not hasattr(target, "id"):
        return target
    return f"{type(target).__name__} {target.id}"


def requires(action: str):
    """Decorator for views whose permission does not depend on an object."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            ensure(action)
            return view(*args, **kwargs)

        return wrapper

    return decorator
