"""Tables as spreadsheet files, for every export: CSV (UTF-8 with a BOM, so Excel reads Chinese) or XLSX.

Exported cells hold what users typed or imported (titles, applicants, notes). A spreadsheet runs a
cell that begins with = + - @ (or a tab or carriage return before one) as a formula, so such a cell is
written with a leading apostrophe, and every XLSX cell is written as text, never as a formula.
"""
import csv
import io
from datetime import date

from flask import Response
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMATS = {"csv": "text/csv; charset=utf-8",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def cell_text(value) -> str:
    """A value as the text of a cell, which a spreadsheet will not take for a formula."""
    if value is None:
        return ""
    text = value.isoformat() if isinstance(value, date) else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _csv(headers, rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in [headers, *rows]:
        writer.writerow([cell_text(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _xlsx(headers, rows, sheet_name: str) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(sheet_name)
    for row in [headers, *rows]:
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=cell_text(value))
            cell.data_type = "s"
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def table_response(name: str, headers, rows, file_format: str) -> Response:
    """A download of `rows` under `headers` as `name`.csv or `name`.xlsx (the sheet is called `name` too)."""
    body = _csv(headers, rows) if file_format == "csv" else _xlsx(headers, rows, name[:31])
    return Response(body, mimetype=FORMATS[file_format],
                    headers={"Content-Disposition": f"attachment; filename={name}.{file_format}"})
