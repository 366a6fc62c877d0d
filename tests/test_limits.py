"""Request size limits: bodies over their view's limit get a French 413 before anything reads them;
every text field of every form has a maximum length (saas/limits.py, saas/forms.py)."""
from __future__ import annotations

import importlib
import io
import pkgutil

import pytest
from sqlmodel import select

from bilans_support import centre_db

HUGE = 22 * 1024 * 1024
GOOD_PERSON = {"name": "Zoé Martin", "email": "zoe@example.fr", "phone": "", "employment_status": "salarie_prive"}


def _people(app, centre) -> int:
    from tenants.beneficiaries.models import Beneficiary

    with centre_db(app, centre) as db:
        return len(db.exec(select(Beneficiary.id)).all())


def test_a_22_mib_login_post_is_refused_in_french_before_it_is_read(app, client, make_centre):
    lyon = make_centre("lyon")
    response = client.post("/login", data={"email": lyon.owner.email, "password": lyon.owner.password,
                                           "padding": "x" * HUGE})
    assert response.status_code == 413
    assert "trop volumineuses" in response.text and "64\u202fKo" in response.text
    assert client.get("/c/lyon/").status_code == 302  # not logged in: the body was never read


def test_a_22_mib_centre_form_is_refused_and_nothing_is_stored(app, client, make_centre, login):
    lyon = make_centre("lyon")
    login(lyon.owner)
    response = client.post("/c/lyon/beneficiaries/", data={**GOOD_PERSON, "padding": "x" * HUGE})
    assert response.status_code == 413 and "trop volumineuses" in response.text
    assert _people(app, lyon) == 0
    # For htmx, the message alone, for the page's message region.
    fragment = client.post("/c/lyon/beneficiaries/", data={**GOOD_PERSON, "padding": "x" * HUGE},
                           headers={"HX-Request": "true"})
    assert fragment.status_code == 413 and "trop volumineuses" in fragment.text and "<html" not in fragment.text
    assert fragment.headers["HX-Retarget"] == "#messages"  # the message region, never the form's target
    assert _people(app, lyon) == 0
    # The same form within its limit goes through.
    assert client.post("/c/lyon/beneficiaries/", data=GOOD_PERSON).status_code == 303
    assert _people(app, lyon) == 1


def test_form_limit_is_64_kib_and_long_texts_get_more(app, client, make_centre, login):
    from saas.limits import FORM_MAX, LONG_TEXT_MAX

    lyon = make_centre("lyon")
    login(lyon.owner)
    over = client.post("/c/lyon/beneficiaries/", data={**GOOD_PERSON, "padding": "x" * FORM_MAX})
    assert over.status_code == 413 and _people(app, lyon) == 0
    assert LONG_TEXT_MAX > FORM_MAX
    assert app.view_functions["synthesis.save"].max_body_bytes == LONG_TEXT_MAX
    assert app.view_functions["portal_questionnaires.autosave"].max_body_bytes == LONG_TEXT_MAX


def test_a_5_mb_scan_reaches_the_closing_answers_view_and_11_mb_is_refused(app, client, make_centre, login):
    """The paper agreement's scan (R6313-7) is accepted up to its own limit, tenants/bilans/closing.py."""
    from tenants.bilans.closing import SCAN_MAX_BYTES
    from tenants.retention.models import KeepingAgreement

    from retention_support import closed_through_views

    lyon = make_centre("lyon")
    login(lyon.owner)
    _, bilan_id = closed_through_views(app, client, lyon)
    url = f"/c/lyon/bilans/{bilan_id}/closing-answers"
    too_big = client.post(url, content_type="multipart/form-data", data={
        "synthesis_to_cep": "no", "kept_documents": ["logbook"],
        "agreement_scan": (io.BytesIO(b"%PDF-1.4 " + b"0" * (SCAN_MAX_BYTES + 1024 * 1024)), "accord.pdf",
                           "application/pdf")})
    assert too_big.status_code == 413 and "Le fichier envoyé est trop volumineux : 10\u202fMo au plus" in too_big.text
    scan = b"%PDF-1.4 " + b"0" * (5 * 1000 * 1000)
    accepted = client.post(url, content_type="multipart/form-data", data={
        "synthesis_to_cep": "no", "kept_documents": ["logbook"],
        "agreement_scan": (io.BytesIO(scan), "accord.pdf", "application/pdf")})
    assert accepted.status_code == 303, accepted.text
    with centre_db(app, lyon) as db:
        stored = db.exec(select(KeepingAgreement).where(KeepingAgreement.bilan_id == bilan_id)).one()
        assert stored.evidence_file == scan


# -- every text field is bounded at the form layer ---------------------------
# Fields with no max-length validator, each with the reason it is safe.
UNBOUNDED_ALLOWED: dict[str, str] = {}


def _all_forms():
    from saas.forms import BaseForm

    for package in ("saas", "tenants"):
        root = importlib.import_module(package)
        for info in pkgutil.walk_packages(root.__path__, package + "."):
            if ".migrations" not in info.name:  # alembic scripts run on import
                importlib.import_module(info.name)
    seen, todo = set(), [BaseForm]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub not in seen:
                seen.add(sub)
                todo.append(sub)
    return seen


def _max_length(unbound) -> int | None:
    """The field's bound: a validator's `maxlength` flag (wtforms Length, or a custom validator's)."""
    validators = unbound.kwargs.get("validators")
    if validators is None and len(unbound.args) > 1:
        validators = unbound.args[1]
    limits = [flags["maxlength"] for v in validators or ()
              if (flags := getattr(v, "field_flags", None) or {}).get("maxlength") not in (None, -1)]
    return min(limits) if limits else None


def test_every_text_field_of_every_form_has_a_max_length(app):
    from wtforms.fields import StringField
    from wtforms.fields.core import UnboundField

    forms = _all_forms()
    assert len(forms) > 20  # the walk found the app's forms
    missing = []
    for form in forms:
        for name in dir(form):
            unbound = getattr(form, name, None)
            if not isinstance(unbound, UnboundField) or not issubclass(unbound.field_class, StringField):
                continue
            where = f"{form.__module__}.{form.__qualname__}.{name}"
            if _max_length(unbound) is None and where not in UNBOUNDED_ALLOWED:
                missing.append(where)
    assert not missing, "text fields without max_length(): " + ", ".join(sorted(missing))


@pytest.mark.parametrize("size,text", [(64 * 1024, "64\u202fKo"), (10 * 1024 * 1024, "10\u202fMo")])
def test_sizes_are_written_the_french_way(size, text):
    from saas.limits import size_fr

    assert size_fr(size) == text
