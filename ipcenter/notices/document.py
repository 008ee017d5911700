"""Writing a notice: a Word template rendered by docxtpl with the notice's placeholders; and the check a template
must pass before it replaces the repository's.

Templates are Jinja inside Word (`{{ notice_number }}`), rendered in Jinja's sandbox (a manager's upload is code of
a kind, and must reach nothing but the values it is given) with undefined names refused, never left blank: a
notice that prints an empty space where the deadline should be is worse than none.
"""
import io
import re
import zipfile
from datetime import date
from functools import cache
from pathlib import Path

from docxtpl import DocxTemplate, Listing
from flask import current_app
from flask_babel import lazy_gettext as _l
from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, UndefinedError
from jinja2.sandbox import SandboxedEnvironment

from .kinds import NoticeKind, chinese_date, english_date

TEMPLATE_FOLDER = Path(__file__).parent / "templates"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# What every notice has besides its kind's fields: its own number and date, the center's letterhead.
NOTICE_PLACEHOLDERS = ("notice_number", "date_zh", "date_en", "center_name_zh", "center_name_en",
                       "center_address_zh", "center_address_en")
SAMPLE_NUMBER = "古知受〔2026〕0012号"
SAMPLE_DATE = date(2026, 11, 26)


class TemplateRefused(ValueError):
    """A template that cannot be used; the message says why."""

    field = "file"


def default_template_path(kind: NoticeKind, language: str) -> Path:
    return TEMPLATE_FOLDER / f"{kind.template}.{language}.docx"


def default_template(kind: NoticeKind, language: str) -> bytes:
    """The repository's template, read once per process."""
    return _read(default_template_path(kind, language))


@cache
def _read(path: Path) -> bytes:
    return path.read_bytes()


def notice_context(facts: dict, number: str, issued_on: date) -> dict:
    """The placeholders' values: the notice's facts, its number and date, the center's letterhead."""
    config = current_app.config
    return {
        **{name: _as_written(value) for name, value in facts.items()},
        "notice_number": number, "date_zh": chinese_date(issued_on), "date_en": english_date(issued_on),
        "center_name_zh": config["CENTER_NAME_ZH"], "center_name_en": config["CENTER_NAME_EN"],
        "center_address_zh": config["CENTER_ADDRESS_ZH"], "center_address_en": config["CENTER_ADDRESS_EN"],
    }


def _as_written(value):
    """Text of several lines keeps its lines in Word (a plain string would run them together)."""
    return Listing(value) if isinstance(value, str) and "\n" in value else value


def sample_context(kind: NoticeKind) -> dict:
    return notice_context({field.name: field.sample for field in kind.all_fields}, SAMPLE_NUMBER, SAMPLE_DATE)


def write_notice(template: bytes, context: dict) -> bytes:
    """The notice as a Word document (TemplateError if the template does not fit the context)."""
    document = DocxTemplate(io.BytesIO(template))
    document.render(context, jinja_env=_sandbox(), autoescape=True)  # escaped: "&" in a name stays text
    written = io.BytesIO()
    document.save(written)
    return written.getvalue()


def _sandbox() -> SandboxedEnvironment:
    return SandboxedEnvironment(undefined=StrictUndefined, autoescape=True)


def check_template(kind: NoticeKind, content: bytes) -> None:
    """Refuse (TemplateRefused, saying why) a file that is not a Word document docxtpl can open, or whose
    placeholders do not all resolve against the kind's notices: tried with a sample notice, and every name it
    uses, in branches the sample does not take too, must be one the kind has."""
    if not _is_word_document(content):
        raise TemplateRefused(_l("This is not a Word document (.docx): save it from Word or WPS as .docx and "
                                 "upload it again."))
    context = sample_context(kind)
    try:
        template = DocxTemplate(io.BytesIO(content))
    except Exception:  # noqa: BLE001 - whatever the library fails on, the file is not one it can open
        raise TemplateRefused(_l("Word documents of this kind cannot be opened as templates: save it from Word "
                                 "or WPS as .docx and upload it again.")) from None
    try:
        write_notice(content, context)
        unknown = template.get_undeclared_template_variables(_sandbox(), context)
    except TemplateSyntaxError as mistake:
        raise TemplateRefused(_l("A placeholder is written wrongly: %(mistake)s%(near)s", mistake=mistake.message,
                                 near=_near(mistake))) from None
    except UndefinedError as mistake:  # a name it does not have, or a part of a value that is not there
        unknown = _unknown_names(template, context)
        if not unknown:
            raise _cannot_fill(mistake) from None
    except TemplateError as mistake:
        raise _cannot_fill(mistake) from None
    if unknown:
        raise TemplateRefused(_l("This notice has no placeholder %(names)s. It has: %(known)s.",
                                 names=", ".join(sorted(unknown)), known=", ".join(sorted(context))))


def _cannot_fill(mistake: TemplateError) -> TemplateRefused:
    return TemplateRefused(_l("The template cannot be filled in: %(mistake)s", mistake=mistake.message))


def _is_word_document(content: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "word/document.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False


def _unknown_names(template: DocxTemplate, context: dict) -> set[str]:
    try:
        return set(template.get_undeclared_template_variables(_sandbox(), context))
    except TemplateError:
        return set()


def _near(mistake: TemplateSyntaxError) -> str:
    """The template's words around a mistake (docxtpl keeps the lines of XML around it), as a reader finds them."""
    lines = getattr(mistake, "docx_context", None) or ()
    words = re.sub(r"\s+", " ", " ".join(line for line in lines if line.strip())).strip()
    return f" (… {words[:120]} …)" if words else ""
