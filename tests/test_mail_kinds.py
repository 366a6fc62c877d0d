"""Each email says what it is about, in French as a French reader expects it.

Every template of templates/email/ is found in the code that queues it (the features' mailing
modules, reminders, jobs) and rendered; its subject and body must name its subject (ABOUT, which
a new email must join), with elision ("d'Amélie"), real plurals, no ISO date, no raw value.
Two emails are then checked through the pages that send them: the synthesis delivery (about the
synthesis, not consent) and the closing email (it states the closing answers the consultant
recorded instead of asking them again).
"""
from __future__ import annotations

import ast
import re
from datetime import date, datetime
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

ROOT = Path(__file__).resolve().parent.parent
EMAILS = ROOT / "templates" / "email"
PARIS = ZoneInfo("Europe/Paris")

# template -> (word the subject names, words the body must say): what the email is about.
ABOUT = {
    "agreement_refused": ("convention", ["convention", "refus"]),
    "agreement_sent": ("convention", ["convention", "10 jours"]),
    "agreement_to_employer": ("convention", ["convention", "transmettre"]),
    "bilan_closed": ("fin", ["certificat", "satisfaction"]),
    "bilan_link": ("espace", ["espace personnel"]),
    "booking_cancelled": ("annulé", ["annulé", "agenda"]),
    "booking_confirmed": ("rendez-vous", ["entretien préalable", "confidentialité", "à préparer"]),
    "booking_hold": ("confirmez", ["confirmer", "30 minutes"]),
    "booking_reminder": ("rappel", ["entretien préalable"]),
    "complaint_answer": ("réclamation", ["réponse", "réclamation"]),
    "complaint_received": ("réclamation", ["réclamation", "réponse"]),
    "complaint_unanswered": ("réclamation", ["pas de réponse", "indicateur 31"]),
    "consent_withdrawn": ("arrêté", ["arrêté"]),
    "digest": ("journée", ["aujourd'hui"]),
    "follow_up": ("suivi", ["entretien de suivi"]),
    "invitation": ("invite", ["invitation"]),
    "portal_code": ("code", ["code"]),
    "portal_link": ("lien", ["lien personnel"]),
    "qualiopi_expiry": ("qualiopi", ["qualiopi", "renouvellement"]),
    "questionnaire_360_invite": ("regard", ["questionnaire"]),
    "questionnaire_assigned": ("questionnaire", ["remplir"]),
    "questionnaire_reminder": ("rappel", ["questionnaire"]),
    "reminder_agreement": ("convention", ["convention", "R6313-8"]),
    "reminder_attendance": ("présence", ["émargement"]),
    "reminder_employer_agreement": ("employeur", ["accord", "R6323-4"]),
    "reminder_questionnaire": ("questionnaire", ["questionnaire"]),
    "reminder_session": ("séance", ["séance"]),
    "reset_password": ("mot de passe", ["mot de passe"]),
    "session_scheduled": ("séance", ["séance", "agenda"]),
    "synthesis_delivered": ("synthèse", ["synthèse", "seul destinataire"]),
    "synthesis_disclosed": ("synthèse", ["synthèse", "confidentiel"]),
    "verify_signup": ("confirmez", ["confirmez votre adresse"]),
}

# Sample values by variable name: names starting with a vowel or a mute h, to catch "de Amélie".
SAMPLES = {
    "name": "Amélie Martin", "beneficiary_name": "Amélie Martin", "employee_name": "Isabelle Roux",
    "employer_name": "Horizon Industrie", "centre_name": "Atelier Bilan", "sender_name": "Atelier Bilan",
    "consultant_name": "Élodie Petit", "inviter": "Océane Blanc", "role_label": "consultante",
    "link": "https://bilan.example/c/atelier/r/TOKEN", "code": "482913", "minutes": 10, "days": 15,
    "title": "Mes intérêts professionnels", "deadline": "12 mars 2027", "expires": "1er juin 2027",
    "ended": "1er décembre 2026", "starts": "mardi 2 mars 2027 à 10:00", "due": "5 mars 2027",
    "due_on": date(2027, 3, 5), "at": datetime(2027, 3, 1, 9, 0, tzinfo=PARIS), "day": date(2027, 3, 1),
    "starts_at": datetime(2027, 3, 2, 10, 0, tzinfo=PARIS), "duration": 120, "kind_label": "Entretien",
    "format_label": "En présentiel", "link_expires": datetime(2027, 3, 20, 9, 0, tzinfo=PARIS),
    "today": ["Séance avec Amélie Martin à 10:00"], "late": ["Convention d'Isabelle Roux : jour 8 sur 10"],
    "completed": True, "follow_ups": [], "destroyed_night": None, "synthesis_delivered": True, "answers": None,
    "consent_given": False, "custom": "", "note": "", "reminder": False, "three_months": False,
    "second": False, "reference": "R-3F9A2C", "filed": "1er mars 2027",
    "answer_text": "Nous avons changé de salle pour vos prochaines séances.",
    "state": SimpleNamespace(text="Il vous reste 3 jours."), "awaiting_answer": False,
    "moved": False, "place": "3 rue de la Paix, Lyon", "hold_minutes": 30,
}
OVERRIDES = {"agreement_sent": {"deadline": date(2027, 3, 12)}}


def email_templates() -> list[str]:
    return sorted(p.stem for p in EMAILS.glob("*.txt") if not p.stem.startswith("_"))


def _string_constants() -> set[str]:
    found = set()
    for folder in ("saas", "tenants", "jobs"):
        for path in (ROOT / folder).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Constant) and isinstance(node.value, str):
                    found.add(node.value)
    return found


def test_every_email_template_is_queued_by_the_code_and_says_what_it_is_about():
    """No email without its subject written down here, and no template left unsent."""
    names = email_templates()
    used = _string_constants()
    assert [n for n in names if n not in used] == []  # each template is named by the code that queues it
    assert sorted(ABOUT) == names


def _render(app, template: str, **context):
    from jinja2 import meta

    from saas.mail.render import render_email

    with app.test_request_context():
        env = app.jinja_env
        wanted = set()
        for suffix in ("txt", "html"):
            source = (EMAILS / f"{template}.{suffix}").read_text(encoding="utf-8")
            wanted |= meta.find_undeclared_variables(env.parse(source))
        missing = wanted - set(SAMPLES) - {"subject"}
        assert not missing, f"{template}: no sample for {sorted(missing)}"
        values = {k: SAMPLES[k] for k in wanted if k in SAMPLES} | OVERRIDES.get(template, {}) | context
        return render_email(template, **values)


FORBIDDEN = [
    (re.compile(r"\b[Dd]e (?=[AEIOUYHÉÈÊÀÂÎÔŒ])"), "no elision"),
    (re.compile(r"\(s\)|\(e\)|·e\b"), "not a real plural or agreement"),
    (re.compile(r"\b\d{4}-\d{2}-\d{2}\b|\b\d{2}/\d{2}/\d{4}\b"), "a date as digits"),
    (re.compile(r"\bNone\b|\bTrue\b|\bFalse\b|\{\{|\}\}|namespace\("), "a raw value"),
]


@pytest.mark.parametrize("template", email_templates())
def test_each_email_says_what_it_is_about_in_french(app, template):
    rendered = _render(app, template)
    subject_word, body_words = ABOUT[template]
    assert subject_word in rendered.subject.lower(), rendered.subject
    html_text = re.sub(r"<[^>]+>", " ", rendered.html)
    for word in body_words:
        assert word.lower() in rendered.text.lower(), (template, word, rendered.text)
        assert word.lower() in html_text.lower(), (template, word)
    for text in (rendered.subject, rendered.text, html_text):
        for pattern, what in FORBIDDEN:
            found = pattern.search(text)
            assert found is None, f"{template}: {what}: …{text[max(found.start() - 30, 0):found.end() + 30]}…"


def test_counts_in_emails_agree_with_their_number(app):
    assert "dans 1\u00a0jour." in _render(app, "qualiopi_expiry", days=1).text
    assert "dans 15\u00a0jours." in _render(app, "qualiopi_expiry", days=15).text
    assert "valable 1 minute." in _render(app, "portal_code", minutes=1).text
    assert "valable 10 minutes." in _render(app, "portal_code", minutes=10).text


def test_de_before_a_name_is_elided_before_a_vowel_or_a_mute_h():
    from saas.i18n import de

    assert de("Amélie") == "d'Amélie"
    assert de("Horizon Carrières") == "d'Horizon Carrières"
    assert de("Élodie") == "d'Élodie"
    assert de("Yves") == "d'Yves"
    assert de("Karim Benali") == "de Karim Benali"
    assert de(" Zoé ") == "de Zoé"


# -- through the pages ---------------------------------------------------------------------------
@pytest.fixture
def lyon(make_centre, login):
    centre = make_centre("lyon")
    login(centre.owner)
    return centre


def _to_conclusion_with_final_synthesis(app, client, centre):
    from test_bilans_views import _mark_all_done, walk_to_conclusion

    person_id, bilan_id = walk_to_conclusion(client, centre.slug)
    _mark_all_done(app, centre, bilan_id)
    base = f"/c/{centre.slug}/bilans/{bilan_id}"
    assert client.post(f"{base}/synthesis/", data={"circumstances": "Reconversion", "skills": "Pédagogie",
                                                   "project": "Formatrice"}).status_code == 303
    assert client.post(f"{base}/synthesis/finalise", data={"confirmed": "y"}).status_code == 303
    return base


def test_the_synthesis_delivery_email_talks_about_the_synthesis_not_consent(app, client, lyon, outbox):
    base = _to_conclusion_with_final_synthesis(app, client, lyon)
    assert client.post(f"{base}/synthesis/deliver").status_code == 303
    [mail] = outbox(kind="synthesis_delivered")
    assert "synthèse" in mail.subject.lower()
    assert "document de synthèse" in mail.body_text and "seul destinataire" in mail.body_text
    assert "consentement" not in mail.body_text.lower() and "consentement" not in mail.body_html.lower()
    assert re.search(r"http://localhost/c/lyon/r/[A-Za-z0-9_-]+", mail.body_text)
    assert outbox(kind="bilan_link") == []


def test_the_closing_email_does_not_ask_what_the_consultant_already_recorded(app, client, lyon, outbox):
    base = _to_conclusion_with_final_synthesis(app, client, lyon)
    assert client.post(f"{base}/synthesis/deliver").status_code == 303
    assert client.post(f"{base}/closing-answers", data={
        "synthesis_to_cep": "yes", "kept_documents": ["logbook", "session_notes"],
        "agreement_text": "J'accepte que mon livret et les notes des séances soient conservés un an."},
    ).status_code == 303
    assert client.post(f"{base}/close", data={"confirmed": "y"}).status_code == 303
    [mail] = outbox(kind="bilan_closed")
    text = " ".join(mail.body_text.split())
    assert "nous dire si vous souhaitez" not in text and "quels documents conserver" not in text
    assert "Vos réponses sont enregistrées : vous souhaitez que votre synthèse soit transmise" in text
    assert ("faire conserver un an pour votre suivi : livret d'accompagnement (objectifs et plan d'action) "
            "et notes des séances.") in text
    assert "retrouver votre document de synthèse" in text


def test_the_closing_email_asks_the_closing_questions_while_unanswered(app, client, lyon, outbox):
    base = _to_conclusion_with_final_synthesis(app, client, lyon)
    assert client.post(f"{base}/synthesis/deliver").status_code == 303
    assert client.post(f"{base}/close", data={"confirmed": "y"}).status_code == 303
    [mail] = outbox(kind="bilan_closed")
    text = " ".join(mail.body_text.split())
    assert "nous dire si vous souhaitez que votre synthèse soit transmise" in text
    assert "Vos réponses sont enregistrées" not in text


def test_the_link_email_asks_for_consent_only_while_it_is_not_given(app, client, lyon, outbox):
    from bilans_support import centre_db, make_bilan

    with centre_db(app, lyon) as db:
        bilan = make_bilan(db, lyon.owner.id, consent=False)
        bilan_id = bilan.id
        db.commit()
    assert client.post(f"/c/lyon/bilans/{bilan_id}/link").status_code == 303
    assert "confirmerez votre consentement" in outbox(kind="bilan_link")[-1].body_text
    assert client.post(f"/c/lyon/bilans/{bilan_id}/consent", data={"confirm": "y"}).status_code == 303
    assert client.post(f"/c/lyon/bilans/{bilan_id}/link").status_code == 303
    assert "consentement" not in outbox(kind="bilan_link")[-1].body_text
