"""R6313-8 tripartite agreements: the draft goes to the employer, the clock starts at the employer's
transmission, ten days (never an eleventh), silence lapses through one function (job and sign view),
every sending recorded per recipient, 13 h ≤ accompaniment, total ≤ 24 h, the congé de reclassement."""
from __future__ import annotations

import base64
import html
import re
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from saas.errors import RuleViolation

from bilans_support import centre_db, make_bilan, paris_today
from jobs_support import history, paris, run

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def lyon(make_centre):
    return make_centre("lyon")


def _form(**changes):
    today = paris_today()
    data = {name: "Texte" for name in ("objective", "content", "means", "running_and_followup", "results_handover")}
    data.update(employer_name="Transports RA", employer_email="rh@transports-ra.example", title="Bilan",
                duration_hours="24", accompaniment_hours="16", price="1950", payment_terms="À 30 jours",
                period_start=today.isoformat(), period_end=(today + timedelta(days=90)).isoformat(),
                confirmed="y")  # sending is irreversible: the dialog confirms it
    data.update(changes)
    return data


def _quoted(app, centre, funding="employer_plan", email="marc@example.fr"):
    with centre_db(app, centre) as db:
        return make_bilan(db, centre.owner.id, state="quoted", funding=funding, name="Marc Dubois", email=email).id


def _agreement(app, centre, bilan_id):
    from tenants.agreements.models import Agreement

    with centre_db(app, centre) as db:
        found = db.exec(select(Agreement).where(Agreement.bilan_id == bilan_id)).one()
        db.expunge(found)
        return found


def _bilan(app, centre, bilan_id):
    from tenants.bilans.models import Bilan

    with centre_db(app, centre) as db:
        found = db.get(Bilan, bilan_id)
        db.expunge(found)
        return found


def _sendings(app, centre, agreement_id):
    from tenants.agreements.sendings import sendings_of

    with centre_db(app, centre) as db:
        return [(s.purpose, s.recipient_role, s.recipient_email, s.version, bool(s.document_sha256))
                for s in sendings_of(db, agreement_id)]


def _page(response) -> str:
    return html.unescape(response.text)


def _pdf_text(data: bytes) -> str:
    text = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()
    return re.sub(r"[\u202f\u00a0]", " ", text).replace("’", "'")


def _employer_link(mail) -> str:
    return re.search(r"http://localhost(/c/[^\s]+/convention/[A-Za-z0-9_-]+)", mail.body_text).group(1)


def _sent_to_employer(app, centre, bilan_id, *, now, email="rh@transports-ra.example"):
    """Through the feature: the draft to the employer at `now` (fixed clock)."""
    from tenants.agreements import drafting
    from tenants.bilans.models import Bilan

    with app.test_request_context("/"), centre_db(app, centre) as db:
        bilan = db.get(Bilan, bilan_id)
        agreement = drafting.draft_for(bilan, centre_name=centre.name)
        agreement.employer_email = email
        drafting.send(db, bilan, agreement, centre=centre.model(app), now=now)
        db.commit()
        return agreement.id


def _transmitted(app, centre, bilan_id, agreement_id, *, on, now, method="staff"):
    from tenants.agreements import transmission
    from tenants.agreements.models import Agreement
    from tenants.bilans.models import Bilan

    with app.test_request_context("/"), centre_db(app, centre) as db:
        transmission.transmit(db, db.get(Agreement, agreement_id), db.get(Bilan, bilan_id), on=on, method=method,
                              now=now, recorded_by=centre.owner.id, actor=centre.owner.name)
        db.commit()


# -- the clock starts at the employer's transmission ------------------------------------------
def test_r6313_8_clock_starts_at_employer_transmission(app, client, lyon, login, outbox):
    """R6313-8: "dix jours à compter de la transmission par son employeur": the draft goes to the employer,
    whose own link (GET shows, POST acts) records the transmission and emails the employee."""
    bilan_id = _quoted(app, lyon)
    login(lyon.owner)
    r = client.post(f"/c/lyon/bilans/{bilan_id}/agreement/", data=_form())
    assert r.status_code == 303, r.text
    agreement = _agreement(app, lyon, bilan_id)
    assert r.headers["Location"].endswith(f"/c/lyon/bilans/{bilan_id}/agreement/{agreement.id}")
    assert agreement.status == "with_employer" and agreement.transmitted_on is None
    (to_employer,) = outbox(kind="agreement_to_employer")
    assert to_employer.recipient == "rh@transports-ra.example"
    assert to_employer.attachments[0]["content_type"] == "application/pdf"
    assert not outbox(kind="agreement_sent")  # nothing to the employee before the employer transmits
    page = _page(client.get(r.headers["Location"]))
    assert "En attente de la transmission par l'employeur" in page and "Jour" not in page
    assert "Convention signée reçue" not in page  # nothing to sign yet
    assert "en attente de la transmission par l'employeur" in _page(client.get("/c/lyon/"))

    # Before the transmission no refusal can happen, however long the employer waits.
    report = run(app, "reminders", paris(paris_today().year + 1, 1, 1, 9, 30))
    assert report is not None and not report.errors
    assert _agreement(app, lyon, bilan_id).status == "with_employer"
    assert _bilan(app, lyon, bilan_id).status == "awaiting_agreement"

    # The employer's link: anyone (a mail scanner) may open it; it changes nothing.
    login.logout()
    link = _employer_link(to_employer)
    for _ in range(2):
        shown = client.get(link)
        assert shown.status_code == 200 and "Transmettre le projet à Marc Dubois" in _page(shown)
    assert client.get(link + "/convention.pdf").data[:4] == b"%PDF"
    assert _agreement(app, lyon, bilan_id).status == "with_employer" and not outbox(kind="agreement_sent")
    assert client.get("/c/lyon/convention/" + "x" * 43).status_code == 404

    r = client.post(link)
    assert r.status_code == 303
    agreement = _agreement(app, lyon, bilan_id)
    assert agreement.status == "sent" and agreement.transmitted_on == paris_today()
    assert agreement.transmission_method == "employer_link"
    (to_employee,) = outbox(kind="agreement_sent")
    assert to_employee.recipient == "marc@example.fr"
    assert to_employee.attachments[0]["content_type"] == "application/pdf"
    assert "à compter de cette transmission" in to_employee.body_text and "ni une faute" in to_employee.body_text
    assert client.post(link).status_code == 303 and len(outbox(kind="agreement_sent")) == 1  # once
    assert "Projet transmis à votre salarié" in _page(client.get(link))

    login(lyon.owner)
    page = _page(client.get(f"/c/lyon/bilans/{bilan_id}/agreement/{agreement.id}"))
    assert "Transmise au salarié aujourd'hui — signature attendue au plus tard le" in page
    assert "Convention signée reçue" in page


def test_r6313_8_centre_records_the_date_the_employer_gives(app, client, lyon, login, outbox):
    """Without the employer's link, staff type the transmission date the employer gives; who typed it is kept."""
    from tenants.agreements import clock

    bilan_id = _quoted(app, lyon)
    login(lyon.owner)
    r = client.post(f"/c/lyon/bilans/{bilan_id}/agreement/", data=_form(employer_email=""))
    assert r.status_code == 303
    assert not outbox(kind="agreement_to_employer")
    agreement = _agreement(app, lyon, bilan_id)
    url = f"/c/lyon/bilans/{bilan_id}/agreement/{agreement.id}"
    tomorrow = (paris_today() + timedelta(days=1)).isoformat()
    r = client.post(url + "/transmission", data={"transmitted_on": tomorrow})
    assert r.status_code == 422 and "futur" in _page(r) and f'value="{tomorrow}"' in _page(r)
    r = client.post(url + "/transmission", data={"transmitted_on": "pas une date"})
    assert r.status_code == 422 and 'id="transmitted_on-error"' in _page(r)
    r = client.post(url + "/transmission", data={"transmitted_on": (paris_today() - timedelta(days=1)).isoformat()})
    assert r.status_code == 422 and "n'a reçu le projet" in _page(r)
    assert _agreement(app, lyon, bilan_id).status == "with_employer"
    assert client.post(url + "/transmission", data={"transmitted_on": paris_today().isoformat()}).status_code == 303
    agreement = _agreement(app, lyon, bilan_id)
    assert agreement.transmitted_on == paris_today() and agreement.transmission_recorded_by == lyon.owner.id
    assert clock.received_on(agreement) == paris_today()
    events = history(app, lyon, bilan_id)
    assert any(kind == "agreement_transmitted" and "enregistrée par le centre" in detail for kind, detail in events)


def test_r6313_8_every_sending_recorded_per_recipient(app, client, lyon, login, outbox):
    """Who, which address, when, which version: on the agreement page and in the bilan's history."""
    bilan_id = _quoted(app, lyon)
    login(lyon.owner)
    client.post(f"/c/lyon/bilans/{bilan_id}/agreement/", data=_form())
    client.post(_employer_link(outbox(kind="agreement_to_employer")[0]))
    agreement = _agreement(app, lyon, bilan_id)
    assert _sendings(app, lyon, agreement.id) == [
        ("draft_to_employer", "employer", "rh@transports-ra.example", 1, True),
        ("transmission", "employee", "marc@example.fr", 1, True)]
    page = _page(client.get(f"/c/lyon/bilans/{bilan_id}/agreement/{agreement.id}"))
    assert "rh@transports-ra.example" in page and "marc@example.fr" in page
    assert "Projet de convention envoyé à l'employeur" in page and "Projet de convention transmis au salarié" in page
    events = _page(client.get(f"/c/lyon/bilans/{bilan_id}/history/"))
    assert "employeur Transports RA, version 1" in events and "salarié Marc Dubois, version 1" in events


# -- ten days, never an eleventh ------------------------------------------------------------------
def test_r6313_8_never_day_11_of_10(app, client, lyon, login):
    """Counted from the day after the transmission; day 10 is the last; then "Délai expiré le …"."""
    from tenants.agreements import clock
    from tenants.agreements.models import Agreement

    transmitted = date(2027, 11, 23)
    agreement = Agreement(bilan_id="b", status="sent", transmitted_on=transmitted)
    texts = {n: clock.clock_state(agreement, transmitted + timedelta(days=n)).text for n in range(0, 14)}
    assert all("Jour 11" not in t and "sur 10" not in t for n, t in texts.items() if n > 10)
    assert texts[8] == "Jour 8 sur 10 — signature attendue au plus tard le 3 décembre 2027."
    assert texts[10].startswith("Jour 10 sur 10 — dernier jour pour signer")
    assert texts[11] == "Délai expiré le 3 décembre 2027 : le silence du salarié vaut refus (article R6313-8)."
    assert max(clock.clock_state(agreement, transmitted + timedelta(days=n)).day for n in range(0, 30)) == 10

    # On the page and the dashboard, when the sweep has not run yet.
    bilan_id = _quoted(app, lyon)
    login(lyon.owner)
    client.post(f"/c/lyon/bilans/{bilan_id}/agreement/", data=_form(employer_email=""))
    with centre_db(app, lyon) as db:
        row = db.exec(select(Agreement).where(Agreement.bilan_id == bilan_id)).one()
        row.status, row.transmitted_on = "sent", paris_today() - timedelta(days=11)
        db.add(row)
        db.commit()
        agreement_id = row.id
    for url in (f"/c/lyon/bilans/{bilan_id}", f"/c/lyon/bilans/{bilan_id}/agreement/{agreement_id}", "/c/lyon/"):
        page = _page(client.get(url))
        assert "Jour 11" not in page and "jour 11" not in page, url
        assert "élai expiré le" in page, url


def test_r6313_8_silence_lapses_through_the_reminder_job(app, runner, lyon, outbox):
    """`jobs run-once reminders --now …`: the day-7 reminder goes to the employee; after day 10 the agreement
    and the bilan are refused at the sweep's clock, with the bilan's end, history and consultant's email, once."""
    from tenants.agreements.models import Agreement
    from tenants.bilans.models import Bilan

    bilan_id = _quoted(app, lyon)
    agreement_id = _sent_to_employer(app, lyon, bilan_id, now=paris(2027, 3, 1, 10, 0))
    _transmitted(app, lyon, bilan_id, agreement_id, on=date(2027, 3, 2), now=paris(2027, 3, 3, 9, 0))
    for when in ("2027-03-08T09:30", "2027-03-09T09:30", "2027-03-12T12:00"):  # day 6, day 7, day 10
        result = runner.invoke(args=["jobs", "run-once", "reminders", "--now", when])
        assert result.exit_code == 0, result.output
    (reminder,) = outbox(kind="reminder_agreement")
    assert reminder.recipient == "marc@example.fr" and "Jour 7 sur 10" in reminder.body_text
    assert _agreement(app, lyon, bilan_id).status == "sent"
    assert ("reminder", "employee", "marc@example.fr", 1, False) in _sendings(app, lyon, agreement_id)

    result = runner.invoke(args=["jobs", "run-once", "reminders", "--now", "2027-03-13T00:30"])  # day 11, Paris
    assert result.exit_code == 0 and "agreements_refused=1" in result.output
    agreement, bilan = _agreement(app, lyon, bilan_id), _bilan(app, lyon, bilan_id)
    assert agreement.status == "refused" and bilan.status == "refused"
    assert agreement.refused_at == paris(2027, 3, 13, 0, 30)  # the sweep's --now (Paris time)
    assert bilan.ended_at == agreement.refused_at
    with centre_db(app, lyon) as db:
        assert "silence" in db.get(Bilan, bilan_id).closing_reason  # sealed: read under the centre's keyring
    (notice,) = outbox(idempotency_key=f"agreement:{agreement_id}:refused")
    assert notice.recipient == lyon.owner.email and notice.kind == "agreement_refused"
    runner.invoke(args=["jobs", "run-once", "reminders", "--now", "2027-03-14T09:30"])
    assert len(outbox(kind="agreement_refused")) == 1 and len(outbox(kind="reminder_agreement")) == 1
    kinds = [kind for kind, _ in history(app, lyon, bilan_id)]
    assert kinds.count("agreement_refused") == 1 and kinds.count("email_agreement_refused") == 1
    with centre_db(app, lyon) as db:
        assert db.exec(select(Agreement).where(Agreement.status == "refused")).one().refusal_reason.startswith("Pas de")


def test_r6313_8_signed_too_late_lapses_through_the_sign_view(app, client, lyon, login, outbox):
    """The sign view calls the same lapse: refused, the bilan ended, the same email key as the job's."""
    bilan_id = _quoted(app, lyon)
    login(lyon.owner)
    client.post(f"/c/lyon/bilans/{bilan_id}/agreement/", data=_form(employer_email=""))
    agreement = _agreement(app, lyon, bilan_id)
    url = f"/c/lyon/bilans/{bilan_id}/agreement/{agreement.id}"
    assert client.post(url + "/sign").status_code == 422  # not transmitted yet: nothing to sign
    from tenants.agreements.models import Agreement

    with centre_db(app, lyon) as db:
        row = db.get(Agreement, agreement.id)
        row.status, row.transmitted_on = "sent", paris_today() - timedelta(days=11)
        db.add(row)
        db.commit()
    r = client.post(url + "/sign")
    assert r.status_code == 422 and "a expiré le" in _page(r)
    agreement, bilan = _agreement(app, lyon, bilan_id), _bilan(app, lyon, bilan_id)
    assert agreement.status == "refused" and bilan.status == "refused" and bilan.ended_at is not None
    assert len(outbox(idempotency_key=f"agreement:{agreement.id}:refused")) == 1
    report = run(app, "reminders", paris(paris_today().year + 1, 1, 1, 9, 30))
    assert report is not None and not report.errors
    assert len(outbox(kind="agreement_refused")) == 1


def test_r6313_8_signed_in_time_starts_the_bilan(app, client, lyon, login):
    bilan_id = _quoted(app, lyon)
    login(lyon.owner)
    client.post(f"/c/lyon/bilans/{bilan_id}/agreement/", data=_form(employer_email=""))
    agreement = _agreement(app, lyon, bilan_id)
    url = f"/c/lyon/bilans/{bilan_id}/agreement/{agreement.id}"
    client.post(url + "/transmission", data={"transmitted_on": paris_today().isoformat()})
    assert client.post(url + "/sign").status_code == 303
    assert _bilan(app, lyon, bilan_id).status == "active" and _agreement(app, lyon, bilan_id).status == "signed"


# -- 13 h ≤ accompaniment, total ≤ 24 h -------------------------------------------------------------
def test_agreement_duration_within_13_and_24_hours(app, client, lyon, login, outbox):
    """L6313-4 (24 h) and R6313-4 as amended in 2026 (13 h of accompaniment, personal work not counted),
    through hours.check_plan; the PDF states both."""
    bilan_id = _quoted(app, lyon)
    login(lyon.owner)
    url = f"/c/lyon/bilans/{bilan_id}/agreement/"
    r = client.post(url, data=_form(duration_hours="25", accompaniment_hours="16"))
    assert r.status_code == 422 and "24" in _page(r)
    r = client.post(url, data=_form(duration_hours="20", accompaniment_hours="12,5"))
    assert r.status_code == 422 and "13" in _page(r) and "travail personnel" in _page(r)
    r = client.post(url, data=_form(duration_hours="12", accompaniment_hours="13"))
    assert r.status_code == 422
    assert not outbox() and _bilan(app, lyon, bilan_id).status == "quoted"
    assert client.post(url, data=_form(duration_hours="24", accompaniment_hours="16")).status_code == 303
    agreement = _agreement(app, lyon, bilan_id)
    assert (agreement.duration_minutes, agreement.accompaniment_minutes) == (24 * 60, 16 * 60)
    text = _pdf_text(client.get(f"/c/lyon/bilans/{bilan_id}/agreement/{agreement.id}.pdf").data)
    assert "dont 16 h d'accompagnement" in text and "8 h de travail personnel" in text
    assert "à compter de la transmission par son employeur" in text.replace("\n", " ")


def test_quote_under_13_hours_accompaniment_refused(app, client, lyon, login):
    """Décret of 24 February 2026: a quote planning less than 13 h of accompaniment is refused (not warned)."""
    from tenants.bilans import lifecycle

    with centre_db(app, lyon) as db:
        bilan = make_bilan(db, lyon.owner.id, state="prior_interview")
        with pytest.raises(RuleViolation, match="13"):
            lifecycle.make_quote(db, bilan, price_cents=100_000, interview_minutes=12 * 60, personal_minutes=10 * 60,
                                 format="presentiel", funding="personal")
        bilan_id = bilan.id
    login(lyon.owner)
    data = {"interview_hours": "12", "personal_hours": "11", "price": "1800", "format": "presentiel",
            "funding": "personal"}
    r = client.post(f"/c/lyon/bilans/{bilan_id}/quote", data=data)
    assert r.status_code == 422 and "13" in _page(r)
    assert _bilan(app, lyon, bilan_id).status == "prior_interview"
    data["interview_hours"] = "13"
    assert client.post(f"/c/lyon/bilans/{bilan_id}/quote", data=data).status_code == 303
    assert _bilan(app, lyon, bilan_id).status == "quoted"


# -- the congé de reclassement ----------------------------------------------------------------------
def test_congé_de_reclassement_named(app, client, lyon, login):
    """R6313-8 names the congé de reclassement (L1233-71): labels, quote form, the agreement PDF."""
    from tenants.bilans.models import FUNDINGS

    assert FUNDINGS["redeployment_leave"] == "Congé de reclassement"
    for folder in ("tenants", "templates", "jobs", "saas", "docs"):
        for path in (ROOT / folder).rglob("*"):
            if path.suffix in (".py", ".html", ".txt", ".md"):
                assert "congé de reconversion" not in path.read_text(encoding="utf-8").lower(), path
    bilan_id = _quoted(app, lyon, funding="redeployment_leave")
    login(lyon.owner)
    page = _page(client.get(f"/c/lyon/bilans/{bilan_id}"))
    assert "Congé de reclassement" in page and "econversion" not in page
    client.post(f"/c/lyon/bilans/{bilan_id}/agreement/", data=_form(employer_email=""))
    agreement = _agreement(app, lyon, bilan_id)
    text = _pdf_text(client.get(f"/c/lyon/bilans/{bilan_id}/agreement/{agreement.id}.pdf").data).replace("\n", " ")
    assert "congé de reclassement (article L1233-71)" in text


# -- the employer's link across centres -------------------------------------------------------------
def test_employer_link_is_404_under_another_centre(app, client, make_centre, login, outbox):
    lyon, _brest = make_centre("lyon"), make_centre("brest")
    bilan_id = _quoted(app, lyon)
    login(lyon.owner)
    client.post(f"/c/lyon/bilans/{bilan_id}/agreement/", data=_form())
    link = _employer_link(outbox(kind="agreement_to_employer")[0])
    other = link.replace("/c/lyon/", "/c/brest/")
    login.logout()
    assert client.get(other).status_code == 404 and client.get(other + "/convention.pdf").status_code == 404
    assert client.post(other).status_code == 404
    assert _agreement(app, lyon, bilan_id).status == "with_employer"


def test_employer_link_expires(app, client, lyon, outbox):
    from tenants.agreements.models import Agreement

    bilan_id = _quoted(app, lyon)
    agreement_id = _sent_to_employer(app, lyon, bilan_id, now=paris(2020, 1, 6, 10, 0))  # 30-day link, long gone
    link = _employer_link(outbox(kind="agreement_to_employer")[0])
    assert client.get(link).status_code == 404 and client.post(link).status_code == 404
    with centre_db(app, lyon) as db:
        assert db.get(Agreement, agreement_id).status == "with_employer"
    assert base64.b64decode(outbox(kind="agreement_to_employer")[0].attachments[0]["data"])[:4] == b"%PDF"
