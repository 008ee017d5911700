"""Tables as spreadsheet files, for every export: CSV (UTF-8 with a BOM, so Excel reads Chinese) or XLSX (bold
headers frozen above the rows, columns as wide as their text, numbers and dates as numbers and dates).

Exported cells hold what users typed or imported (titles, applicants, notes). A spreadsheet runs a
cell that begins with = + - @ (or a tab or carriage return before one) as a formula, so such a cell is
written with a leading apostrophe, and every XLSX text cell is written as text, never as a formula.
"""
import csv
import io
from datetime import date, datetime

from flask import Response
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from .calendar import CENTER_ZONE

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMATS = {"csv": "text/csv", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
DAY_FORMAT, TIME_FORMAT = "yyyy-mm-dd", "yyyy-mm-dd hh:mm"
NARROWEST, WIDEST = 10, 48  # a column's width, in characters


def center_time(value: datetime | None) -> datetime | None:
    """A stored (UTC) time to the minute, as the center's clock shows it: a spreadsheet keeps no time zone."""
    return None if value is None else value.astimezone(CENTER_ZONE).replace(tzinfo=None, second=0, microsecond=0)


def cell_text(value) -> str:
    """A value as the text of a cell, which a spreadsheet will not take for a formula."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        text = value.strftime("%Y-%m-%d %H:%M")
    else:
        text = value.isoformat() if isinstance(value, date) else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def sheet_value(value):
    """Numbers and dates stay themselves (the reader adds them up and sorts them); text is written so that no
    spreadsheet runs it, without the control characters a sheet cannot hold (a vertical tab pasted from Word)."""
    if value is None or isinstance(value, (bool, int, float, date)):
        return value
    return ILLEGAL_CHARACTERS_RE.sub("", cell_text(value))


def format_sheet(sheet, header_row: int, number_formats: dict[int, str] | None = None,
                 fraction_format: str = "General") -> None:
    """Headers (on `header_row`) bold and wrapped, frozen above the rows; columns as wide as their text (a Chinese
    character takes about two); dates and times as the center writes them, fractions in `fraction_format` unless
    `number_formats` gives their column's (by index)."""
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    for index, column in enumerate(sheet.iter_cols(min_row=header_row), 1):
        width = max(_width(cell.value) for cell in column)
        sheet.column_dimensions[get_column_letter(index)].width = min(max(width + 2, NARROWEST), WIDEST)
        for cell in column[1:]:
            if isinstance(cell.value, datetime):
                cell.number_format = TIME_FORMAT
            elif isinstance(cell.value, date):
                cell.number_format = DAY_FORMAT
            elif isinstance(cell.value, float):
                cell.number_format = (number_formats or {}).get(index - 1, fraction_format)


def _width(value) -> int:
    if isinstance(value, datetime):
        return len(TIME_FORMAT)
    text = "" if value is None else str(value)
    return max((sum(2 if ord(ch) > 0x2E7F else 1 for ch in line) for line in text.splitlines()), default=0)


def _csv(headers, rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in [headers, *rows]:
        writer.writerow([cell_text(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _xlsx(headers, rows, sheet_title: str) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = sheet_title[:31]
    sheet.append([str(header) for header in headers])
    for row in rows:
        sheet.append([sheet_value(value) for value in row])
    format_sheet(sheet, header_row=1)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def table_response(name: str, headers, rows, file_format: str, sheet_title: object = None) -> Response:
    """A download of `rows` under `headers` as `name`.csv or `name`.xlsx (its sheet called `sheet_title`, else
    `name`)."""
    body = _csv(headers, rows) if file_format == "csv" else _xlsx(headers, rows, str(sheet_title or name))
    return Response(body, mimetype=FORMATS[file_format],
                    headers={"Content-Disposition": f"attachment; filename={name}.{file_format}"})
