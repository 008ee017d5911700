"""Chinese patent application numbers: parsing, check digits, one canonical form.

`CN 2021 3 0123456.7`, `CN202130123456.7`, `ZL202130123456.7` and `202130123456.7`
are the same application; the canonical form is `CN202130123456.7`.
"""
import re
from datetime import date

CHECK_CHARACTERS = "0123456789X"
WEIGHTS = {8: (2, 3, 4, 5, 6, 7, 8, 9), 12: (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)}
KIND_DIGITS = {"1": "invention", "2": "utility_model", "3": "design", "8": "invention", "9": "utility_model"}


class InvalidApplicationNumber(ValueError):
    pass


def check_character(body: str) -> str:
    return CHECK_CHARACTERS[sum(int(d) * w for d, w in zip(body, WEIGHTS[len(body)], strict=True)) % 11]


def normalise_cn_application_number(text: str) -> str:
    """The canonical form, or InvalidApplicationNumber saying what is wrong."""
    compact = re.sub(r"[\s.\-]", "", text or "").upper()
    compact = re.sub(r"^(CN|ZL)", "", compact)
    if not re.fullmatch(r"\d{8}(\d{4})?[\dX]", compact):
        raise InvalidApplicationNumber("format")
    body, check = compact[:-1], compact[-1]
    year = int(body[:4]) if len(body) == 12 else 1900 + int(body[:2])
    kind_digit = body[4] if len(body) == 12 else body[2]
    if kind_digit not in KIND_DIGITS or not 1985 <= year <= date.today().year + 1:
        raise InvalidApplicationNumber("format")
    if check_character(body) != check:
        raise InvalidApplicationNumber("check")
    return f"CN{body}.{check}"


def normalise_application_number(text: str, country: str | None = None) -> str:
    """One form for every way an application number is written; lenient, for search and import.

    Chinese numbers keep their check character when given (`CN202130123456.7`); US numbers
    lose separators and leading zeros (`US12134151`). Anything else is upper-cased and compacted.
    """
    compact = re.sub(r"[\s.,/\-]", "", text or "").upper()
    prefix = re.match(r"^(CN|ZL|US)", compact)
    country = (prefix.group(1).replace("ZL", "CN") if prefix else country or "").upper()
    body = compact[prefix.end():] if prefix else compact
    if country == "CN" or (not country and re.fullmatch(r"\d{12}[\dX]?|\d{8}[\dX]", body)):
        if re.fullmatch(r"\d{12}[\dX]|\d{8}[\dX]", body):
            return f"CN{body[:-1]}.{body[-1]}"
        return f"CN{body}"
    if country == "US":
        return f"US{body.lstrip('0') or '0'}"
    return f"{country}{body}"


def normalise_publication_number(text: str, country: str | None = None) -> tuple[str, str | None]:
    """(canonical number, kind code) from forms like `US 08,926,509 B2`, `US8926509`, `USD0435854`, `CN305123456S`."""
    compact = re.sub(r"[\s.,/\-]", "", text or "").upper()
    match = re.fullmatch(r"([A-Z]{2})?([A-Z]{0,2}?)(\d+)([A-Z]\d?)?", compact)
    if not match:
        raise ValueError(f"not a publication number: {text!r}")
    found_country, series, digits, kind = match.groups()
    country = (found_country or country or "").upper()
    return f"{country}{series}{digits.lstrip('0') or '0'}", kind


def number_variants(number: str, kind_code: str | None = None) -> list[str]:
    """The forms a canonical publication or application number is indexed under.

    `CN202130123456.7` → itself, without its check character, and both without the country;
    `US8926509` with kind B2 → `US8926509`, `US8926509B2`, `8926509`.
    """
    variants = [number]
    if kind_code:
        variants.append(number + kind_code)
    if "." in number:
        variants.append(number.split(".")[0])
    variants += [v[2:] for v in list(variants) if re.match(r"[A-Z]{2}\w", v)]
    return list(dict.fromkeys(variants))
