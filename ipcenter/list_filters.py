"""Every list's page number, and the filters of the managers' lists: one enum column chosen from a menu,
and free text."""
from dataclasses import dataclass

from flask import abort, request
from flask_babel import gettext as _
from sqlalchemy import or_

from .extensions import db

PAGE_SIZE = 50
LAST_PAGE = 10_000  # beyond any list the center keeps; a larger offset overflows the database's integers


def page_number(args) -> int:
    """`?page=`: junk or less than 1 is the first page; a page beyond any list is refused with a reason."""
    page = args.get("page", 1, type=int)
    if page > LAST_PAGE:
        abort(400, description=_("There is no page %(page)s.", page=page))
    return max(page, 1)


@dataclass
class FilteredList:
    page: object  # a Flask-SQLAlchemy Pagination
    choices: list
    chosen: int | None
    term: str
    argument: str


def filtered_list(query, column, enum_class, argument: str, search_columns) -> FilteredList:
    """A page of `query` narrowed by `?<argument>=<enum value>` and `?q=<text in any search column>`."""
    chosen = request.args.get(argument, type=int)
    if chosen in set(enum_class):
        query = query.where(column == enum_class(chosen))
    term = request.args.get("q", "").strip()
    if term:
        pattern = "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(or_(*(searched.ilike(pattern, escape="\\") for searched in search_columns)))
    page = db.paginate(query, page=page_number(request.args), per_page=PAGE_SIZE, error_out=False)
    return FilteredList(page=page, choices=list(enum_class), chosen=chosen, term=term, argument=argument)
