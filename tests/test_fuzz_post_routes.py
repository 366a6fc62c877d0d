"""Hostile values posted to every POST route: no 5xx, and a refused request stores nothing (issue #12, fault 4).

Routes come from `app.url_map`, so a new POST route is covered without editing
this file. Each route is first probed with an empty body and the field names it
reads from the posted form are recorded (a request class whose form dict notes
every key asked for: WTForms fields with their prefixes, questionnaire
answers). Hypothesis then posts hostile values into those fields: arbitrary
text, 30-digit and negative numbers, `inf`, `nan`, NUL bytes, invalid UTF-8 as
raw bytes, very long strings, out-of-range dates. Each catalogue value is also
an explicit example, posted into every field at once.

Who posts: the centre's admin for staff routes (`/c/<slug>/...`, `/account`,
`/logout`), the beneficiary's portal session for `/c/<slug>/p/...`, nobody for
the others (login, signup, personal and employer links). URL parameters are
filled with real ids of one seeded centre, as tests/test_bilans_access.py does.

Asserted for every request: no 5xx; a 4xx leaves every table of the centre and
of the platform as it was; a value the form layer refuses whatever the field
(control characters such as NUL, invalid UTF-8) posted into a field the route
reads gets a 4xx.
"""
from __future__ import annotations

import re
from datetime import UTC, datetime
from urllib.parse import quote, quote_from_bytes

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from werkzeug.datastructures import ImmutableMultiDict

from bilans_support import add_sessions, centre_db
from bilans_support import make_bilan as build_bilan
from portal_helpers import assign, enter, issue, last_link
from portal_helpers import make_bilan as portal_bilan

SLUG = "lyon"
HOSTILE = [
    "", "-1", "9" * 30, "-" + "9" * 30, str(2**63), str(2**31), "inf", "-inf", "nan", "1e309",
    "Zoé\x00Martin", "\x00", "\x01\x1b\x7f", "é" * 100_000, "9999-12-31", "0001-01-01", "31/02/2026",
    "99/99/99999", "<script>alert(1)</script>", "'; DROP TABLE bilan; --", "\u202e\ufeff\U0010ffff",
    b"\xff\xfe", b"Zo\xe9 Martin", b"\xed\xa0\x80",
]
MAX_EXAMPLES = 3  # hypothesis examples per route, beyond the explicit catalogue
# Refused by the form layer whatever the field (saas/forms.py, BaseForm): nobody types them.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Bookkeeping written by any request, refused or not: the login session's last use (docs/SECURITY.md,
# "A copied login cookie"), the log of results opened (docs/SECURITY.md, "Results opened without a trace").
BOOKKEEPING = {"login_session", "access_log", "access_event", "results_access"}

hostile = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=40),
    st.integers(min_value=-10**30, max_value=10**30).map(str),
    st.floats().map(repr),
    st.binary(min_size=1, max_size=8),
    st.dates().map(lambda d: d.strftime("%d/%m/%Y")),
)


class RecordingDict(ImmutableMultiDict):
    """Request parameters that note every key the app asks for: the fields a route reads."""
    asked: set[str] = set()

    def __contains__(self, key):
        RecordingDict.asked.add(key)
        return super().__contains__(key)

    def __getitem__(self, key):
        RecordingDict.asked.add(key)
        return super().__getitem__(key)

    def get(self, key, default=None, type=None):
        RecordingDict.asked.add(key)
        return super().get(key, default, type)

    def getlist(self, key, type=None):
        RecordingDict.asked.add(key)
        return super().getlist(key, type)


def _link(outbox, kind: str, route: str) -> str:
    mail = outbox(kind=kind)[-1]
    return re.search(r"https?://[^/\s]+(\S*?" + route + r"[A-Za-z0-9_.-]+)", mail.body_text).group(1)


def _token(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[1]


def _seed(app, make_centre, add_member, outbox):
    """One centre with an object of every kind a POST URL names: (ids, clients by actor)."""
    from saas.accounts.models import Invitation, Membership
    from tenants.agreements import drafting
    from tenants.agreements.models import Agreement
    from tenants.bilans import consent
    from tenants.bilans.models import ActionItem, Bilan
    from tenants.flags.raising import add_flag
    from tenants.questionnaires.models import Assignment, Questionnaire
    from tenants.sessions.models import Attendance

    anonymous = app.test_client()
    assert anonymous.post("/signup/", data={
        "centre_name": "Centre Horizon", "slug": "horizon", "siret": "73282932000074", "nda": "11755555555",
        "admin_name": "Claire Dupont", "admin_email": "claire@example.fr", "password": "un mot de passe long",
    }).status_code == 303
    ids = {"signup": _token(_link(outbox, "signup_verification", "/signup/verify/"))}
    lyon = make_centre(SLUG)
    member = add_member(lyon, "consultant")
    anonymous.post("/password/forgot", data={"email": member.email})
    ids["reset"] = _token(_link(outbox, "password_reset", "/password/reset/"))
    staff = app.test_client()
    assert staff.post("/login", data={"email": lyon.owner.email, "password": lyon.owner.password}).status_code == 303
    assert staff.post(f"/c/{SLUG}/admin/invitations", data={"name": "Hugo Martin", "email": "hugo@example.fr",
                                                            "role": "consultant"}).status_code == 303
    ids["invitation"] = _token(_link(outbox, "invitation", "/invitations/"))
    person, bilan_id = portal_bilan(app, lyon, name="Zoé Confiée", email="zc@example.fr")
    portal = app.test_client()
    ids["assignment_id"] = assign(app, lyon, bilan_id, "retour_360")
    enter(portal, last_link(outbox))
    assert portal.post(f"/c/{SLUG}/p/questionnaires/{ids['assignment_id']}/respondents", data={
        "name": "Alice Martin", "email": "alice@example.fr", "relationship": "collegue"}).status_code == 200
    ids["respondent"] = _token(_link(outbox, "questionnaire_360", "/avis/"))
    ids["portal"] = _token(issue(app, lyon, person, bilan_id))
    with centre_db(app, lyon) as db:
        bilan = db.get(Bilan, bilan_id)
        session = add_sessions(db, bilan, 1, done=False)[0]
        action = ActionItem(bilan_id=bilan.id, text="Appeler l'Apec")
        db.add(action)
        given = consent.record_disclosure_consent(db, bilan, recipient_kind="cep", recipient_name="Apec",
                                                  recipient_email="cep@apec.fr", method="paper")
        flag = add_flag(db, key="fuzz", kind="manual", bilan_id=bilan.id, consultant_id=lyon.owner.id,
                        detail="Contrôle", at=datetime.now(UTC))
        employer = build_bilan(db, lyon.owner.id, state="quoted", funding="employer_plan", email="emp@example.fr")
        db.commit()
        attendance = db.exec(select(Attendance.id).where(Attendance.session_id == session.id)).first()
        assignment = db.get(Assignment, ids["assignment_id"])
        definition = db.get(Questionnaire, assignment.questionnaire_id).definition
        ids.update(bilan_id=bilan.id, beneficiary_id=bilan.beneficiary_id, session_id=session.id,
                   action_id=action.id, consent_id=given.id, flag_id=flag.id, attendance_id=attendance[0],
                   question_id=definition["sections"][0]["questions"][0]["id"], agreement_bilan=employer.id)
    with app.test_request_context("/"), centre_db(app, lyon) as db:
        employer = db.get(Bilan, ids["agreement_bilan"])
        agreement = drafting.draft_for(employer, centre_name=lyon.name)
        agreement.employer_email = "rh@transports.example"
        drafting.send(db, employer, agreement, centre=lyon.model(app), now=datetime.now(UTC))
        db.commit()
        ids["agreement_id"] = db.exec(select(Agreement.id).where(Agreement.bilan_id == employer.id)).first()[0]
    ids["employer"] = _token(_link(outbox, "agreement", "/convention/")) if outbox(kind="agreement") else "x" * 43
    created = staff.post(f"/c/{SLUG}/questionnaires/", data={"title": "Mon outil", "paging": "single"})
    ids["questionnaire_id"] = created.headers["Location"].rsplit("/", 1)[1]
    with app.app_context(), app.extensions["db"].public_session() as session:
        ids["invitation_id"] = session.exec(select(Invitation.id)).first()[0]
        ids["membership_id"] = session.exec(select(Membership.id).where(Membership.account_id == member.id)).first()[0]
    return lyon, ids, {"staff": staff, "portal": portal, "anonymous": anonymous}


def _url(rule, ids) -> str:
    values = {**ids, "slug": SLUG, "session_id": ids["session_id"]}
    if rule.endpoint.startswith("agreements."):
        values["bilan_id"] = ids["agreement_bilan"]
    if rule.endpoint.startswith("accounts.") and "session_id" in rule.arguments:
        values["session_id"] = "1"
    if "token" in rule.arguments:
        values["token"] = {"portal": ids["portal"], "portal_respondents": ids["respondent"],
                           "agreement_links": ids["employer"], "signup": ids["signup"]}.get(
            rule.endpoint.rsplit(".", 1)[0].replace(".", "_"), ids["invitation"])
        if rule.endpoint == "accounts.reset_password":
            values["token"] = ids["reset"]
    path = rule.rule
    for name in rule.arguments:
        path = re.sub(rf"<(?:\w+:)?{name}>", str(values[name]), path)
    return path


def _actor(rule) -> str:
    if rule.rule.startswith("/c/<slug>/p/"):
        return "portal"
    if re.match(r"/c/<slug>/(r|avis|convention)/", rule.rule):
        return "anonymous"
    if rule.rule.startswith(("/c/", "/account", "/logout")):
        return "staff"
    return "anonymous"


def post_routes(app):
    """Every rule that takes a POST; the ones that end a session or close a bilan last (they change who
    or what the others reach)."""
    ending = re.compile(r"logout|end_session|cancel|close|remove|revoke|withdraw|retire|delete|renew")
    rules = [rule for rule in app.url_map.iter_rules() if "POST" in rule.methods]
    return sorted(rules, key=lambda rule: (bool(ending.search(rule.endpoint)), rule.endpoint))


def _body(payload: dict) -> bytes:
    def encoded(value):
        return quote_from_bytes(value) if isinstance(value, bytes) else quote(value)
    return "&".join(f"{quote(name)}={encoded(value)}" for name, value in payload.items()).encode()


def _short(payload: dict) -> dict:
    return {name: repr(value)[:40] for name, value in payload.items()}


def _snapshot(app, centre):
    """Every row of the centre's tables and of the platform's, bookkeeping aside."""
    from sqlmodel import SQLModel

    from saas.tenancy.models import TenantModel

    state = {}
    with centre_db(app, centre) as db:
        for table in TenantModel.metadata.sorted_tables:
            if table.name not in BOOKKEEPING:
                state[table.name] = sorted(map(repr, db.exec(select(table)).all()))
    with app.app_context(), app.extensions["db"].public_session() as session:
        for table in SQLModel.metadata.sorted_tables:
            if table.name not in BOOKKEEPING and table.schema is None:
                state[table.name] = session.exec(select(func.count()).select_from(table)).one()[0]
    return state


class Fuzzer:
    """Posts payloads to one route and checks each answer; counts requests and 5xx."""

    def __init__(self, app, centre, clients):
        self.app, self.centre, self.clients = app, centre, clients
        self.requests, self.before = 0, None
        self.failures, self.stored, self.accepted = [], [], []  # 5xx; changed by a 4xx; control chars taken

    def post(self, client, url, payload):
        self.requests += 1
        try:
            return client.post(url, data=_body(payload), content_type="application/x-www-form-urlencoded")
        except Exception as error:  # TESTING propagates what would be a 500
            return error

    def check(self, rule, url, actor, read, payload):
        if self.before is None:
            self.before = _snapshot(self.app, self.centre)
        response = self.post(self.clients[actor], url, payload)
        if isinstance(response, Exception) or response.status_code >= 500:
            self.before = None
            what = type(response).__name__ if isinstance(response, Exception) else response.status_code
            self.failures.append((rule.endpoint, what, _short(payload)))
            return
        if 400 <= response.status_code < 500:
            after = _snapshot(self.app, self.centre)
            changed = [name for name in after if after[name] != self.before.get(name)]
            if changed:
                self.stored.append((rule.endpoint, response.status_code, changed, _short(payload)))
            self.before = after
        else:
            self.before = None
            cannot_type = [name for name, value in payload.items() if name in read and (
                isinstance(value, bytes) or CONTROL.search(value))]
            if cannot_type:
                self.accepted.append((rule.endpoint, response.status_code, cannot_type, _short(payload)))

    def fuzz(self, rule, ids):
        url, actor = _url(rule, ids), _actor(rule)
        if actor == "staff":
            self.clients["staff"].post("/login", data={"email": self.centre.owner.email,
                                                       "password": self.centre.owner.password})
        RecordingDict.asked = set()
        self.check(rule, url, actor, set(), {})
        read = sorted(RecordingDict.asked - {"csrf_token"})
        names = read or ["text"]  # a route that reads no field still gets a body

        @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(st.fixed_dictionaries({name: hostile for name in names}))
        def property_(payload):
            self.check(rule, url, actor, set(read), payload)

        for value in HOSTILE:
            property_ = example({name: value for name in names})(property_)
        property_()


def test_no_post_route_answers_5xx_or_stores_a_refused_value(app, make_centre, add_member, outbox):
    """Hostile values into every field of every POST route of the URL map, as the actor of its class."""
    centre, ids, clients = _seed(app, make_centre, add_member, outbox)
    app.request_class = type("RecordingRequest", (app.request_class,), {"parameter_storage_class": RecordingDict})
    fuzzer, routes = Fuzzer(app, centre, clients), post_routes(app)
    for rule in routes:
        fuzzer.fuzz(rule, ids)
    assert len(routes) > 80 and fuzzer.requests > 2000
    print(f"\n{len(routes)} routes, {fuzzer.requests} requests, {len(fuzzer.failures)} answered 5xx, "
          f"{len(fuzzer.stored)} refused but stored, {len(fuzzer.accepted)} control characters accepted")
    assert not fuzzer.failures, "\n".join(map(str, fuzzer.failures))
    assert not fuzzer.stored, "\n".join(map(str, fuzzer.stored))
    assert not fuzzer.accepted, "\n".join(map(str, fuzzer.accepted))
