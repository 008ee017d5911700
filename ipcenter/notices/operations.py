"""Issuing official notices on the steps that call for them, writing a notice again, and the templates managers put
in place of the repository's.

A notice is issued in the transaction of its step (cases.signals.step_taken): its number, its files (attachments of
the step's timeline entry, so that exactly those who see the entry see the notice) and the step stand or fall
together, and a number is never given twice nor skipped.
"""
import hashlib
import io
from datetime import date

from flask_babel import lazy_gettext as _l
from jinja2 import TemplateError
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import defer, selectinload
from werkzeug.datastructures import FileStorage

from ..accounts.models import User
from ..audit.operations import record
from ..calendar import center_today
from ..cases.attachments import display_name, store_attachment
from ..cases.models import Case, CaseEvent
from ..cases.rules import CaseRefused
from ..cases.signals import step_taken
from ..database import utcnow
from ..extensions import db
from ..permissions import can
from .document import DOCX, TemplateRefused, check_template, default_template, notice_context, write_notice
from .kinds import LANGUAGES, NoticeKind, kinds_issued_by, notice_kind
from .models import Notice, NoticeCounter, NoticeFile, NoticeTemplate

# Numbers ------------------------------------------------------------------------------------------------------

def next_notice_number(kind: NoticeKind, today: date) -> int:
    """The kind's next serial number of the year, gapless: the counter row is locked until this transaction ends."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    db.session.execute(insert(NoticeCounter).values(kind=kind.code, year=today.year, last_number=0)
                       .on_conflict_do_nothing(index_elements=["kind", "year"]))
    return db.session.execute(
        update(NoticeCounter).where(NoticeCounter.kind == kind.code, NoticeCounter.year == today.year)
        .values(last_number=NoticeCounter.last_number + 1).returning(NoticeCounter.last_number)
    ).scalar_one()


# Issuing ------------------------------------------------------------------------------------------------------

@step_taken.connect
def issue_notices(case: Case, event: CaseEvent, actor: User) -> list[Notice]:
    """The notices the step calls for, numbered and written, attached to its timeline entry."""
    return [issue_notice(kind, case, event, actor)
            for kind in kinds_issued_by(case.case_type, event.action, event.from_stage)]


def issue_notice(kind: NoticeKind, case: Case, event: CaseEvent, actor: User) -> Notice:
    today = center_today()
    serial = next_notice_number(kind, today)
    notice = Notice(case=case, event=event, kind=kind.code, year=today.year, serial=serial,
                    number=kind.number(today.year, serial), issued_on=today, facts=_facts(kind, case, event))
    db.session.add(notice)
    languages = ("zh", "en") if kind.addressed_to.reads_english(case) else ("zh",)
    for language in languages:
        _write_file(notice, kind, language, version=1, actor=actor)
    db.session.flush()
    return notice


def _facts(kind: NoticeKind, case: Case, event: CaseEvent, known: dict | None = None) -> dict:
    """What the notice says, read from the case and the step; values `known` already are kept."""
    known = known or {}
    return {field.name: known[field.name] if field.name in known else field.read(case, event)
            for field in kind.all_fields}


def _write_file(notice: Notice, kind: NoticeKind, language: str, version: int, actor: User) -> NoticeFile:
    """One version of the notice in one language, attached to the step's timeline entry."""
    context = notice_context(notice.facts, notice.number, notice.issued_on)
    try:
        content = write_notice(current_template(kind, language), context)
    except TemplateError as mistake:  # a replaced template checked against the sample, not against this case
        raise CaseRefused(_l("The %(notice)s could not be written from its template (%(mistake)s); a manager can "
                             "put the default template back.", notice=kind.name(language),
                             mistake=mistake.message)) from None
    upload = FileStorage(io.BytesIO(content), filename=file_name(notice, kind, language, version),
                         content_type=DOCX)
    attachment = store_attachment(notice.case, notice.event, actor, upload)
    notice_file = NoticeFile(notice=notice, version=version, language=language, attachment=attachment,
                             written_by=actor)
    db.session.add(notice_file)
    return notice_file


def file_name(notice: Notice, kind: NoticeKind, language: str, version: int) -> str:
    """受理通知书-古知受〔2026〕0012号.docx; a later version ends -v2."""
    suffix = f"-v{version}" if version > 1 else ""
    return f"{kind.name(language)}-{notice.number}{suffix}.docx"


def regenerate_notice(notice: Notice, actor: User) -> int:
    """The notice written again from the templates now in place, as a new version with the same number and
    words (in the languages it was written in); the earlier versions stay. Returns the new version."""
    kind = notice_kind(notice.kind)
    version = max(notice.versions) + 1
    notice.facts = _facts(kind, notice.case, notice.event, known=notice.facts)  # fields added since: read now
    for language in [language for language in LANGUAGES if any(f.language == language for f in notice.files)]:
        _write_file(notice, kind, language, version, actor)
    db.session.flush()
    record("notice.regenerated", "case", notice.case.reference, actor=actor,
           after={"notice": notice.number, "kind": notice.kind, "version": version})
    return version


def notices_seen_by(user: User, case: Case) -> list[Notice]:
    """The case's notices this user may see: those whose timeline entry the user sees."""
    notices = db.session.scalars(select(Notice).where(Notice.case_id == case.id).order_by(Notice.id)
                                 .options(selectinload(Notice.files)))
    return [notice for notice in notices if can(user, "notice.view", notice)]


def notice_of(case: Case, notice_id: int) -> Notice | None:
    notice = db.session.get(Notice, notice_id)
    return notice if notice is not None and notice.case_id == case.id else None


# Templates ----------------------------------------------------------------------------------------------------

def replacement(kind: NoticeKind, language: str) -> NoticeTemplate | None:
    return db.session.get(NoticeTemplate, (kind.code, language))


def current_template(kind: NoticeKind, language: str) -> bytes:
    """The manager's template where there is one, otherwise the repository's."""
    replaced = replacement(kind, language)
    return replaced.content if replaced is not None else default_template(kind, language)


def replace_template(kind: NoticeKind, language: str, upload, actor: User) -> NoticeTemplate:
    """Put a manager's template in place of the current one, once it has passed the check (TemplateRefused)."""
    if language not in LANGUAGES:
        raise TemplateRefused(_l("Notices are written in Chinese and English only."))
    content = upload.read()
    check_template(kind, content)
    template = replacement(kind, language)
    before = _described(template)
    if template is None:
        template = NoticeTemplate(kind=kind.code, language=language)
        db.session.add(template)
    template.file_name, template.content = display_name(upload.filename), content
    template.sha256, template.uploaded_by, template.uploaded_at = hashlib.sha256(content).hexdigest(), actor, utcnow()
    db.session.flush()
    record("template.changed", "template", f"notice:{kind.code}.{language}", actor=actor, before=before,
           after=_described(template))
    return template


def restore_default_template(kind: NoticeKind, language: str, actor: User) -> bool:
    """The repository's template again; False if it was in place already."""
    template = replacement(kind, language)
    if template is None:
        return False
    before = _described(template)
    db.session.delete(template)
    db.session.flush()
    record("template.changed", "template", f"notice:{kind.code}.{language}", actor=actor, before=before,
           after=_described(None))
    return True


def _described(template: NoticeTemplate | None) -> dict:
    if template is None:
        return {"template": "default"}
    return {"template": template.file_name, "sha256": template.sha256}


def replaced_templates() -> dict[tuple[str, str], NoticeTemplate]:
    """Every manager's template by (kind, language), without their contents."""
    templates = db.session.scalars(select(NoticeTemplate).options(defer(NoticeTemplate.content),
                                                                  selectinload(NoticeTemplate.uploaded_by)))
    return {(t.kind, t.language): t for t in templates}

