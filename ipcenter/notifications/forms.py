"""The notification settings: for each group of events the user's role hears of, how to hear of it."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SubmitField
from wtforms.fields.choices import SelectChoice

from .models import Delivery, EventGroup


class DeliveryForm(FlaskForm):
    """One radio group per event group, named by the group's code (`delivery_form` adds them)."""

    group_codes: tuple[str, ...] = ()
    submit = SubmitField(_l("Save"))

    def choices(self) -> dict[str, Delivery]:
        # A lookup by value: mypy reads the call as LabelledEnum's __new__ (value, label).
        return {code: Delivery(self[code].data) for code in self.group_codes}  # type: ignore[call-arg]


def delivery_form(groups: list[EventGroup], chosen: dict[str, Delivery]) -> DeliveryForm:
    """The form for these groups, showing the choices made (a sent form shows what was sent)."""
    options = [SelectChoice(delivery.value, delivery.label) for delivery in Delivery]

    class Form(DeliveryForm):
        group_codes = tuple(group.code for group in groups)

    for group in groups:
        setattr(Form, group.code, RadioField(group.label, choices=options, coerce=int,
                                             default=chosen[group.code].value))
    return Form()
