"""The demo centre's complaints (one in each state) and its improvement log (Qualiopi 31, 32), through the
features' own functions, dated relative to ctx["today"]."""
from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from demo.dates import at
from tenants.complaints import handling
from tenants.improvement import log

COMPLAINTS = (
    # (days ago filed, state reached, channel, category, subject, text, name, email)
    (2, "received", "public", "organisation", "Parking introuvable",
     "Aucune indication pour le parking visiteurs, je suis arrivé en retard à mon entretien.",
     None, "visiteur.parking@example.org"),
    (9, "assigned", "portal", "information", "Document de synthèse",
     "Je n'ai pas compris quand je recevrai mon document de synthèse.", "Lucas Moreau", "lucas.moreau@example.org"),
    (20, "answered", "public", "funding", "Reste à charge CPF",
     "Le montant restant à ma charge n'était pas clair sur le devis.", "Inès Garnier", "ines.garnier@example.org"),
    (45, "closed", "staff", "organisation", "Salle bruyante",
     "La salle du deuxième étage était très bruyante pendant ma séance.", "Paul Lambert", "paul.lambert@example.org"),
)
ANSWERS = {
    "Reste à charge CPF": "Nous avons refait le devis : il détaille désormais la part CPF et votre participation.",
    "Salle bruyante": "Merci de nous l'avoir signalé : les séances ont maintenant lieu au rez-de-chaussée.",
}


def seed(db: Session, centre, ctx: dict) -> None:
    """Four complaints, one per state, and five improvement actions from each source."""
    today, staff = ctx["today"], ctx["staff"]
    admin, consultant = staff["admin"], staff.get("consultant", staff["admin"])
    made = {}
    for days, state, channel, category, subject, text, name, email in COMPLAINTS:
        filed = at(today - timedelta(days=days), 10, 15)
        complaint = handling.file_complaint(db, centre, channel=channel, email=email, category=category,
                                            subject=subject, text=text, name=name,
                                            actor_id=admin.id if channel == "staff" else None, now=filed)
        if state != "received":
            handling.assign(db, complaint, consultant.id, centre_id=centre.id, actor_id=admin.id,
                            now=filed + timedelta(hours=3))
        if state in ("answered", "closed"):
            handling.answer(db, centre, complaint, ANSWERS[subject], actor_id=consultant.id,
                            now=filed + timedelta(days=2))
        if state == "closed":
            handling.close(db, complaint, actor_id=admin.id, now=filed + timedelta(days=4))
        made[subject] = complaint
    db.flush()
    noisy = log.from_complaint(db, made["Salle bruyante"], created_by=admin.id,
                               now=at(today - timedelta(days=43)))
    log.update_action(db, noisy, action="Réserver les salles du rez-de-chaussée pour les entretiens",
                      owner_id=admin.id, due_on=today - timedelta(days=30), status="done",
                      effect="Plus aucune remarque sur le bruit dans les questionnaires de satisfaction depuis.",
                      now=at(today - timedelta(days=35)))
    quote = log.from_complaint(db, made["Reste à charge CPF"], created_by=admin.id,
                               now=at(today - timedelta(days=17)))
    log.update_action(db, quote, action="Détailler la part CPF et la participation sur chaque devis",
                      owner_id=consultant.id, due_on=today + timedelta(days=10), status="in_progress", effect=None)
    log.from_satisfaction_comment(db, "Les séances en fin de journée arrivent tard après le travail.",
                                  consent_to_quote=True, created_by=admin.id,
                                  action="Proposer des créneaux à midi", now=at(today - timedelta(days=60)))
    log.add_action(db, source="audit", origin="Audit de surveillance : la veille métiers n'est pas datée.",
                   action="Dater et archiver chaque note de veille métiers", owner_id=admin.id,
                   due_on=today - timedelta(days=5), created_by=admin.id, now=at(today - timedelta(days=90)))
    log.add_action(db, source="team", action="Traduire le livret d'accueil en anglais", owner_id=consultant.id,
                   due_on=today + timedelta(days=60), created_by=consultant.id, now=at(today - timedelta(days=8)))
