"""Classification codes in one written form, with the broader levels a searcher asks for.

IPC and CPC: `F21V 21/008` → F, F21, F21V, F21V21, F21V21/008 (so `ipc:F21V` finds the whole
subclass). Locarno: `26-05`, `26.05` and `2605` → 26, 26-05.
"""
import re


def compact_classification(code: str) -> str:
    return re.sub(r"\s+", "", code or "").upper()


def classification_terms(code: str) -> list[str]:
    compact = compact_classification(code)
    match = re.match(r"([A-H])(\d{2})?([A-Z])?(\d{1,4})?(/\d+)?", compact)
    if not match or not compact:
        return [compact] if compact else []
    levels, built = [], ""
    for part in match.groups():
        if part is None:
            break
        built += part
        levels.append(built)
    if built != compact:
        levels.append(compact)
    return levels


def normalise_locarno(code: str) -> str:
    digits = re.sub(r"\D", "", code or "")
    if len(digits) == 4:
        return f"{digits[:2]}-{digits[2:]}"
    return digits.zfill(2) if len(digits) in (1, 2) else (code or "").strip()


def locarno_terms(code: str) -> list[str]:
    normalised = normalise_locarno(code)
    if "-" in normalised:
        return [normalised[:2], normalised]
    return [normalised] if normalised else []
