"""A result list as a spreadsheet, in the interface's language."""
from flask_babel import lazy_gettext as _l

from ..calendar import center_today
from ..cases.vocabularies import PATENT_KINDS
from ..exports import table_response
from ..permissions import can

EXPORT_LIMIT = 5000
COLUMNS = (_l("Publication number"), _l("Type"), _l("Title"), _l("Applicants"), _l("Inventors"),
           _l("Application number"), _l("Filing date"), _l("Publication date"), _l("Grant date"), "IPC", "CPC",
           "Locarno", _l("Legal status"))


def _row(patent) -> list:
    return [patent.display_number, PATENT_KINDS[patent.patent_type], patent.title,
            "; ".join(patent.values("applicants")), "; ".join(patent.values("inventors")), patent.application_number,
            patent.filing_date, patent.publication_date, patent.grant_date, "; ".join(patent.values("ipc")),
            "; ".join(patent.values("cpc")), "; ".join(patent.values("locarno")), patent.legal_status]


def export_response(user, hits, file_format: str):
    """The hits as CSV or XLSX. Scores are the center's: they weigh every record, hidden ones too."""
    scored = can(user, "patent.scores")
    headers = [*COLUMNS, _l("Relevance score")] if scored else COLUMNS
    rows = ([*_row(hit.patent), round(hit.score, 4)] if scored else _row(hit.patent) for hit in hits)
    return table_response(f"patents-{center_today().isoformat()}", headers, rows, file_format, _l("Patents"))
