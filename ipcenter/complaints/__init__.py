"""Infringement complaints, the respondent's side: its single-use link and the page it opens, the documents staff
release to it, its answer; the conflict check, the prior-art search a complaint starts, its patent's complaints.

The complaint's own workflow is data in `cases/workflow.py`; this package meets the case pages through
`cases.signals` (the link is made when a step enters the stage where the respondent answers: `step_taken`; the
staff's panels: `page_panels`), so that cases/ never imports it.
"""
