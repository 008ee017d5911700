"""What staff read around a complaint: its parties' other cases with the center, its patent's record, and a
patent's complaints."""
from dataclasses import dataclass, field

from sqlalchemy import or_, select

from ..cases.models import Case
from ..cases.queries import CASE_ROW
from ..cases.workflow import CASE_TYPES
from ..extensions import db
from ..organisations.models import Organisation
from ..patents.models import Patent
from ..patents.numbers import InvalidApplicationNumber, check_character, normalise_cn_application_number

# A patent number as a complaint gives it: ZL and the application number (`ZL202130123456.8`).
PATENT_PREFIX = "ZL"


@dataclass
class Conflicts:
    """The complaint's parties as the center's clients: their other open cases."""

    complainant: list[Case] = field(default_factory=list)
    respondent: list[tuple[Organisation, list[Case]]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.complainant or any(cases for _organisation, cases in self.respondent))


def respondent_organisations(case: Case) -> list[Organisation]:
    """The registered enterprises the complaint is against: by its credit code, or by exactly its name."""
    named = [Organisation.name_zh == case.respondent_name, Organisation.name_en == case.respondent_name] \
        if case.respondent_name else []
    coded = [Organisation.credit_code == case.respondent_credit_code] if case.respondent_credit_code else []
    if not named + coded:
        return []
    return list(db.session.scalars(select(Organisation).where(or_(*named, *coded),
                                                              Organisation.id != case.organisation_id)
                                   .order_by(Organisation.id)))


def conflicts(case: Case) -> Conflicts:
    found = Conflicts(complainant=_open_cases(Case.organisation_id == case.organisation_id, Case.id != case.id))
    for organisation in respondent_organisations(case):
        found.respondent.append((organisation, _open_cases(Case.organisation_id == organisation.id)))
    return found


def _open_cases(*conditions) -> list[Case]:
    return list(db.session.scalars(select(Case).where(Case.closed_at.is_(None), *conditions)
                                   .order_by(Case.created_at, Case.id).options(*CASE_ROW)))


def enforced_patent(case: Case) -> Patent | None:
    """The record of the patent a complaint enforces, if the collection has it: found by its application number,
    stored with or without the check character."""
    if not case.patent_number:
        return None
    try:
        number = normalise_cn_application_number(case.patent_number)
    except InvalidApplicationNumber:
        return None
    forms = [number, number.rpartition(".")[0]]
    return db.session.scalar(select(Patent).where(Patent.application_number.in_(forms)).order_by(Patent.id).limit(1))


def complaints_enforcing(patent: Patent) -> list[Case]:
    """The complaints that enforce this patent (by its Chinese application number), newest first."""
    numbers = _patent_numbers(patent.application_number or "")
    types = [code for code, case_type in CASE_TYPES.items() if case_type.respondent_stages]
    if not numbers or not types:
        return []
    return list(db.session.scalars(select(Case).where(Case.case_type.in_(types), Case.patent_number.in_(numbers))
                                   .order_by(Case.created_at.desc(), Case.id.desc()).options(*CASE_ROW)))


def _patent_numbers(application_number: str) -> list[str]:
    """The patent number a complaint would give for an application number (`CN202130123456.8` or, stored
    without its check character, `CN202130123456`): `ZL202130123456.8`."""
    body = application_number.removeprefix("CN").partition(".")[0]
    if not body.isdigit() or len(body) not in (8, 12):
        return []
    return [f"{PATENT_PREFIX}{body}.{check_character(body)}"]
