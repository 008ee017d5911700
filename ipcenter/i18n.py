"""Language choice and localized display of names and times."""
from babel.lists import format_list
from flask import current_app, has_request_context, request, session
from flask_babel import LazyString, format_datetime, get_locale, get_translations
from flask_login import current_user


def select_locale() -> str:
    """The user's preference, then the session's choice, then Accept-Language."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.language in languages:
        return current_user.language
    chosen = session.get("language")
    if isinstance(chosen, str) and chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def current_language() -> str:
    return get_locale().language


def localized_name(record) -> str:
    """The English name in English when there is one, otherwise the Chinese name."""
    if current_language() == "en" and getattr(record, "name_en", None):
        return record.name_en
    return record.name_zh


def with_colon(label) -> str:
    """A label before its value: a full-width colon in Chinese, a colon and a space in English."""
    return f"{label}：" if current_language() == "zh" else f"{label}: "


def spoken_list(values, labels=None) -> str:
    """Values, or their labels, listed as the language writes a list: 附件、申请号和备注 / files, number and note."""
    return format_list([str(labels[value] if labels else value) for value in values], locale=get_locale())


def listed_apart(labels) -> str:
    """Labels that may hold "and" themselves, listed without one: 停止制造、销售、销毁库存 / Stop making and
    selling; Destroy the stock."""
    return ("、" if current_language() == "zh" else "; ").join(str(label) for label in labels)


def center_name(language: str | None = None) -> str:
    """The center's name (from configuration) in the current language, or in `language`."""
    language = language or current_language()
    return current_app.config["CENTER_NAME_EN" if language == "en" else "CENTER_NAME_ZH"]


# For messages built before their language is known (a mail subject): the name in the language it is read in.
CENTER_NAME = LazyString(center_name)


def local_time(value, format: str = "medium") -> str:
    """A UTC timestamp shown in the center's time zone (Asia/Shanghai)."""
    return "" if value is None else format_datetime(value, format)


def install_template_translations(env) -> None:
    """Templates translate through the catalogue of the locale in force, looked up once per locale.

    Flask-Babel looks the catalogue up again for every string (its domain, context and cache key: some
    twelve microseconds), and a page translates a few hundred. The locale is read on every call, so that
    `force_locale` (mail in the reader's language) still switches it."""
    catalogues: dict[str, object] = {}

    def catalogue():
        locale = get_locale()
        key = str(locale)
        found = catalogues.get(key)
        if found is None:
            found = catalogues[key] = get_translations()
        return found

    env.install_gettext_callables(
        gettext=lambda string: catalogue().ugettext(string),
        ngettext=lambda singular, plural, n: catalogue().ungettext(singular, plural, n),
        pgettext=lambda context, string: catalogue().upgettext(context, string),
        npgettext=lambda context, singular, plural, n: catalogue().unpgettext(context, singular, plural, n),
        newstyle=True)
