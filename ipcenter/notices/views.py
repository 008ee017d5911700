"""The notices on the case page (and writing one again), and the managers' pages of the notices' templates."""
from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from ..calendar import center_today
from ..cases.models import Case
from ..cases.rules import CaseRefused
from ..cases.signals import page_panels
from ..cases.views import case_or_404
from ..i18n import current_language
from ..permissions import requires
from ..submission_keys import sent_once
from .document import DOCX, NOTICE_PLACEHOLDERS, TemplateRefused
from .forms import TemplateForm
from .kinds import LANGUAGES, NOTICE_KINDS, NoticeKind, issuing_steps
from .operations import (
    current_template,
    notice_of,
    notices_seen_by,
    regenerate_notice,
    replace_template,
    replaced_templates,
    replacement,
    restore_default_template,
)

bp = Blueprint("notices", __name__)
TEMPLATE_NAMES = {"zh": _l("Chinese template"), "en": _l("English template")}


@page_panels.connect
def notices_panel(case: Case) -> Markup | None:
    """The case's notices that the current user may see: kind, number, date, each version's files."""
    notices = notices_seen_by(current_user, case)
    if not notices:
        return None
    return Markup(render_template("notices/_panel.html", case=case, notices=notices, kinds=NOTICE_KINDS,
                                  language=current_language()))


@bp.route("/cases/<reference>/notices/<int:notice_id>/regenerate", methods=["POST"])
@requires("notice.regenerate")
@sent_once(by_fields=False)
def regenerate(reference, notice_id):
    case = case_or_404(reference)
    notice = notice_of(case, notice_id)
    if notice is None:
        abort(404)
    try:
        version = regenerate_notice(notice, current_user)
    except CaseRefused as refusal:
        abort(400, description=str(refusal))
    flash(_("%(number)s is written again from the current templates, as version %(version)d.",
            number=notice.number, version=version), "success")
    return redirect(url_for("cases.show", reference=reference, _anchor="notices"))


@bp.route("/admin/notices/")
@requires("notices.templates")
def list_templates():
    return render_template("notices/templates.html", kinds=NOTICE_KINDS, replaced=replaced_templates(),
                           steps={code: issuing_steps(kind) for code, kind in NOTICE_KINDS.items()},
                           language=current_language())


@bp.route("/admin/notices/<kind_code>")
@requires("notices.templates")
def show_kind(kind_code):
    return _kind_page(_kind(kind_code), {language: TemplateForm(prefix=language) for language in LANGUAGES})


@bp.route("/admin/notices/<kind_code>/<language>", methods=["POST"])
@requires("notices.templates")
def replace(kind_code, language):
    kind, form = _kind(kind_code), TemplateForm(prefix=_language(language))
    if form.validate_on_submit():
        try:
            replace_template(kind, language, form.file.data, current_user)
        except TemplateRefused as refusal:
            form.file.errors.append(str(refusal))
        else:
            flash(_("%(template)s of the %(notice)s: checked, and in use from now on.",
                    template=TEMPLATE_NAMES[language], notice=kind.name(current_language())), "success")
            return redirect(url_for("notices.show_kind", kind_code=kind.code))
    forms = {other: TemplateForm(prefix=other, formdata=None) for other in LANGUAGES}
    return _kind_page(kind, {**forms, language: form}), 400


@bp.route("/admin/notices/<kind_code>/<language>/default", methods=["POST"])
@requires("notices.templates")
def restore_default(kind_code, language):
    kind = _kind(kind_code)
    if restore_default_template(kind, _language(language), current_user):
        flash(_("%(template)s of the %(notice)s: the default one is in use again.",
                template=TEMPLATE_NAMES[language], notice=kind.name(current_language())), "success")
    return redirect(url_for("notices.show_kind", kind_code=kind.code))


@bp.route("/admin/notices/<kind_code>/<language>.docx")
@requires("notices.templates")
def download_template(kind_code, language):
    kind = _kind(kind_code)
    name = f"{kind.template}.{_language(language)}.docx"
    return Response(current_template(kind, language), mimetype=DOCX,
                    headers={"Content-Disposition": f"attachment; filename={name}"})


def _kind(code: str) -> NoticeKind:
    if code not in NOTICE_KINDS:
        abort(404)
    return NOTICE_KINDS[code]


def _language(language: str) -> str:
    if language not in LANGUAGES:
        abort(404)
    return language


def _kind_page(kind: NoticeKind, forms: dict):
    return render_template("notices/kind.html", kind=kind, kinds=NOTICE_KINDS, forms=forms, steps=issuing_steps(kind),
                           replaced={language: replacement(kind, language) for language in LANGUAGES},
                           placeholders=sorted([*NOTICE_PLACEHOLDERS, *(field.name for field in kind.all_fields)]),
                           language=current_language(), year=center_today().year)
