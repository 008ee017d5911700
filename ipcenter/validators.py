"""WTForms validators for the center's own kinds of input."""
import re

from flask_babel import lazy_gettext as _l
from stdnum.cn import uscc
from stdnum.exceptions import ValidationError as StdnumError
from wtforms.validators import ValidationError

MAINLAND_MOBILE = re.compile(r"^1[3-9]\d{9}$")
MAINLAND_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$")


def compact_phone(value: str) -> str:
    return re.sub(r"[\s()]", "", value or "").removeprefix("+86").removeprefix("0086")


class MainlandPhone:
    """A mainland-China mobile (11 digits from 13x..19x) or landline with area code."""

    def __call__(self, form, field):
        number = compact_phone(field.data)
        if not (MAINLAND_MOBILE.match(number) or MAINLAND_LANDLINE.match(number)):
            raise ValidationError(_l(
                "Enter a mainland-China phone number: an 11-digit mobile (e.g. 13812345678) "
                "or a landline with area code (e.g. 0760-22345678)."
            ))
        field.data = number


class CreditCode:
    """The 18-character unified social credit code, checksum included."""

    def __call__(self, form, field):
        try:
            field.data = uscc.validate(field.data or "")
        except StdnumError:
            raise ValidationError(_l(
                "This is not a valid unified social credit code: it has 18 characters "
                "and ends with a check character; please copy it from the business licence."
            )) from None

