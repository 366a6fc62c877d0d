"""Which retention class and which key an item of a bilan gets (docs/SECURITY.md, "Keys that
outlive the working documents"; docs/RULES.md, "Retention and follow-up").

The bilan key seals the working documents and those kept one year; it is
crypto-shredded when they are destroyed (R6313-7). Two kinds of answers must
outlive it, so they are sealed under a key of their own, kept beside the bilan
key in the key store and shredded on their own date:

- the follow-up questionnaires (3 and 6 months after the end): class
  `follow_up`, follow-up key, destroyed when the follow-up is over
  (tenants/bilans/follow_up.py:over_at). They are not proofs (they say how
  the project went: a result), and not "documents élaborés pour la
  réalisation du bilan" either: they are made after it, for the follow-up the
  conclusion phase offers (R6313-4);
- the satisfaction survey (Qualiopi indicator 30): class `proof`, proof key,
  kept four years with the other proofs of realisation (CGU Caisse des
  Dépôts art. 7-3). It asks about the service, never about results.
"""
from __future__ import annotations

WORKING, KEPT_ONE_YEAR, FOLLOW_UP, PROOF = "working", "kept_one_year", "follow_up", "proof"
# Suffixes naming the bilan's extra keys in the key store (bilan_key.bilan_id, 64 characters).
KEY_SUFFIX = {FOLLOW_UP: ".suivi", PROOF: ".preuve"}


def questionnaire_class(kind: str) -> str:
    """The retention class of a questionnaire given in a bilan, from its kind."""
    return {"satisfaction": PROOF, "followup": FOLLOW_UP}.get(kind, WORKING)


def key_id(bilan_id: str, retention: str) -> str:
    """The key sealing an answer of that class: the bilan's own, or its follow-up or proof key."""
    return f"{bilan_id}{KEY_SUFFIX.get(retention, '')}"


def extra_keys(bilan_id: str) -> list[str]:
    """The bilan's keys other than its own (shredded with their class)."""
    return [key_id(bilan_id, retention) for retention in KEY_SUFFIX]
