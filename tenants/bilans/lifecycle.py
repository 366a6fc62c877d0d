"""The life of a bilan: prior interview, quote, start, phases in order, closing.

Three phases in order (R6313-4); the consent gate before leaving the
preliminary phase (L6313-4); a CPF bilan starts no earlier than EDOF allows;
closing records `completed` only in conclusion, with at least 13 h of signed
accompaniment (décret of 24 February 2026) and the final synthesis delivered
to the beneficiary (R6313-4 3°, L6313-4), else `interrupted` with the reason.
Every step is logged in the history.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import Session

from saas.centres.models import Centre
from saas.errors import RuleViolation
from saas.i18n import PARIS, date_fr, datetime_fr, hours_fr
from saas.models import utcnow
from tenants.bilans import cpf, employer, follow_up, numbering, working_time
from tenants.bilans.blockers import Blocked, Blocker, refuse  # noqa: F401 (shared: tenants/bilans/blockers.py)
from tenants.bilans.blockers import reason_of as _reason_of
from tenants.bilans.certificate import NO_SIGNATORY, signatory_missing
from tenants.bilans.consent import require_consent
from tenants.bilans.models import FORMATS, FUNDINGS, PHASE_ORDER, PHASES, Bilan
from tenants.edof import dossier as edof_dossier
from tenants.history.models import record
from tenants.retention.models import settings_for
from tenants.sessions import hours as hours_rule

NEEDS_AGREEMENT = ("employer_plan", "redeployment_leave")
MUST_CONFIRM_UNSIGNED = "unsigned"


PRIOR_INTERVIEW_MINUTES = (45, 90)     # the free prior interview: 45 min to 1 h 30


def record_prior_interview(db: Session, beneficiary, *, consultant_id: int, on: date | None = None,
                           minutes: int | None = None, notes: str | None = None, actor: str | None = None) -> Bilan:
    """The free prior interview, before any quote: the bilan starts as a prospect."""
    if minutes is not None and not (PRIOR_INTERVIEW_MINUTES[0] <= minutes <= PRIOR_INTERVIEW_MINUTES[1]):
        raise RuleViolation("Un entretien préalable dure de 45 minutes à 1 h 30.")
    from tenants.sessions import template

    bilan = Bilan(beneficiary_id=beneficiary.id, consultant_id=consultant_id, prior_interview_on=on,
                  prior_interview_minutes=minutes, status="prior_interview")
    template.apply(bilan, template.template_of(db))
    db.add(bilan)
    db.flush()
    if notes:
        bilan.prior_notes = notes
    record(db, bilan.id, "prior_interview", "Entretien préalable enregistré", actor)
    return bilan


def make_quote(db: Session, bilan: Bilan, *, price_cents: int, interview_minutes: int, personal_minutes: int,
               format: str, funding: str, edof_number: str | None = None, funded_last_5_years: bool | None = None,
               cpf_on_working_time: bool = False, cpf_employer_cofunding: bool = False,
               planned_start_on: date | None = None, employer_name: str | None = None,
               employer_siret: str | None = None, actor: str | None = None) -> Bilan:
    """The personalised quote after the prior interview (hours, price, format, funding)."""
    if bilan.status not in ("prior_interview", "quoted"):
        raise RuleViolation("Le devis ne peut plus être modifié : le bilan a commencé.")
    if format not in FORMATS or funding not in FUNDINGS:
        raise RuleViolation("Format ou financement inconnu.")
    hours_rule.check_plan(interview_minutes, personal_minutes)
    if funding == "cpf":
        cpf.check_eligibility(db, bilan, funded_last_5_years, on=planned_start_on or utcnow().astimezone(PARIS).date())
    employer_siret = employer.check_employer(db.get(Centre, db.info["centre_id"]).siret, funding=funding,
                                             cpf_employer_cofunding=cpf_employer_cofunding,
                                             employer_name=employer_name, employer_siret=employer_siret)
    bilan.price_cents = price_cents
    bilan.planned_interview_minutes, bilan.planned_personal_minutes = interview_minutes, personal_minutes
    bilan.format, bilan.funding, bilan.edof_number = format, funding, (edof_number or None)
    bilan.funded_last_5_years, bilan.cpf_on_working_time = funded_last_5_years, cpf_on_working_time
    bilan.cpf_employer_cofunding, bilan.planned_start_on = cpf_employer_cofunding, planned_start_on
    bilan.employer_name = (employer_name or "").strip() or None
    bilan.employer_siret = employer_siret
    bilan.status, bilan.quoted_at, bilan.last_activity_at = "quoted", utcnow(), utcnow()
    db.add(bilan)
    numbering.assign(db, bilan, bilan.quoted_at.astimezone(PARIS).date())
    record(db, bilan.id, "quoted", f"Devis : {FUNDINGS[funding]}, {FORMATS[format]}", actor)
    return bilan


def start(db: Session, bilan: Bilan, *, on: date, actor: str | None = None) -> Bilan:
    """The quote is accepted (CPF order, OPCO, personal funds…): the bilan starts, preliminary phase."""
    refuse(start_blockers(db, bilan, on=on))
    bilan.status, bilan.phase, bilan.started_on, bilan.last_activity_at = "active", "preliminary", on, utcnow()
    db.add(bilan)
    record(db, bilan.id, "started", "Bilan démarré : phase préliminaire", actor)
    return bilan


def start_blockers(db: Session, bilan: Bilan, *, on: date) -> list[Blocker]:
    """What stops the bilan from starting on `on`: the quote, a tripartite agreement (R6313-8), the CPF
    rules (five years, EDOF's 11 business days, on working time the employer's agreement). Empty: it may start."""
    if bilan.status != "quoted":
        return [Blocker("Seul un bilan dont le devis est proposé peut démarrer.", "overview")]
    if bilan.funding in NEEDS_AGREEMENT:
        return [Blocker("Ce financement demande une convention tripartite signée (R6313-8) : "
                        "envoyez-la ; le bilan démarrera à sa signature.", "agreement")]
    if bilan.funding == "cpf":
        reason = _reason_of(cpf.check_eligibility, db, bilan, bilan.funded_last_5_years, on=on)
        if reason:
            return [Blocker(reason, "overview")]
        employer_agreement = working_time.start_blockers(bilan)  # on working time (R6323-4)
        if employer_agreement:
            return employer_agreement
        reason = _reason_of(edof_dossier.check_start, db, bilan, on)
        if reason:
            return [Blocker(reason, "overview")]
    return []


def phase_blockers(db: Session, bilan: Bilan, target: str) -> list[Blocker]:
    """What stops the move to `target`: only an open bilan moves, one phase at a time (R6313-4), and not
    past the preliminary phase without consent (L6313-4). Empty: it may move."""
    if bilan.status != "active":
        return [Blocker("Seul un bilan en cours change de phase.", "overview")]
    if target not in PHASES:
        return [Blocker("Phase inconnue.", "overview")]
    step = PHASE_ORDER.index(target) - PHASE_ORDER.index(bilan.phase)
    if step > 1:
        return [Blocker("Les trois phases se suivent dans l'ordre : préliminaire, investigation, "
                        "conclusion (article R6313-4).", "overview")]
    if step > 0 and bilan.phase == "preliminary":
        reason = _reason_of(require_consent, db, bilan)
        if reason:
            return [Blocker(reason, "consent")]
    return []


def move_to(db: Session, bilan: Bilan, target: str, *, actor: str | None = None) -> Bilan:
    """Go to the next phase, or back one (logged); never skip one (R6313-4)."""
    refuse(phase_blockers(db, bilan, target))
    step = PHASE_ORDER.index(target) - PHASE_ORDER.index(bilan.phase)
    if step == 0:
        return bilan
    previous = bilan.phase
    bilan.phase, bilan.last_activity_at = target, utcnow()
    db.add(bilan)
    verb = "Passage" if step > 0 else "Retour"
    record(db, bilan.id, "phase", f"{verb} de la {PHASES[previous].lower()} à la {PHASES[target].lower()}", actor)
    return bilan


@dataclass
class ClosingCheck:
    """What closing would give: why "completed" is unavailable, and which done interviews nobody signed."""
    blockers: list[str] = field(default_factory=list)
    unsigned: list = field(default_factory=list)   # BilanSession rows: their minutes do not count
    synthesis_ready: bool = False                  # finalised and delivered to the beneficiary

    @property
    def can_complete(self) -> bool:
        return not self.blockers


def closing_check(db: Session, bilan: Bilan) -> ClosingCheck:
    """Completed needs the conclusion phase (R6313-4), 13 h of signed accompaniment (décret of 24 February
    2026) and the final synthesis delivered to the beneficiary (R6313-4 3°, L6313-4); else interrupted."""
    from tenants.sessions import attendance
    from tenants.synthesis.editing import synthesis_of

    check = ClosingCheck(unsigned=attendance.unsigned(db, bilan))
    if bilan.phase != "conclusion":
        check.blockers.append("la phase de conclusion n'a pas été atteinte (article R6313-4)")
    hours = hours_rule.hours_of(db, bilan)
    if not hours_rule.reaches_floor(hours):
        check.blockers.append(f"seulement {hours_fr(hours.done_interview)} d'accompagnement réalisées et émargées, "
                              "moins de 13\u202fh (décret du 24 février 2026)")
    synthesis = synthesis_of(db, bilan)
    if synthesis is None or synthesis.status != "final":
        check.blockers.append("le document de synthèse n'est pas finalisé (article R6313-4, 3°)")
    elif synthesis.delivered_at is None:
        check.blockers.append("le document de synthèse n'a pas été remis au bénéficiaire (article L6313-4)")
    else:
        check.synthesis_ready = True
    return check


def unsigned_warning(sessions) -> str:
    """The French list of done interviews without a signature, for the refusal and the closing form."""
    n = len(sessions)
    when = ", ".join(datetime_fr(s.starts_at) for s in sessions)
    return (f"{n} séance{'s' if n > 1 else ''} réalisée{'s' if n > 1 else ''} sans émargement du bénéficiaire "
            f"({when}) : {'leurs' if n > 1 else 'ses'} heures ne comptent pas. Faites-les émarger (lien personnel "
            "ou « émargement papier reçu ») ou confirmez la clôture sans elles.")


def close_blockers(db: Session, bilan: Bilan, *, accept_unsigned: bool = False,
                   check: ClosingCheck | None = None) -> list[Blocker]:
    """What stops the closing (either outcome): only an open bilan closes; closing sends the completion
    certificate, which the centre's legal representative signs (L6313-1, 2°); done interviews nobody
    signed stop it until `accept_unsigned` confirms closing without their hours. Empty: it may close."""
    if bilan.status != "active":
        return [Blocker("Ce bilan n'est pas en cours.", "overview")]
    blockers = []
    if signatory_missing(db.get(Centre, db.info["centre_id"])):
        blockers.append(Blocker(NO_SIGNATORY, "centre"))
    check = check or closing_check(db, bilan)
    if check.unsigned and not accept_unsigned:
        blockers.append(Blocker(unsigned_warning(check.unsigned), "sessions", MUST_CONFIRM_UNSIGNED))
    return blockers


def close(db: Session, bilan: Bilan, *, today: date, at: datetime | None = None, reason: str = "",
          outcome: str | None = None, accept_unsigned: bool = False, actor: str | None = None) -> str:
    """End the bilan: completed only when closing_check allows it, else interrupted with the reason.

    `outcome` None picks completed when allowed; "completed" is refused with the reasons when not allowed;
    "interrupted" of a bilan that could complete needs a typed reason. Done interviews nobody signed stop
    the closing until `accept_unsigned` confirms it without them.
    """
    if outcome not in (None, "completed", "interrupted"):
        raise RuleViolation("Issue de clôture inconnue.")
    check = closing_check(db, bilan) if bilan.status == "active" else None
    refuse(close_blockers(db, bilan, accept_unsigned=accept_unsigned, check=check))
    reason = (reason or "").strip()
    if outcome == "completed" and not check.can_complete:
        raise RuleViolation("Le bilan ne peut pas être clos comme terminé : " + " ; ".join(check.blockers)
                            + ". Il ne peut être clos que comme interrompu, avec son motif.")
    if outcome == "interrupted" and check.can_complete and not reason:
        raise RuleViolation("Indiquez le motif de l'interruption.")
    if check.can_complete and outcome != "interrupted":
        bilan.status, bilan.closing_reason = "completed", None
        detail = "Bilan terminé"
    else:
        bilan.status = "interrupted"
        why = " ; ".join(check.blockers)
        bilan.closing_reason = (((reason + " — ") if reason else "") + "Interrompu"
                                + (" : " + why if why else "") + ".")[:300]
        detail = "Bilan interrompu"
    bilan.ended_at = at or utcnow()
    bilan.follow_up_offered_at = bilan.ended_at
    bilan.follow_up_due_on = follow_up.interview_on(settings_for(db), bilan.ended_at)
    bilan.last_activity_at = bilan.ended_at
    db.add(bilan)
    record(db, bilan.id, "closed", detail, actor, at=bilan.ended_at)
    return bilan.status


def cancel(db: Session, bilan: Bilan, *, reason: str = "", at: datetime | None = None,
           actor: str | None = None) -> None:
    """The prospect does not go on after the prior interview or the quote (never a fault).

    Its end is the cancellation (`last_activity_at`, tenants/retention/destruction.py:end_of): the working
    documents go at the night `cancel_consequences` announces."""
    if bilan.status not in ("prior_interview", "quoted"):
        raise RuleViolation("Seul un bilan qui n'a pas commencé peut être abandonné ainsi.")
    bilan.status, bilan.closing_reason = "cancelled", (reason.strip() or "Le bénéficiaire n'a pas donné suite.")[:300]
    bilan.last_activity_at = at or utcnow()
    db.add(bilan)
    record(db, bilan.id, "cancelled", "Sans suite", actor)


def _destroyed_night(db: Session, at: datetime) -> str:
    """"dans la nuit du 1er au 2 décembre": when the nightly sweep destroys the working documents of a bilan
    that ends at `at` (R6313-7, after the centre's delay: tenants/retention/destruction.py:working_destroyed_by)."""
    from tenants.retention.destruction import working_destroyed_by

    evening, morning = working_destroyed_by(settings_for(db), at)
    return f"dans la nuit du {date_fr(evening)} au {date_fr(morning)}"


def cancel_consequences(db: Session, bilan: Bilan, *, at: datetime | None = None) -> str:
    """What "sans suite" does, in French: said by its dialog and by its confirmation step without JavaScript."""
    return ("Classer ce bilan sans suite est définitif : il ne pourra plus démarrer ni être repris, et aucun "
            "courriel n'est envoyé au bénéficiaire. Le bilan, son devis et son historique restent quatre ans "
            "comme preuves ; les notes de l'entretien préalable et les autres documents de travail seront "
            f"détruits {_destroyed_night(db, at or utcnow())} (article R6313-7).")


def close_consequences(db: Session, bilan: Bilan, *, at: datetime | None = None) -> dict[str, str]:
    """What closing does, in French: what the beneficiary receives for each outcome ("completed",
    "interrupted") and, for both ("after"), what is kept and when the rest is destroyed. Said by the closing
    dialog and by its confirmation step without JavaScript."""
    night = _destroyed_night(db, at or utcnow())
    return {"completed": "Terminé : le bénéficiaire reçoit aussitôt par courriel le certificat de réalisation, le "
                         "questionnaire de satisfaction et l'offre d'entretien de suivi.",
            "interrupted": "Interrompu : le bilan s'arrête avant son terme, avec son motif ; le bénéficiaire reçoit "
                           "aussitôt par courriel l'attestation des séances réalisées et le questionnaire de "
                           "satisfaction, sans offre d'entretien de suivi.",
            "after": "C'est définitif : le bilan ne pourra plus être modifié ni rouvert. Ses documents de travail "
                     f"seront détruits {night} (article R6313-7), sauf ceux que le bénéficiaire a accepté par écrit "
                     "de conserver un an ; le certificat, les émargements et l'historique restent quatre ans "
                     "comme preuves."}
