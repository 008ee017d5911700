"""WTForms validators for the center's own kinds of input."""
import re

from flask_babel import lazy_gettext as _l
from stdnum.cn import uscc
from stdnum.exceptions import ValidationError as StdnumError
from wtforms.validators import ValidationError

MAINLAND_MOBILE = re.compile(r"^1[3-9]\d{9}$")
MAINLAND_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$")
COMMON_PASSWORDS = {
    "password", "password1", "password123", "12345678", "123456789", "1234567890",
    "qwertyuiop", "iloveyou", "11111111", "00000000", "abcdefgh", "abc12345678",
    "a1234567890", "qwerty123456", "passw0rd", "admin12345", "zhongshan123",
}


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
            ))


def _account_email(form) -> str:
    """The email the password belongs to: the form's own field, or one a view set."""
    field = getattr(form, "email", None)
    if field is not None:
        return field.data or ""
    return getattr(form, "account_email", "")


class StrongPassword:
    """At least 10 characters, letters and digits, not a well-known password."""

    def __call__(self, form, field):
        password = field.data or ""
        if len(password) < 10:
            raise ValidationError(_l("Use at least 10 characters."))
        if not (re.search(r"[A-Za-z]", password) and re.search(r"\d", password)):
            raise ValidationError(_l("Use both letters and digits."))
        if password.lower() in COMMON_PASSWORDS or len(set(password)) < 4:
            raise ValidationError(_l("This password is too easy to guess."))
        local_part = _account_email(form).split("@")[0].lower()
        if len(local_part) >= 4 and local_part in password.lower():
            raise ValidationError(_l("The password must not contain your email name."))
