"""A year's schedule as text, typed from the State Council's notice (one line per holiday or make-up day):

    # 国务院办公厅关于2027年部分节假日安排的通知
    2027-02-06,2027-02-13,春节,Spring Festival
    2027-02-14,workday,春节调休,Spring Festival make-up day

`START,END,中文名[,English name]` lists the holidays from START to END (the same day for a one-day holiday);
`DATE,workday,中文名[,English name]` (or `上班`) a weekend day worked in their place. Dates are YYYY-MM-DD;
a full-width comma (，) may stand for the comma; blank lines and lines starting with `#` are skipped.
"""
import codecs
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext

from .models import DayKind

SEPARATOR = re.compile(r"\s*[,，]\s*")
WORKDAY_WORDS = {"workday", "上班"}
LONGEST_HOLIDAY = 31  # days: a longer range is a mistyped date
NAME_ZH_LENGTH, NAME_EN_LENGTH = 40, 60
SHOWN_WRONG_LINES = 10


@dataclass(frozen=True)
class ListedDay:
    day: date
    kind: DayKind
    name_zh: str
    name_en: str | None = None


class ScheduleRefused(ValueError):
    """What is wrong with a schedule or a day, and where (a line of the text, or a field of the form)."""

    def __init__(self, message, line: int | None = None, field: str | None = None):
        super().__init__(message)
        self.message, self.line, self.field = message, line, field

    def __str__(self) -> str:
        message = str(self.message)
        return message if self.line is None else str(_l("Line %(line)d: %(message)s", line=self.line,
                                                         message=message))

    def each(self) -> list["ScheduleRefused"]:
        """What is wrong, one refusal a line."""
        return [self]


class WrongLines(ScheduleRefused):
    """Every wrong line of a schedule (up to SHOWN_WRONG_LINES), so that one pass mends them all."""

    def __init__(self, refusals: list[ScheduleRefused]):
        super().__init__(refusals[0].message, line=refusals[0].line)
        self.refusals = refusals

    def each(self) -> list[ScheduleRefused]:
        shown = self.refusals[:SHOWN_WRONG_LINES]
        if len(self.refusals) > len(shown):
            more = len(self.refusals) - len(shown)
            shown.append(ScheduleRefused(lazy_ngettext("… and %(num)d more wrong line.", "… and %(num)d more wrong "
                                                       "lines.", more)))
        return shown


def schedule_text(raw: bytes) -> str:
    """A schedule file's text: UTF-8, else GB18030 (GBK's superset: what Excel and Notepad save on a Chinese
    Windows), or UTF-16 with its byte-order mark (their "Unicode" text). Raises ScheduleRefused for a file that is
    none of them, such as a picture or a Word document."""
    marked = raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    for encoding in ("utf-16",) if marked else ("utf-8", "gb18030"):
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:  # a binary file can happen to decode; text files hold no NUL
            return text
    raise ScheduleRefused(_l("The file is not text: save the schedule as plain text or CSV and try again."))


def read_schedule(text: str, year: int | None = None) -> tuple[int, list[ListedDay]]:
    """The year and the days a schedule's text lists, all checked (`year`: the year it must be; by default the
    year of its first date). Raises WrongLines naming every wrong line."""
    days: dict[date, tuple[int, ListedDay]] = {}
    wrong: list[ScheduleRefused] = []
    for number, line in enumerate(text.lstrip("\ufeff").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        try:
            listed = _read_line(line)
            year = year or listed[0].day.year
            for day in listed:
                check_day(day, year)
                if day.day in days:
                    raise ScheduleRefused(_l("%(date)s is already listed on line %(other)d.", date=day.day.isoformat(),
                                             other=days[day.day][0]))
                days[day.day] = (number, day)
        except ScheduleRefused as refusal:
            wrong.append(ScheduleRefused(refusal.message, line=number))
    if wrong:
        raise WrongLines(wrong)
    if year is None or not days:  # an empty box is a mistake: every official year has its holidays
        raise ScheduleRefused(_l("The schedule lists no day."))
    return year, [listed for _, listed in sorted(days.values(), key=lambda entry: entry[1].day)]


def _read_line(line: str) -> list[ListedDay]:
    fields = SEPARATOR.split(line)
    if len(fields) not in (3, 4):
        raise ScheduleRefused(_l("Write START,END,name[,English name] for holidays or DATE,workday,name[,English "
                                 "name] for a make-up working day."))
    start, second, name_zh, name_en = *fields[:3], fields[3] if len(fields) == 4 else None
    first = read_date(start)
    if second.lower() in WORKDAY_WORDS:
        return [ListedDay(first, DayKind.MAKE_UP_WORKDAY, name_zh, name_en or None)]
    last = read_date(second)
    if last < first:
        raise ScheduleRefused(_l("The holidays end (%(end)s) before they start (%(start)s).", end=second, start=start))
    if (last - first).days >= LONGEST_HOLIDAY:
        raise ScheduleRefused(_l("Holidays of more than %(days)d days: check the dates.", days=LONGEST_HOLIDAY))
    return [ListedDay(first + timedelta(days=n), DayKind.HOLIDAY, name_zh, name_en or None)
            for n in range((last - first).days + 1)]


def read_date(text: str) -> date:
    """A date written YYYY-MM-DD, in full-width digits too (as a Chinese input method may type them)."""
    written = unicodedata.normalize("NFKC", text).strip()
    if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", written):
        try:
            return date.fromisoformat(written)
        except ValueError:
            if 1 <= int(written[5:7]) <= 12 and int(written[8:]) >= 1:  # 2027-02-30, not 2027-13-01
                raise ScheduleRefused(_l("%(text)s is not a day of the calendar (the month is shorter).",
                                         text=written)) from None
    raise ScheduleRefused(_l("“%(text)s” is not a date: write it as YYYY-MM-DD, e.g. 2027-02-06.", text=text))


def check_day(listed: ListedDay, year: int) -> None:
    """The rules a listed day keeps, however it is entered."""
    if listed.day.year != year:
        raise ScheduleRefused(_l("%(date)s is not in %(year)d.", date=listed.day.isoformat(), year=year), field="day")
    if listed.kind == DayKind.MAKE_UP_WORKDAY and listed.day.weekday() < 5:
        raise ScheduleRefused(_l("%(date)s is a weekday: a make-up working day is a Saturday or a Sunday.",
                                 date=listed.day.isoformat()), field="day")
    if not listed.name_zh:
        raise ScheduleRefused(_l("Name the holiday in Chinese, as the notice does."), field="name_zh")
    if len(listed.name_zh) > NAME_ZH_LENGTH or len(listed.name_en or "") > NAME_EN_LENGTH:
        raise ScheduleRefused(_l("The name is too long (at most %(zh)d Chinese or %(en)d English characters).",
                                 zh=NAME_ZH_LENGTH, en=NAME_EN_LENGTH), field="name_zh")


def written_schedule(days: list[ListedDay]) -> str:
    """The days as the text `read_schedule` reads, a line per run (`runs`)."""
    return "".join(f"{_line(run)}\n" for run in runs(days))


def runs(days: list[ListedDay]) -> list[list[ListedDay]]:
    """The days in order, consecutive holidays of one name together (as the notice gives them); a make-up day alone."""
    found: list[list[ListedDay]] = []
    for listed in sorted(days, key=lambda listed: listed.day):
        last = found[-1][-1] if found else None
        if last is not None and listed.kind == last.kind == DayKind.HOLIDAY and listed.day == last.day + timedelta(
                days=1) and (listed.name_zh, listed.name_en) == (last.name_zh, last.name_en):
            found[-1].append(listed)
        else:
            found.append([listed])
    return found


def _line(run: list[ListedDay]) -> str:
    first = run[0]
    second = run[-1].day.isoformat() if first.kind == DayKind.HOLIDAY else "workday"
    return ",".join(filter(None, (first.day.isoformat(), second, first.name_zh, first.name_en)))
