"""The monthly report a center sends its supervising bureau, from the dashboard's figures: tables by case type,
fast pre-examination (and per enterprise), post, unit and satisfaction, for a month or any period. XLSX (a formatted
sheet per table: bold headers, widths, the header row frozen) or CSV (the tables one after another, each under its
title).
"""
import csv
import io
from dataclasses import dataclass, field

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from sqlalchemy import select

from ..cases.agenda import QUIET
from ..cases.workflow import CASE_TYPES
from ..exports import cell_text, format_sheet, sheet_value
from ..extensions import db
from ..i18n import center_name, localized_name
from ..organisations.models import Post
from .figures import Board, board
from .forms import FAILURE_THRESHOLD
from .scope import Scope

HIGHLIGHT = PatternFill("solid", fgColor="FDE2E1")  # an enterprise refused more than the threshold


@dataclass
class Table:
    title: object
    headers: list
    rows: list[list]
    highlighted: frozenset[int] = frozenset()  # row indexes to mark
    # A column's number format where its fractions are not shares (shown as percentages): column index -> format.
    number_formats: dict[int, str] = field(default_factory=dict)


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _rounded(rate: float | None) -> float | None:
    """A rate as the report writes every share: to a hundredth of a per cent."""
    return None if rate is None else round(rate, 4)


def case_type_table(board: Board) -> Table:
    late = board.compliance_by("case_type")
    turnaround = {row.case_type: row for row in board.turnaround}
    rows = []
    for code, counts in board.counts.items():
        finished, within = late.get(code, (0, 0))
        took = turnaround.get(code)
        rows.append([CASE_TYPES[code].name, counts.received, counts.accepted, counts.closed, finished - within,
                     board.overdue_per_type.get(code, 0), took.center_median if took else None,
                     took.total_median if took else None, took.enterprise_median if took else None])
    return Table(_l("Requests by kind"), [
        _l("Kind of request"), _l("Received"), _l("Accepted"), _l("Closed"), _l("Stages finished late"),
        _l("Overdue now"), _l("Median turnaround, the center’s working days"),
        _l("Median turnaround, all working days"), _l("Median working days waiting on the enterprise")], rows)


def pre_examination_table(board: Board) -> Table | None:
    figures = board.pre_examination
    if figures is None:
        return None
    rows = [[_l("Requests received"), figures.received], [_l("Passed"), figures.passed],
            [_l("Refused"), figures.refused], [_l("Pass rate"), _rounded(figures.pass_rate)],
            [_l("Median working days to a decision"), figures.decision_median],
            [_l("Granted after passing"), figures.granted],
            [_l("Median days from forwarding to grant"), figures.grant_median]]
    return Table(_l("Fast pre-examination"), [_l("Figure"), _l("Value")], rows)


def enterprise_table(board: Board, failure_threshold: float) -> Table | None:
    if board.pre_examination is None:
        return None
    rows, marked = [], set()
    for index, row in enumerate(board.enterprises):
        rows.append([localized_name(row.organisation), row.organisation.credit_code, row.requests, row.passed,
                     row.refused, _rounded(row.pass_rate)])
        if row.over(failure_threshold):
            marked.add(index)
    return Table(_l("Per enterprise, 12 months"), [
        _l("Enterprise"), _l("Unified social credit code"), _l("Requests"), _l("Passed"), _l("Refused"),
        _l("Pass rate")], rows, frozenset(marked))


def post_table(board: Board, post_names: dict[str, str]) -> Table:
    compliance = board.compliance_by("post_code")
    overdue = {post.code: count for post, count in board.overdue_per_post}
    rows = [[post_names.get(code, code), finished, within, _share(within, finished), overdue.get(code, 0)]
            for code, (finished, within) in sorted(compliance.items())]
    rows += [[post_names.get(code, code), 0, 0, None, count] for code, count in overdue.items()
             if code not in compliance]
    return Table(_l("Posts"), [_l("Post"), _l("Stages finished"), _l("Within their allowance"),
                               _l("Share within"), _l("Overdue now")], rows)


def unit_table(board: Board, quiet_days: int) -> Table:
    rows = [[localized_name(row.unit), row.delegated, row.open_delegations, row.last_report, row.report_age,
             _l("Yes") if row.quiet(quiet_days) else ""] for row in board.units]
    return Table(_l("Demonstration units"), [
        _l("Unit"), _l("Cases delegated"), _l("Open delegations"), _l("Latest report"),
        _l("Working days since"), _l("Quiet")], rows)


def satisfaction_table(board: Board, post_names: dict[str, str]) -> Table:
    rows = [[CASE_TYPES[row.case_type].name, post_names.get(row.post_code or "", row.post_code),
             row.month.strftime("%Y-%m"), row.answers, row.mean] for row in board.satisfaction]
    return Table(_l("Satisfaction"), [_l("Kind of request"), _l("Post"), _l("Month"), _l("Answers"),
                                      _l("Mean score (1 to 5)")], rows, number_formats={4: "0.00"})


def report_tables(board: Board, post_names: dict[str, str], failure_threshold: float, quiet_days: int
                  ) -> list[Table]:
    tables = [case_type_table(board), pre_examination_table(board), enterprise_table(board, failure_threshold),
              post_table(board, post_names), unit_table(board, quiet_days), satisfaction_table(board, post_names)]
    return [table for table in tables if table is not None]


def post_names() -> dict[str, str]:
    return {post.code: localized_name(post) for post in db.session.scalars(select(Post))}


def report_file(scope: Scope, file_format: str, failure_threshold: float = FAILURE_THRESHOLD / 100,
                quiet_days: int = QUIET) -> bytes:
    """The report over `scope` as "xlsx" or "csv", in the current language."""
    tables = report_tables(board(scope), post_names(), failure_threshold, quiet_days)
    heading = _("%(center)s: report for %(first)s to %(last)s", center=center_name(),
                first=format_date(scope.first, "long"), last=format_date(scope.last, "long"))
    return report_xlsx(tables, heading) if file_format == "xlsx" else report_csv(tables, heading)


def report_csv(tables: list[Table], heading: str) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([cell_text(heading)])
    for table in tables:
        writer.writerow([])
        writer.writerow([cell_text(table.title)])
        for row in [table.headers, *table.rows]:
            writer.writerow([cell_text(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def report_xlsx(tables: list[Table], heading: str) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for number, table in enumerate(tables, 1):
        sheet = book.create_sheet(f"{number} {table.title}"[:31])
        sheet.append([heading])
        sheet["A1"].font = Font(bold=True, size=13)
        sheet.append([str(header) for header in table.headers])
        for index, row in enumerate(table.rows):
            sheet.append([sheet_value(value) for value in row])
            if index in table.highlighted:
                for cell in sheet[sheet.max_row]:
                    cell.fill = HIGHLIGHT
        format_sheet(sheet, header_row=2, number_formats=table.number_formats, fraction_format="0.0%")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
