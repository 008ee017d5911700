"""Every list's page number and the links that keep its filters, the filters of the managers' lists (one enum
column chosen from a menu, and free text), and the forms such filters are read with."""
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from flask import abort, request, url_for
from flask_babel import gettext as _
from flask_sqlalchemy.pagination import Pagination
from flask_wtf.i18n import translations
from sqlalchemy import or_
from wtforms import Form

from .extensions import db

PAGE_SIZE = 50


class FilterForm(Form):
    """A form read from the address (GET: bookmarkable, no token), its own messages ("Not a valid date value.")
    in the reader's language as Flask-WTF's forms have them."""

    class Meta:
        def get_translations(self, form):
            return translations
LAST_PAGE = 10_000  # beyond any list the center keeps; a larger offset overflows the database's integers
URL_FOR_SAFE = "!$'()*,/:;?@"  # what url_for leaves unquoted in a query string (Werkzeug's choice): the same links


def page_number(args) -> int:
    """`?page=`: junk or less than 1 is the first page; a page beyond any list is refused with a reason."""
    page = args.get("page", 1, type=int)
    if page > LAST_PAGE:
        abort(400, description=_("There is no page %(page)s.", page=page))
    return max(page, 1)


def address_with_query(endpoint: str, path: Mapping[str, Any], query: Mapping[str, Any]) -> str:
    """The address of `endpoint` with its `path` arguments, and `query` (values or lists of them) as its query string.
    The query is kept from url_for's arguments: a parameter in the address bar named `_anchor`, `endpoint` or like a
    path argument stays a parameter, and is never taken for one of url_for's own."""
    base = url_for(endpoint, **path)
    return f"{base}?{urlencode(query, doseq=True, safe=URL_FOR_SAFE)}" if query else base


def containing(column, term: str):
    """`column` holds `term` anywhere, in any case; `%` and `_` in the term are themselves, not wildcards."""
    pattern = "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return column.ilike(pattern, escape="\\")


@dataclass
class FilteredList:
    page: Pagination
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
        query = query.where(or_(*(containing(searched, term) for searched in search_columns)))
    page = db.paginate(query, page=page_number(request.args), per_page=PAGE_SIZE, error_out=False)
    return FilteredList(page=page, choices=list(enum_class), chosen=chosen, term=term, argument=argument)
