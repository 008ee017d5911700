"""A case list as a spreadsheet, in the interface's language and as the reader sees the cases."""
from flask_babel import lazy_gettext as _l

from ..calendar import center_today
from ..exports import table_response
from ..i18n import local_time, localized_name
from ..permissions import can

EXPORT_LIMIT = 5000
COLUMNS = (_l("Reference"), _l("Kind of request"), _l("Title"), _l("Enterprise"), _l("Stage"), _l("Post"),
           _l("Due"), _l("Submitted on"), _l("Closed on"), _l("Outcome"), _l("Application number"), _l("Patent number"))


def _row(case, requester: bool, internal: bool) -> list:
    row = [case.reference, case.workflow.name, case.title, localized_name(case.organisation),
           case.current_stage.name_for(requester), localized_name(case.post) if case.post else "", case.due_date,
           local_time(case.created_at, "yyyy-MM-dd HH:mm"), local_time(case.closed_at, "yyyy-MM-dd HH:mm"),
           case.outcome_label, case.application_number, case.patent_number]
    if internal:
        row.append(case.assignee.display_name if case.assignee else "")
    return row


def cases_export(user, cases, file_format: str):
    """The cases as CSV or XLSX; the assignee only for readers the case page shows it to."""
    internal = all(can(user, "case.internal", case) for case in cases)
    headers = [*COLUMNS, _l("Assignee")] if internal else COLUMNS
    rows = (_row(case, can(user, "case.requester", case), internal) for case in cases)
    return table_response(f"cases-{center_today().isoformat()}", headers, rows, file_format)
