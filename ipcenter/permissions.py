"""The one place that answers "may this user do this (to this object)?".

Views, the API and search all ask `can(user, action, target)`; `require`
turns a refusal into a logged 403, or a 404 where existence must not leak.
"""
from functools import wraps

from flask import abort, current_app, request
from flask_login import current_user

from .accounts.models import Role
from .audit.operations import record_failure
from .extensions import login_manager
from .organisations.models import OrganisationStatus


def _is_manager(user, target=None) -> bool:
    return user.role == Role.MANAGER


def _is_center(user, target=None) -> bool:
    return user.role in (Role.STAFF, Role.MANAGER)


def _belongs_to_organisation(user, organisation) -> bool:
    if user.role == Role.MANAGER:
        return True
    return user.role == Role.ENTERPRISE and user.organisation_id == organisation.id


def _may_invite(user, organisation) -> bool:
    """Only a recorded enterprise: an unchecked registration must not hand out accounts."""
    return (
        user.role == Role.ENTERPRISE
        and user.organisation_id == organisation.id
        and organisation.status == OrganisationStatus.RECORDED
    )


def _may_submit_cases(user, case_type: str | None = None) -> bool:
    """Pending and recorded enterprises; the fast pre-examination channel only for recorded ones."""
    if user.role != Role.ENTERPRISE or user.organisation.status not in (
            OrganisationStatus.PENDING, OrganisationStatus.RECORDED):
        return False
    return case_type != "fast_pre_examination" or user.organisation.is_recorded


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


def _works_on_case(user, case) -> bool:
    """Managers, and staff of the post that owns the case's current stage."""
    if user.role == Role.MANAGER:
        return True
    return user.role == Role.STAFF and case.post_id is not None and any(p.id == case.post_id for p in user.posts)


def _may_report_progress(user, case) -> bool:
    return user.role == Role.UNIT_REPORTER and case.delegated_unit_id == user.unit_id and case.is_open


def _may_download(user, attachment) -> bool:
    from .cases.timeline import event_visible_to

    return _may_view_case(user, attachment.case) and event_visible_to(attachment.event, user)


def case_actors(user, case) -> set:
    """The workflow roles (Actor) this user holds on this case."""
    from .cases.workflow import Actor

    if user is None or not user.is_authenticated or not user.is_active:
        return set()
    roles = set()
    if _is_requester(user, case):
        roles.add(Actor.ENTERPRISE)
    if _works_on_case(user, case):
        roles.add(Actor.POST)
    if user.role == Role.UNIT_REPORTER and case.delegated_unit_id == user.unit_id:
        roles.add(Actor.UNIT)
    return roles


RULES = {
    "center.workspace": _is_center,
    "admin.users": _is_manager,
    "admin.organisations": _is_manager,
    "admin.units": _is_manager,
    "admin.posts": _is_manager,
    "audit.browse": _is_manager,
    "organisation.view": _belongs_to_organisation,
    "organisation.invite": _may_invite,
    "organisation.review": _is_manager,
    "case.submit": _may_submit_cases,
    "case.view": _may_view_case,
    "case.requester": _is_requester,
    "case.work": _works_on_case,
    "case.note": lambda user, case: _is_center(user) and _may_view_case(user, case),
    "case.report_progress": _may_report_progress,
    "attachment.download": _may_download,
    "unit.cases": lambda user, target=None: user.role == Role.UNIT_REPORTER,
    # Relevance scores weigh every record in the index, unpublished ones of other organisations too.
    "patent.scores": _is_center,
}

# Actions whose targets an outsider must not learn exist.
HIDE_EXISTENCE = {"organisation.view", "case.view", "attachment.download"}


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
