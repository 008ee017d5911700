"""A case list, and an enterprise's whole case history, as spreadsheets: in the interface's language, and as the
reader sees the cases."""
from flask_babel import lazy_gettext as _l

from ..calendar import center_today
from ..exports import center_time, table_response
from ..i18n import localized_name
from ..permissions import can
from .timeline import what_happened, written_by

EXPORT_LIMIT = 5000
COLUMNS = (_l("Reference"), _l("Kind of request"), _l("Title"), _l("Enterprise"), _l("Stage"), _l("Post"),
           _l("Due"), _l("Submitted on"), _l("Closed on"), _l("Outcome"), _l("Application number"), _l("Patent number"))
HISTORY_COLUMNS = (_l("Reference"), _l("Kind of request"), _l("Title"), _l("Date and time"), _l("What happened"),
                   _l("Details"), _l("By"), _l("Comment"), _l("Files"))


def _row(case, requester: bool, internal: bool) -> list:
    row = [case.reference, case.workflow.name, case.title, localized_name(case.organisation),
           case.current_stage.name_for(requester), localized_name(case.post) if case.post else "",
           center_time(case.due_at) if case.due_at else case.due_date,  # a clock in hours: to the minute
           center_time(case.created_at), center_time(case.closed_at),
           case.outcome_label, case.application_number, case.patent_number]
    if internal:
        row.append(case.assignee.display_name if case.assignee else "")
    return row


def cases_export(user, cases, file_format: str):
    """The cases as CSV or XLSX; the assignee only for readers the case page shows it to."""
    internal = all(can(user, "case.internal", case) for case in cases)
    headers = [*COLUMNS, _l("Assignee")] if internal else COLUMNS
    rows = (_row(case, can(user, "case.requester", case), internal) for case in cases)
    return table_response(f"cases-{center_today().isoformat()}", headers, rows, file_format, _l("Cases"))


def _history_row(event, requester: bool, internal: bool) -> list:
    """An entry as the case page shows it to the reader: its words, detail (a number, a date moved, a unit's
    percent), author, comment and files."""
    case = event.case
    details = event.detail or (f"{event.percent}%" if event.percent is not None else "")
    row = [case.reference, case.workflow.name, case.title, center_time(event.created_at),
           what_happened(event, requester), details, written_by(event), event.comment or "",
           "\n".join(attachment.original_name for attachment in event.attachments)]
    if internal:
        row.append(_l("Yes") if event.public else _l("No"))
    return row


def history_export(user, organisation, events, file_format: str):
    """The timeline entries `events` (those the reader may see: `timeline.organisation_history`) as CSV or XLSX;
    for the center's readers with a column saying which entries the enterprise sees (the others are internal)."""
    internal = bool(events) and all(can(user, "case.internal", event.case) for event in events)
    headers = [*HISTORY_COLUMNS, _l("Shown to the enterprise")] if internal else HISTORY_COLUMNS
    rows = (_history_row(event, can(user, "case.requester", event.case), internal) for event in events)
    return table_response(f"history-{organisation.credit_code}-{center_today().isoformat()}", headers, rows,
                          file_format, _l("Case history"))
