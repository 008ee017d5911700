"""A result list as CSV (UTF-8 with BOM, so Excel reads Chinese) or XLSX."""
import csv
import io

from flask import Response
from openpyxl import Workbook

from ..cases.working_days import center_today

EXPORT_LIMIT = 5000
COLUMNS = ("publication_number", "patent_type", "title", "applicants", "inventors", "application_number",
           "filing_date", "publication_date", "grant_date", "ipc", "cpc", "locarno", "legal_status", "score")


def _rows(hits):
    for hit in hits:
        patent = hit.patent
        yield [patent.display_number, patent.patent_type, patent.title, patent.applicants, patent.inventors,
               patent.application_number or "", patent.filing_date, patent.publication_date, patent.grant_date,
               patent.ipc, patent.cpc, patent.locarno, patent.legal_status, round(hit.score, 4)]


def export_response(hits, file_format: str) -> Response:
    name = f"patents-{center_today().isoformat()}.{file_format}"
    if file_format == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(COLUMNS)
        writer.writerows([value.isoformat() if hasattr(value, "isoformat") else value for value in row]
                         for row in _rows(hits))
        body, mimetype = ("\ufeff" + buffer.getvalue()).encode("utf-8"), "text/csv; charset=utf-8"
    else:
        book = Workbook(write_only=True)
        sheet = book.create_sheet("patents")
        sheet.append(COLUMNS)
        for row in _rows(hits):
            sheet.append(row)
        buffer = io.BytesIO()
        book.save(buffer)
        body = buffer.getvalue()
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f"attachment; filename={name}"})
