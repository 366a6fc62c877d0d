"""Emails of a bilan to the beneficiary: personal link, closing (satisfaction, follow-up)."""
from __future__ import annotations

from saas.mail.outbox import queue_email
from tenants.history.models import record


def send_link(db, centre, person, bilan, *, actor: str | None = None) -> None:
    """Email the beneficiary a fresh personal link (consent while not given, attendance, logbook)."""
    from tenants.bilans.consent import has_consent, require_can_email
    from tenants.portal.access import issue_link

    require_can_email(db, bilan)
    link = issue_link(db, centre, person, bilan)
    queue_email(db, to=person.email, template="bilan_link", kind="bilan_link", sender_name=centre.name,
                centre_id=centre.id, bilan_id=bilan.id, name=person.name, centre_name=centre.name, link=link,
                consent_given=has_consent(db, bilan.id))
    record(db, bilan.id, "email", "Lien personnel envoyé au bénéficiaire", actor)


def closing_answers(bilan) -> dict | None:
    """The two closing answers as already recorded (by the beneficiary or the consultant), or None:
    the closing email states them rather than asking again."""
    from tenants.bilans.models import KEEPABLE_DOCUMENTS

    if bilan.closing_answered_at is None:
        return None
    kept = [KEEPABLE_DOCUMENTS[k][0].lower() + KEEPABLE_DOCUMENTS[k][1:]
            for k in bilan.kept_documents or [] if k in KEEPABLE_DOCUMENTS]
    return {"to_cep": bool(bilan.synthesis_to_cep),
            "kept": " et ".join(filter(None, [", ".join(kept[:-1]), kept[-1]])) if kept else ""}


def synthesis_delivered(db, bilan) -> bool:
    from tenants.synthesis.editing import synthesis_of

    synthesis = synthesis_of(db, bilan)
    return synthesis is not None and synthesis.delivered_at is not None


def send_closing(db, centre, person, bilan, *, certificate: bytes, actor: str | None = None) -> None:
    """Closing email: certificate attached, satisfaction questionnaire, follow-up offer (R6313-4; Qualiopi 30)."""
    from saas.mail.outbox import attachment
    from saas.models import utcnow
    from tenants.bilans import follow_up
    from tenants.portal.access import issue_link
    from tenants.retention.destruction import working_destroyed_by
    from tenants.retention.models import settings_for

    link = issue_link(db, centre, person, bilan)
    queue_email(db, to=person.email, template="bilan_closed", kind="bilan_closed", sender_name=centre.name,
                centre_id=centre.id, bilan_id=bilan.id, idempotency_key=f"bilan-closed:{bilan.id}",
                attachments=[attachment("certificat-de-realisation.pdf", "application/pdf", certificate)],
                name=person.name, centre_name=centre.name, link=link, completed=bilan.status == "completed",
                follow_ups=follow_up.for_bilan(db, bilan) if bilan.status == "completed" else [],
                destroyed_night=working_destroyed_by(settings_for(db), bilan.ended_at),
                synthesis_delivered=synthesis_delivered(db, bilan), answers=closing_answers(bilan))
    bilan.satisfaction_sent_at = utcnow()
    db.add(bilan)
    record(db, bilan.id, "email", "Certificat, questionnaire de satisfaction et offre d'entretien de suivi envoyés"
           if bilan.status == "completed" else "Attestation des séances et questionnaire de satisfaction envoyés",
           actor)
