"""The center's official notices, as data: what each is called, how it is numbered, which Word template it is
written from, to whom it is addressed, what it says beyond what every notice says, and at which step of the
workflow it is issued.

Nothing else names a kind: the engine's signal (cases.signals.step_taken) asks `kinds_issued_by` which kinds a
step issues, the template pages list `NOTICE_KINDS`, and a template is checked against its kind's `fields`. A new
notice is an entry here and its two templates (`make_templates.py` writes the defaults). A kind whose step no
case type has yet (the complaint's) is simply never issued until that type exists.

Each field is read from the case and the step's timeline entry when the notice is issued, and kept with the
notice, so that a notice written again (a new version, after a template was replaced) says what it said; its
`sample` is what a replacement template is tried with before it is accepted.
"""
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from flask_babel import force_locale

from ..calendar import CENTER_ZONE
from ..cases.models import Case, CaseEvent, EventKind
from ..cases.vocabularies import PATENT_KINDS
from ..cases.workflow import CASE_TYPES

LANGUAGES = ("zh", "en")  # every notice is written in Chinese; in English too for a reader of English
# The complaint type (issue 14), whose notices wait for it: its steps and the details it records are named here as
# that type names them (cases.workflow on main: find_*, notify_respondent, record_agreement, refer_to_*).
COMPLAINT = "infringement_complaint"
# What an assessment found (the complaint's `assessment`), as the opinion states it.
FINDINGS = {"infringing": ("构成侵权", "Infringing"), "not_infringing": ("不构成侵权", "Not infringing"),
            "unclear": ("无法判定", "Cannot be determined")}
# Where each referral goes.
REFERRAL_BODIES = {"refer_to_bureau": ("中山市市场监督管理局", "Zhongshan Administration for Market Regulation"),
                   "refer_to_court": ("有管辖权的人民法院", "the competent people's court")}

Reader = Callable[[Case, CaseEvent], object]


def chinese_date(day: date | None) -> str:
    """As Chinese official documents write a date: 2026年11月26日."""
    return f"{day.year}年{day.month}月{day.day}日" if day else "—"


def english_date(day: date | None) -> str:
    return f"{day.day} {day.strftime('%B')} {day.year}" if day else "—"


def in_language(text, language: str) -> str:
    """A translatable string (a type's or a stage's name) as it reads in `language`."""
    with force_locale(language):
        return str(text)


@dataclass(frozen=True)
class Field:
    """A placeholder of a kind's templates: its name, how it is read, and the value a template is tried with."""

    name: str
    read: Reader
    sample: str | list[str]


def _text(name: str, read: Reader, sample: str | list[str]) -> tuple[Field, ...]:
    return (Field(name, read, sample),)


def _dated(name: str, read: Callable[[Case, CaseEvent], date | None], sample: date) -> tuple[Field, ...]:
    """A date, as `<name>_zh` (2026年12月10日) and `<name>_en` (10 December 2026)."""
    return (Field(f"{name}_zh", lambda case, event: chinese_date(read(case, event)), chinese_date(sample)),
            Field(f"{name}_en", lambda case, event: english_date(read(case, event)), english_date(sample)))


def _deadline(name: str, sample: date) -> tuple[Field, ...]:
    """The case's deadline, with its time where the clock runs in hours (a fair's 24 hours): a respondent reading
    only "by 27 November" would count the whole day."""
    def written(case: Case, write_date, at: str) -> str:
        text = write_date(case.due_date)
        if case.due_at is None:
            return text
        local = case.due_at.astimezone(CENTER_ZONE)
        return text + at.format(hour=local.hour, minute=local.minute)
    return (Field(f"{name}_zh", lambda case, event: written(case, chinese_date, "{hour}时{minute:02d}分"),
                  chinese_date(sample)),
            Field(f"{name}_en", lambda case, event: written(case, english_date, ", {hour}:{minute:02d} China time"),
                  english_date(sample)))


def _named(name: str, read: Reader, sample: tuple[str, str]) -> tuple[Field, ...]:
    """A translatable name, as `<name>_zh` and `<name>_en`."""
    return tuple(Field(f"{name}_{language}", _read_in(read, language), sample[index])
                 for index, language in enumerate(LANGUAGES))


def _read_in(read: Reader, language: str) -> Reader:
    return lambda case, event: in_language(read(case, event) or "—", language)


def _type_name(case: Case, event: CaseEvent):
    known = CASE_TYPES.get(case.case_type)
    return known.name if known else case.case_type


def _enterprise(language: str) -> Reader:
    return lambda case, event: (case.organisation.name_en or case.organisation.name_zh) if language == "en" \
        else case.organisation.name_zh


def _complaint_detail(name: str) -> Reader:
    """A detail the complaint type (issue 14) records on its case, under this name; blank until it exists."""
    return lambda case, event: str(getattr(case, name, None) or "")


def _finding(language: str) -> Reader:
    index = LANGUAGES.index(language)
    return lambda case, event: FINDINGS.get(str(getattr(case, "assessment", "") or ""), ("—", "—"))[index]


def _referral_body(language: str) -> Reader:
    index = LANGUAGES.index(language)
    return lambda case, event: REFERRAL_BODIES.get(event.action or "", ("—", "—"))[index]


def _lines(case: Case, event: CaseEvent) -> list[str]:
    """The step's comment, a line an item (the terms of an agreement)."""
    return [line.strip() for line in (event.comment or "").splitlines() if line.strip()]


def _evidence(case: Case, event: CaseEvent) -> list[str]:
    """The files the request came with: the evidence a referral letter lists."""
    submitted = next((entry for entry in case.events if entry.kind == EventKind.SUBMITTED), None)
    return [attachment.original_name for attachment in submitted.attachments] if submitted else []


def _comment(case: Case, event: CaseEvent) -> str:
    return event.comment or ""


# What every notice says, whatever its kind.
COMMON_FIELDS = (
    *_text("case_reference", lambda case, event: case.reference, "ZS-2026-000123"),
    *_text("case_title", lambda case, event: case.title, "六臂水晶吊灯外观设计"),
    *_named("case_type", _type_name, ("快速预审与确权", "Fast pre-examination and authorization")),
    *_text("enterprise_name_zh", _enterprise("zh"), "中山市古镇华辉灯饰有限公司"),
    *_text("enterprise_name_en", _enterprise("en"), "Zhongshan Guzhen Huahui Lighting Co., Ltd."),
    *_dated("submitted_on", lambda case, event: case.created_at.astimezone(CENTER_ZONE).date(), date(2026, 11, 20)),
)


@dataclass(frozen=True)
class Recipient:
    """To whom a notice is addressed: its name on the notice, and whether it reads English."""

    code: str
    name_zh: Reader
    name_en: Reader
    reads_english: Callable[[Case], bool]

    @property
    def fields(self) -> tuple[Field, ...]:
        return (Field("addressee_zh", self.name_zh, "中山市古镇华辉灯饰有限公司"),
                Field("addressee_en", self.name_en, "Zhongshan Guzhen Huahui Lighting Co., Ltd."))


# The enterprise that made the request; it reads English when the user who made it does.
REQUESTER = Recipient("requester", _enterprise("zh"), _enterprise("en"),
                      lambda case: case.submitter.language == "en")
# A complaint's respondent and the authority a complaint is referred to: known by name only, in Chinese.
RESPONDENT = Recipient("respondent", _complaint_detail("respondent_name"), _complaint_detail("respondent_name"),
                       lambda case: False)
REFERRAL_BODY = Recipient("referral_body", _referral_body("zh"), _referral_body("en"), lambda case: False)


@dataclass(frozen=True)
class When:
    """A step that issues a notice: an action, of one type or of every type that has it, from one stage or any."""

    action: str
    case_type: str | None = None
    from_stage: str | None = None

    def matches(self, case_type: str, action: str | None, from_stage: str | None) -> bool:
        return (action == self.action and self.case_type in (None, case_type)
                and self.from_stage in (None, from_stage))


@dataclass(frozen=True, kw_only=True)
class NoticeKind:
    code: str
    name_zh: str
    name_en: str
    prefix: str  # of its number: 古知受〔2026〕0012号
    template: str  # the default templates: templates/<template>.<language>.docx
    issued_on: tuple[When, ...]
    addressed_to: Recipient = REQUESTER
    instead_of: str | None = None  # the kind it replaces where both would be issued by one step
    fields: tuple[Field, ...] = ()

    def name(self, language: str) -> str:
        return self.name_en if language == "en" else self.name_zh

    def number(self, year: int, serial: int) -> str:
        return f"{self.prefix}〔{year}〕{serial:04d}号"

    @property
    def all_fields(self) -> tuple[Field, ...]:
        """Every placeholder its templates may use, but the notice's own (number, date, the center's letterhead)."""
        return COMMON_FIELDS + self.addressed_to.fields + self.fields


def _due(case: Case, event: CaseEvent) -> date | None:
    """The case's due date once the step is taken: the center's, or the enterprise's to answer by."""
    return case.due_date


def _stage(case: Case, event: CaseEvent):
    return case.workflow.stage(event.to_stage).name if event.to_stage else None


NOTICE_KINDS: dict[str, NoticeKind] = {kind.code: kind for kind in (
    NoticeKind(
        code="acceptance", name_zh="受理通知书", name_en="Acceptance notice", prefix="古知受", template="acceptance",
        # Every type whose intake is a step of its own; a consultation's first stage is the answering itself.
        issued_on=(When("accept"),),
        fields=(*_named("stage", _stage, ("预审", "Pre-examination")), *_dated("due_date", _due, date(2026, 11, 25))),
    ),
    NoticeKind(
        code="not_accepted", name_zh="不予受理通知书", name_en="Notice of non-acceptance", prefix="古知不受",
        template="not_accepted", issued_on=(When("not_accept"),),
        fields=_text("reason", _comment, "请求的产品不属于本中心的服务范围。"),
    ),
    NoticeKind(
        code="correction", name_zh="补正通知书", name_en="Notice to correct", prefix="古知补", template="correction",
        issued_on=(When("request_corrections"), When("request_materials")),
        fields=(*_text("missing", _comment, "请补充六面视图及简要说明。"),
                *_dated("deadline", _due, date(2026, 12, 3))),
    ),
    NoticeKind(
        code="pre_examination_pass", name_zh="预审合格通知书", name_en="Notice of passing pre-examination",
        prefix="古知预合", template="pre_examination_pass", issued_on=(When("pass", "fast_pre_examination"),),
        fields=(*_text("product_name", lambda case, event: case.product_name or "", "水晶吊灯"),
                *_named("patent_kind", lambda case, event: PATENT_KINDS.get(case.patent_kind or ""),
                        ("外观设计", "Design")),
                *_text("classification", lambda case, event: case.classification or "", "26-05")),
    ),
    NoticeKind(
        code="pre_examination_fail", name_zh="预审不合格通知书", name_en="Notice of failing pre-examination",
        prefix="古知预不", template="pre_examination_fail", instead_of="not_accepted",
        issued_on=(When("not_accept", "fast_pre_examination", from_stage="pre_examination"),),
        fields=(*_text("product_name", lambda case, event: case.product_name or "", "水晶吊灯"),
                *_text("reason", _comment, "六面视图不一致，存在明显实质性缺陷。")),
    ),
    # The complaint's notices (issue 14): their steps are the complaint type's, which is still to come.
    NoticeKind(
        code="complaint_notice", name_zh="侵权投诉通知书", name_en="Notice of complaint", prefix="古知维通",
        template="complaint_notice", addressed_to=RESPONDENT, issued_on=(When("notify_respondent", COMPLAINT),),
        fields=(*_text("respondent_name", _complaint_detail("respondent_name"), "中山市某某灯饰厂"),
                *_text("patent_number", lambda case, event: case.patent_number or "", "ZL202630123456.0"),
                *_text("complaint", lambda case, event: case.description,
                       "被投诉人在灯博会展位销售的吊灯与投诉人外观设计专利相同。"),
                *_deadline("answer_deadline", date(2026, 11, 27))),
    ),
    NoticeKind(
        code="assessment_opinion", name_zh="侵权判定意见书", name_en="Infringement assessment opinion",
        prefix="古知维评", template="assessment_opinion",
        issued_on=tuple(When(finding, COMPLAINT) for finding in ("find_infringing", "find_unclear",
                                                                 "find_not_infringing")),
        fields=(*_text("respondent_name", _complaint_detail("respondent_name"), "中山市某某灯饰厂"),
                *_text("patent_number", lambda case, event: case.patent_number or "", "ZL202630123456.0"),
                *_text("conclusion_zh", _finding("zh"), "构成侵权"),
                *_text("conclusion_en", _finding("en"), "Infringing"),
                *_text("reasons", _comment, "被控侵权产品与专利外观设计整体视觉效果无实质性差异。")),
    ),
    NoticeKind(
        code="mediation_agreement", name_zh="调解协议书", name_en="Mediation agreement", prefix="古知调",
        template="mediation_agreement", issued_on=(When("record_agreement", COMPLAINT),),
        fields=(*_text("respondent_name", _complaint_detail("respondent_name"), "中山市某某灯饰厂"),
                *_text("patent_number", lambda case, event: case.patent_number or "", "ZL202630123456.0"),
                *_text("terms", _lines, ["被投诉人立即停止销售被控侵权产品。",
                                         "被投诉人于2026年12月31日前赔偿投诉人人民币伍万元。"])),
    ),
    NoticeKind(
        code="referral_letter", name_zh="案件移送函", name_en="Referral letter", prefix="古知移",
        template="referral_letter", addressed_to=REFERRAL_BODY,
        issued_on=(When("refer_to_bureau", COMPLAINT), When("refer_to_court", COMPLAINT)),
        fields=(*_text("referral_body_zh", _referral_body("zh"), "中山市市场监督管理局"),
                *_text("referral_body_en", _referral_body("en"), "Zhongshan Administration for Market Regulation"),
                *_text("respondent_name", _complaint_detail("respondent_name"), "中山市某某灯饰厂"),
                *_text("patent_number", lambda case, event: case.patent_number or "", "ZL202630123456.0"),
                *_text("evidence", _evidence, ["购买发票.pdf", "公证书.pdf", "展位照片.jpg"])),
    ),
)}


def issuing_steps(kind: NoticeKind) -> list[tuple]:
    """(case type, transition, the stage it must be taken from or None) for each step of the types there are
    that issues the kind; none for a kind whose step no type has yet."""
    return [(case_type, transition, case_type.stage(when.from_stage) if when.from_stage else None)
            for when in kind.issued_on for case_type in CASE_TYPES.values()
            if when.case_type in (None, case_type.code)
            for transition in [case_type.transition(when.action)] if transition is not None]


def kinds_issued_by(case_type: str, action: str | None, from_stage: str | None) -> list[NoticeKind]:
    """The notices a step issues: each kind one of whose steps it is, but a kind another of them replaces."""
    issued = [kind for kind in NOTICE_KINDS.values()
              if any(when.matches(case_type, action, from_stage) for when in kind.issued_on)]
    replaced = {kind.instead_of for kind in issued}
    return [kind for kind in issued if kind.code not in replaced]


def notice_kind(code: str) -> NoticeKind:
    return NOTICE_KINDS[code]
