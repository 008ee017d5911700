"""Where other domains add to a case without cases importing them (indico's way: blinker signals).

Each domain connects its receivers in the module that defines them (the search report's in
`reports/views.py` and `reports/document.py`); `create_app` imports every domain's views, so every
receiver is connected before the first request.
"""
from blinker import Namespace

_signals = Namespace()

page_panels = _signals.signal("case-page-panels", doc="""The panels other domains show on the case page.

Sent with the case as sender while the page is built; each receiver returns its panel's HTML as the current
user may see it, or None.""")

step_documents = _signals.signal("case-step-documents", doc="""The documents a workflow step builds from the case.

Sent with the case as sender and `needed`, the inputs the step requires, before the step is taken; each
receiver returns the file it builds for one of them (the search report, frozen as a Word document), or None.
A receiver raises CaseRefused when its document is not ready.""")

step_taken = _signals.signal("case-step-taken", doc="""A workflow step has been taken: the case is at its new stage.

Sent with the case as sender, `event` (the step's timeline entry) and `actor`, in the step's transaction, once the
case has entered its new stage (its due date counted) and before anybody is told of it. Receivers may add files
to the entry (the official notices); whatever they raise undoes the whole step.""")


def replies(sent: list[tuple]) -> list:
    """What the receivers of a signal returned, the Nones left out."""
    return [value for _receiver, value in sent if value is not None]
