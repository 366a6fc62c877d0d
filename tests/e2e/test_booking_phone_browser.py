"""Booking the free prior interview on a 360 px phone (issue 16): a slot, the details, the emailed link,
the confirmation, axe clean and no sideways scrolling on each page."""
from __future__ import annotations

import re

import pytest
from test_booking import publish

from browser_support import PHONE_CONTEXT, assert_fits, assert_no_serious


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


@pytest.fixture
def browser_context_args():
    return PHONE_CONTEXT


def test_booking_on_a_phone_from_slot_to_confirmation(app, make_centre, outbox, live_server, page, axe):
    lyon = make_centre("lyon")
    publish(app, lyon, lyon.owner.id, notice_hours=24)

    page.goto(live_server + "/o/lyon/rendez-vous/?format=video")
    assert_no_serious(axe, page)
    assert_fits(page)
    page.locator("#slots a[href*='/rendez-vous/creneau']").first.click()
    page.wait_for_url(re.compile(r"/o/lyon/rendez-vous/creneau\?"))
    assert_no_serious(axe, page)
    assert_fits(page)
    page.get_by_label("Prénom et nom").fill("Zoé Martin")
    page.get_by_label("Adresse e-mail").fill("zoe@example.fr")
    page.get_by_label("Téléphone").fill("06 12 34 56 78")
    page.get_by_label("Demandeur d'emploi").check()
    page.get_by_label("J'accepte que ces informations").check()
    page.get_by_role("button", name="Réserver ce créneau").click()
    page.wait_for_url(re.compile(r"/o/lyon/rendez-vous/envoye$"))
    assert "confirmez par e-mail" in page.content()
    assert_no_serious(axe, page)

    mail = outbox(kind="booking_hold")[-1]
    link = re.search(r"https?://[^/\s]+(/o/lyon/rendez-vous/confirmer/\S+)", mail.body_text).group(1)
    page.goto(live_server + link)
    assert_no_serious(axe, page)
    page.get_by_role("button", name="Confirmer mon rendez-vous").click()
    page.wait_for_url(re.compile(r"/o/lyon/rendez-vous/gerer/"))
    assert "Confirmé" in page.content() and "Déplacer le rendez-vous" in page.content()
    assert_no_serious(axe, page)
    assert_fits(page)
    assert len(outbox(kind="booking_confirmed")) == 1
