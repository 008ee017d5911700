"""Reading a downloaded table, CSV or XLSX, as the rows of text a reader sees: so that one test asserts both."""
import csv
import io
import re
import zipfile
from datetime import datetime

from openpyxl import load_workbook


def _shown(cell) -> str:
    """A cell as the spreadsheet shows it with the export's formats: times to the minute, days as YYYY-MM-DD."""
    if isinstance(cell.value, datetime):  # openpyxl reads a day as a time at midnight: its format tells them apart
        return cell.value.strftime({"yyyy-mm-dd hh:mm": "%Y-%m-%d %H:%M", "yyyy-mm-dd": "%Y-%m-%d"}[cell.number_format])
    return "" if cell.value is None else cell.value


def table_rows(response, file_format: str) -> list[list]:
    if file_format == "csv":
        assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
        return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"), newline="")))
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert sheet.freeze_panes == "A2" and all(cell.font.b for cell in sheet[1])  # the headers stay in sight
    with zipfile.ZipFile(io.BytesIO(response.data)) as book:  # no cell is a formula
        assert not any(re.search(r"<(\w+:)?f[ >]", book.read(name).decode()) for name in book.namelist()
                       if name.startswith("xl/worksheets/"))
    return [[_shown(cell) for cell in row] for row in sheet.iter_rows()]
