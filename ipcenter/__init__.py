"""ipcenter: case tracker and patent search for an IP rapid-protection service center."""
from pathlib import Path

from flask import Flask

from . import database, mail, page_cache, submission_keys, throttling  # noqa: F401  (SQLite settings; their tables)

# Every model, so that whatever imports the package (a command, a benchmark) finds each relationship's class.
from .accounts import models as account_models  # noqa: F401
from .audit import models as audit_models  # noqa: F401  (the audit log's tables and triggers)
from .cases import models as case_models  # noqa: F401
from .complaints import models as complaint_models  # noqa: F401  (the respondent's links, released documents)
from .config import PROJECT_ROOT, Config
from .extensions import babel, bootstrap, csrf, db, login_manager, migrate
from .notices import models as notice_models  # noqa: F401  (official notices, their numbers and templates)
from .notifications import models as notification_models  # noqa: F401
from .organisations import models as organisation_models  # noqa: F401
from .patents import index as patent_index  # noqa: F401  (the patent tables; index kept in step on commit)
from .reports import models as report_models  # noqa: F401  (the search report tables)
from .saved_views import models as saved_view_models  # noqa: F401  (the finder's saved views)
from .working_calendar import models as calendar_models  # noqa: F401  (the center's holiday schedules)


def create_app(config: type[Config] | None = None, **overrides) -> Flask:
    """Build the application. `config` defaults to the environment's settings."""
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        instance_path=str(overrides.get("INSTANCE_PATH") or Config.INSTANCE_PATH),
    )
    app.config.from_object(config or Config)
    if config is None:
        app.config.update(Config.from_environment())
    app.config.update(overrides)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    # Flask's handler writes to the WSGI error stream (gunicorn's error log); without a level
    # the logger inherits WARNING from the root and INFO records (successful logins) vanish.
    app.logger.setLevel(app.config["LOG_LEVEL"])

    _init_extensions(app)
    _register_blueprints(app)
    _register_request_boundary(app)
    _register_templating(app)
    from .cli import register_commands
    from .errors import register_error_handlers
    from .security import init_security

    register_error_handlers(app)
    init_security(app)
    register_commands(app)
    return app


def _init_extensions(app: Flask) -> None:
    from .database import configure_postgresql, configure_sqlite, render_migration_type
    from .i18n import select_locale

    db.init_app(app)
    with app.app_context():
        for engine in db.engines.values():
            configure_sqlite(engine, app.config["SQLITE_SYNCHRONOUS"])
            configure_postgresql(engine)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_item=render_migration_type)
    csrf.init_app(app)
    bootstrap.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    login_manager.init_app(app)
    throttling.init_throttling(app)


def _register_blueprints(app: Flask) -> None:
    from .accounts.admin import bp as users_admin_bp
    from .accounts.views import bp as accounts_bp
    from .audit.views import bp as audit_bp
    from .cases.views import bp as cases_bp
    from .complaints.views import bp as complaints_bp  # its receivers: the respondent's link, the case page's panels
    from .dashboard.views import bp as dashboard_bp
    from .main.views import bp as main_bp
    from .notices.views import bp as notices_bp  # its panel on the case page; its operations issue the notices
    from .notifications.views import bp as notifications_bp
    from .organisations.admin import bp as organisations_admin_bp
    from .organisations.views import bp as organisations_bp
    from .patents.views import bp as patents_bp
    from .reports.views import bp as reports_bp  # with its panel on the case page (cases.signals)
    from .saved_views.views import bp as saved_views_bp
    from .working_calendar.views import bp as calendar_bp

    for blueprint in (main_bp, accounts_bp, users_admin_bp, organisations_bp, organisations_admin_bp, cases_bp,
                      notifications_bp, patents_bp, reports_bp, notices_bp, audit_bp, calendar_bp, dashboard_bp,
                      saved_views_bp, complaints_bp):
        app.register_blueprint(blueprint)


def _register_request_boundary(app: Flask) -> None:
    """One commit per request, here; rollback on any error; development mail files after commit; then the
    failures and denials the audit log keeps whatever became of the request."""
    from .audit.operations import write_failures
    from .mail import discard_queued_mail, write_queued_mail

    def roll_back() -> None:
        db.session.rollback()  # attachment files written meanwhile go with it (cases.attachments)
        discard_queued_mail()

    @app.after_request
    def commit_request(response):
        if response.status_code < 400:
            if db.session().in_transaction():  # a request that never used the database takes no connection
                db.session.commit()
            write_queued_mail()
        else:
            roll_back()
        write_failures()
        return response

    @app.teardown_request
    def rollback_on_error(error):
        if error is not None:
            roll_back()
            write_failures()


def _register_templating(app: Flask) -> None:
    from flask_babel import get_locale

    from .cases.diagram import layout
    from .cases.operations import INPUT_LABELS
    from .cases.timeline import written_by
    from .cases.vocabularies import (
        ASSESSMENTS,
        CHANNELS,
        CONSULTATION_TOPICS,
        FOREIGN_EVENTS,
        PATENT_KINDS,
        PATENT_STATUSES,
        RETRIEVAL_PURPOSES,
        STANDINGS,
    )
    from .cases.workflow import ACTOR_LABELS
    from .i18n import center_name, install_template_translations, local_time, localized_name, spoken_list, with_colon
    from .list_filters import address_with_query
    from .notifications.operations import unread_notifications
    from .permissions import can
    from .saved_views.queries import finder_address
    from .submission_keys import page_submission_key

    install_template_translations(app.jinja_env)
    app.jinja_env.globals.update(
        input_labels=INPUT_LABELS, patent_kinds=PATENT_KINDS, retrieval_purposes=RETRIEVAL_PURPOSES,
        foreign_events=FOREIGN_EVENTS, actor_labels=ACTOR_LABELS, consultation_topics=CONSULTATION_TOPICS,
        diagram=layout, unread_notifications=unread_notifications, patent_statuses=PATENT_STATUSES,
        standings=STANDINGS, channels=CHANNELS, assessments=ASSESSMENTS, written_by=written_by,
    )
    app.jinja_env.filters["local_time"] = local_time
    app.jinja_env.filters["localized_name"] = localized_name
    app.jinja_env.filters.update(with_colon=with_colon, spoken_list=spoken_list, finder_address=finder_address)
    app.jinja_env.globals.update(can=can, get_locale=get_locale, center_name=center_name,
                                 page_submission_key=page_submission_key, address_with_query=address_with_query)
