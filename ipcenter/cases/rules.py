"""The rules a request must meet to become a case, and the refusal when a rule says no.

A case type names its rule in workflow.py (`CaseType.eligibility`). The permission layer asks the rule whether
an enterprise may open the type's request form at all (the page of the kinds of request says why not); the
engine asks it again, with the request's details, when the request is sent. Nothing here imports the cases'
models or workflow, so that the workflow data can name a rule.
"""
import re
from dataclasses import dataclass


class CaseRefused(ValueError):
    """The rules do not allow this; the message says why, and `field` names the input at fault, if one is."""

    def __init__(self, message, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class ClassScope:
    """The products a channel covers, by classification: every class a request gives must be in the scope."""

    pattern: re.Pattern
    refusal: object  # a lazy string; %(classes)s are the classes given outside the scope

    def check(self, classification: str | None) -> None:
        # Every class, not one: one lighting class must not carry a screw (F16B) through the channel.
        classes = [part.strip() for part in re.split(r"[;,，；]", classification or "") if part.strip()]
        outside = [part for part in classes if not self.pattern.fullmatch(part)]
        if outside or not classes:
            raise CaseRefused(str(self.refusal) % {"classes": "; ".join(outside) or "—"}, field="classification")


@dataclass(frozen=True)
class Eligibility:
    """Who may request a type: every enterprise that may make requests, or only those recorded with the center
    (`recorded_only`, saying why not in `refusal`); and, with `classes`, only for products in that scope."""

    recorded_only: bool = False
    refusal: object = None  # a lazy string; %(status)s is the enterprise's status
    classes: ClassScope | None = None

    def admits(self, organisation) -> bool:
        return organisation.is_recorded or not self.recorded_only

    def refusal_for(self, organisation) -> str | None:
        """Why this enterprise may not open the request form; None if it may."""
        if self.admits(organisation):
            return None
        return str(self.refusal) % {"status": organisation.status.label}

    def check(self, organisation, details: dict) -> None:
        """Refuse a request (CaseRefused) that the rule does not allow."""
        if not self.admits(organisation):
            raise CaseRefused(self.refusal_for(organisation))
        if self.classes is not None:
            self.classes.check(details.get("classification"))


EVERY_ENTERPRISE = Eligibility()
