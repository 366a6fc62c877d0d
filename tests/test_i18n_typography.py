"""French as a French reader expects it: "1er décembre", "d'Amélie", real plurals, no ISO dates nor
stored codes on a page or a document (saas/i18n.py holds the helpers; docs/RULES.md, "French typography")."""
from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime

import pytest
from sqlmodel import select

from saas.i18n import date_fr, datetime_fr, de, plural, plural_word, weekday_date_fr

NBSP = "\u00a0"


# --- the helpers, on hand-written cases -------------------------------------------------------

@pytest.mark.parametrize(("value", "expected"), [
    (date(2026, 12, 1), "1er décembre 2026"),
    (date(2026, 12, 2), "2 décembre 2026"),
    (date(2027, 3, 12), "12 mars 2027"),
    (date(2027, 1, 31), "31 janvier 2027"),
    (datetime(2026, 11, 30, 23, 30, tzinfo=UTC), "1er décembre 2026"),  # already the 1st in Paris
    (None, ""),
])
def test_date_fr_writes_the_first_as_1er(value, expected):
    assert date_fr(value) == expected


def test_datetime_and_weekday_write_the_first_as_1er():
    assert datetime_fr(datetime(2026, 12, 1, 9, 0, tzinfo=UTC)) == "1er décembre 2026 à 10:00"
    assert weekday_date_fr(date(2026, 12, 1)) == "mardi 1er décembre 2026"
    assert weekday_date_fr(date(2026, 12, 11)) == "vendredi 11 décembre 2026"


@pytest.mark.parametrize(("count", "expected"), [
    (0, f"0{NBSP}séance"), (1, f"1{NBSP}séance"), (1.5, f"1,5{NBSP}séance"), (2, f"2{NBSP}séances"),
    (12, f"12{NBSP}séances"), (1200, f"1\u202f200{NBSP}séances"), (None, f"0{NBSP}séance"),
])
def test_plural_keeps_zero_and_one_singular(count, expected):
    assert plural(count, "séance") == expected


def test_plural_takes_irregular_forms():
    assert plural(3, "travail personnel", "travaux personnels") == f"3{NBSP}travaux personnels"
    assert plural(1, "travail personnel", "travaux personnels") == f"1{NBSP}travail personnel"
    assert plural_word(0, "invitée") == "invitée" and plural_word(2, "invitée") == "invitées"


@pytest.mark.parametrize(("name", "expected"), [
    ("Karim Benali", "de Karim Benali"), ("Amélie Durand", "d'Amélie Durand"), ("Élodie Petit", "d'Élodie Petit"),
    ("Hélène Roy", "d'Hélène Roy"), ("Hugo Chevalier", "d'Hugo Chevalier"), ("Isabelle Roux", "d'Isabelle Roux"),
    ("Yves Martin", "d'Yves Martin"), ("Yann Le Goff", "de Yann Le Goff"), ("Œdipe Roi", "d'Œdipe Roi"),
    ("  Ugo  ", "d'Ugo"), ("Zoé Martin", "de Zoé Martin"), ("Centre Horizon", "de Centre Horizon"),
    ("Atelier Horizon", "d'Atelier Horizon"), ("", ""), (None, ""),
])
def test_de_elides_before_a_vowel_sound(name, expected):
    assert de(name) == expected


def test_the_filters_are_registered_for_templates(app):
    with app.app_context():
        template = app.jinja_env.from_string(
            "Bilan {{ name|de }} · {{ n|plural('séance') }} {{ n|plural_word('prévue') }} · {{ day|date_fr }}")
        assert template.render(name="Amélie", n=2, day=date(2026, 12, 1)) == \
            f"Bilan d'Amélie · 2{NBSP}séances prévues · 1er décembre 2026"
        assert app.jinja_env.from_string("{{ name|de }}").render(name="<b>Ève</b>") == "de &lt;b&gt;Ève&lt;/b&gt;"


# --- the pages and documents of the demo centre ---------------------------------------------

ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
# Codes stored in the database that a label table translates (tenants/*/models.py): none may be read.
RAW_CODES = re.compile(r"\b(presentiel|personal_work|interview|planned|cancelled|working|kept_one_year|"
                       r"follow_up|salarie_prive|demandeur_emploi|agent_public|independant|employer_plan|"
                       r"prior_interview|volunteering|employer_link|None|True|False)\b")
TODAY = date(2026, 12, 1)


def visible_text(page: str) -> str:
    """What a person reads: no script, style nor attributes (hrefs and datetime= hold ISO dates on purpose)."""
    page = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", page)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def french_problems(page: str, names: list[str]) -> list[str]:
    text = visible_text(page)
    found = [f"ISO date {m.group(0)}" for m in ISO_DATE.finditer(text)]
    found += [f"code {m.group(0)}" for m in RAW_CODES.finditer(text)]
    found += [f"“{m.group(0)}”" for m in re.finditer(r"\w+\((?:s|e|es|x)\)", text)]  # "séance(s)", "invité(e)"
    found += [f"“de {name}”" for name in names if re.search(rf"\bde\s+{re.escape(name)}", text)]
    return found


def seeded_demo(app):
    """The demo centre at a fixed day, its bilans, and the names that take "d'" (Élodie, Isabelle...)."""
    from demo.centre import seed_demo
    from demo.people import PEOPLE
    from saas.tenancy import tenant_session
    from tenants.bilans.models import Bilan

    with app.app_context():
        centre = seed_demo(today=TODAY, echo=lambda *_: None)
        with tenant_session(centre) as db:
            bilans = list(db.exec(select(Bilan)).all())
            for bilan in bilans:
                db.expunge(bilan)
    names = [name for name, *_ in PEOPLE.values() if de(name).startswith("d'")]
    assert {"Élodie Petit", "Isabelle Fontaine", "Hugo Chevalier", "Antoine Robert"} <= set(names)
    return centre, bilans, names


def staff_login(client):
    from demo.people import PASSWORD, STAFF

    assert client.post("/login", data={"email": STAFF[0][2], "password": PASSWORD}).status_code == 303


def check_pages(client, urls, names) -> dict:
    problems = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        if found := french_problems(response.text, names):
            problems[url] = found
    return problems


def report(problems: dict) -> str:
    return "\n".join(f"{where}: {found}" for where, found in problems.items())


def test_french_typography_on_the_demo_pages_and_documents(app, client):
    """The demo's staff pages, each bilan's feature pages, the evidence documents and a portal home
    read in French: no ISO date, no stored code, no "(s)", no "de" before a vowel."""
    from flask import render_template

    from demo.people import PEOPLE
    from saas.centres.models import Centre
    from saas.tenancy import tenant_session
    from tenants.agreements.models import Agreement
    from tenants.bilans import certificate
    from tenants.bilans.models import Bilan
    from tenants.evidence.dossier import evidence
    from tenants.questionnaires.models import Assignment
    from tenants.retention.certificate import STAGE_LABELS, records_of

    from portal_helpers import enter, issue

    centre, bilans, names = seeded_demo(app)
    problems, destroyed, certified = {}, [], []
    with app.app_context(), tenant_session(centre) as db, app.test_request_context("/"):
        model = db.get(Centre, centre.id)
        for bilan in bilans:
            ctx = evidence(db, db.get(Bilan, bilan.id))
            pieces = [p.template for p in ctx["pieces"] if p.template and p.present]
            for template in ["pdf/evidence_index.html", *pieces]:
                page = render_template(template, centre=model, large=False, today=TODAY, **ctx)
                if found := french_problems(page, names):
                    problems[f"{template} ({bilan.id})"] = found
            row = db.get(Bilan, bilan.id)
            if row.ended_at is not None and row.destroyed_at is None:
                page = render_template("pdf/certificate.html", centre=model, large=False, bilan=row,
                                       person=ctx["person"], facts=certificate.facts(db, model, row))
                certified.append(bilan.id)
                if found := french_problems(page, names):
                    problems[f"completion certificate ({bilan.id})"] = found
            records = records_of(db, bilan.id)
            if records:
                page = render_template("retention/certificate_pdf.html", centre=model, bilan_id=bilan.id,
                                       records=records, stages=STAGE_LABELS, large=False)
                destroyed.append(bilan.id)
                if found := french_problems(page, names):
                    problems[f"destruction certificate ({bilan.id})"] = found
        agreements = [(a.bilan_id, a.id) for a in db.exec(select(Agreement)).all()]
        assignments = [a.id for a in db.exec(select(Assignment)).all()]
    assert agreements and assignments and destroyed and certified

    staff_login(client)
    urls = ["/c/demo/", "/c/demo/bilans/", "/c/demo/evidence/", "/c/demo/admin/", "/c/demo/retention/settings",
            "/c/demo/reminders/settings", "/c/demo/beneficiaries/", "/c/demo/questionnaires/",
            "/c/demo/admin/access-log/"]
    for bilan in bilans:
        urls += [f"/c/demo/bilans/{bilan.id}/{tab}/" for tab in ("sessions", "history", "evidence", "questionnaires")]
        urls.append(f"/c/demo/beneficiaries/{bilan.beneficiary_id}")
    urls += [f"/c/demo/bilans/{bilan_id}/agreement/{agreement_id}" for bilan_id, agreement_id in agreements]
    urls += [f"/c/demo/questionnaires/assignments/{assignment_id}" for assignment_id in assignments]
    urls += [f"/c/demo/bilans/{bilan.id}/synthesis/" for bilan in bilans if bilan.id not in destroyed]
    problems |= check_pages(client, urls, names)
    client.post("/logout")

    with app.app_context(), tenant_session(centre) as db:
        from tenants.beneficiaries.registry import find_by_email

        person = find_by_email(db, PEOPLE["investigation_accommodations"][1])
        bilan_id = db.exec(select(Bilan.id).where(Bilan.beneficiary_id == person.id)).one()
    home = enter(client, issue(app, CentreRef(centre), person.id, bilan_id))
    problems |= check_pages(client, [home.headers["Location"]], names)
    assert not problems, report(problems)


def test_french_typography_on_the_demo_bilan_pages(app, client):
    """Each bilan's own page says "Bilan d'Élodie Petit"."""
    _centre, bilans, names = seeded_demo(app)
    staff_login(client)
    problems = check_pages(client, [f"/c/demo/bilans/{bilan.id}" for bilan in bilans], names)
    assert not problems, report(problems)


class CentreRef:
    """The shape tests/portal_helpers.py expects of a centre (`centre.model(app)`)."""

    def __init__(self, centre):
        self.centre = centre

    def model(self, app):
        return self.centre


def test_an_invitation_agrees_with_any_person(app, client, make_centre, login, outbox):
    """The invitation page says "Vous avez reçu une invitation", never "invité(e)": an account has no gender."""
    lyon = make_centre("lyon")
    login(lyon.owner)
    assert client.post("/c/lyon/admin/invitations", data={"name": "Karim Benali", "email": "karim@example.fr",
                                                          "role": "consultant"}).status_code == 303
    [email] = outbox(kind="invitation")
    link = re.search(r"http://localhost(/invitations/\S+)", email.body_text).group(1)
    client.post("/logout")
    page = client.get(link).text
    assert "Vous avez reçu une invitation comme" in page
    assert not french_problems(page, [])
