"""The fixed lists a request chooses from; the request forms offer them, the database checks them.

Imports nothing of the cases' models or workflow, so that both (and the request forms the workflow names)
can read them.
"""
from flask_babel import lazy_gettext as _l

PATENT_KINDS = {"invention": _l("Invention"), "utility_model": _l("Utility model"), "design": _l("Design")}
RETRIEVAL_PURPOSES = {"novelty": _l("Novelty"), "infringement_risk": _l("Infringement risk"),
                      "freedom_to_operate": _l("Freedom to operate")}
# What a consultation is about: the title says what the question is, the topic which field of IP it is in.
CONSULTATION_TOPICS = {"patent_application": _l("Patent applications and examination"),
                       "patent_rights": _l("Patent rights: term, fees, transfer and licensing"),
                       "infringement": _l("Infringement and rights protection"), "trademark": _l("Trademarks"),
                       "copyright": _l("Copyright"), "overseas": _l("IP abroad"), "other": _l("Other")}
FOREIGN_EVENTS = {"exhibition": _l("Overseas exhibition"), "customs": _l("Customs"),
                  "litigation": _l("Dispute or litigation abroad"), "overseas_filing": _l("Overseas filing")}
# Infringement complaints: where the copy was found, the enforced patent, the complainant's standing, what it asks.
CHANNELS = {"ordinary": _l("Ordinary (a showroom, a shop, a factory)"), "fair": _l("Trade fair"),
            "online": _l("Online platform")}
PATENT_STATUSES = {"in_force": _l("In force"), "invalidation_requested": _l("In force, invalidation requested"),
                   "lapsed": _l("Lapsed or invalidated")}
STANDINGS = {"owner": _l("We own the patent"), "exclusive_licensee": _l("Exclusive licensee"),
             "licensee": _l("Licensee (non-exclusive, with the owner's authorisation)"),
             "assignee": _l("Assignee (transfer not yet registered)")}
REMEDIES = {"stop": _l("Stop making and selling"), "destroy": _l("Destroy the stock and moulds"),
            "damages": _l("Damages")}
ASSESSMENTS = {"infringing": _l("Infringing"), "not_infringing": _l("Not infringing"),
               "unclear": _l("Cannot tell")}
# The one question asked when a case closes: how satisfied the enterprise is with the center's work on it.
SATISFACTION_SCORES = {1: _l("Very dissatisfied"), 2: _l("Dissatisfied"), 3: _l("Neither satisfied nor dissatisfied"),
                       4: _l("Satisfied"), 5: _l("Very satisfied")}
