"""Hostile values posted to every POST route: no 5xx, and a refused request stores nothing (issue #12, fault 4).

Routes come from `app.url_map`, so a new POST route is covered without editing
this file. Each route is first probed with an empty body and the field names it
reads from the posted form are recorded (a request class whose form dict notes
every key asked for: WTForms fields with their prefixes, questionnaire
answers). Hypothesis then posts hostile values into those fields: arbitrary
text, 30-digit and negative numbers, `inf`, `nan`, NUL bytes, invalid UTF-8 as
raw bytes, very long strings, out-of-range dates. Each catalogue value is also
an explicit example, posted into every field at once, and a few (NUL, 30
digits, inf, 9999-12-31, 30,000 characters) into each field alone, the others
as the page that holds the form fills them. JSON bodies are sent too.

Who posts: the centre's admin for staff routes (`/c/<slug>/...`, `/account`,
`/logout`), the beneficiary's portal session for `/c/<slug>/p/...`, nobody for
the others (login, signup, personal and employer links). URL parameters are
filled with real ids of one seeded centre, as tests/test_bilans_access.py does.

Asserted for every request: no 5xx; a 4xx leaves the row count of every table
of the centre and of the platform as it was; bytes that are not UTF-8 get a 400
whatever the route (saas/encoding.py). The form layer's refusal of control
characters (saas/forms.py, BaseForm) has its own tests at the end.
"""
from __future__ import annotations

import re
from datetime import UTC, datetime
from html.parser import HTMLParser
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
    "Zoé\x00Martin", "\x01\x1b\x7f", "é" * 100_000, "x" * 20_001, "9999-12-31", "0001-01-01", "31/02/2026",
    "99/99/99999", "<script>alert(1)</script>", "\u202e\ufeff\U0010ffff", b"Zo\xe9 Martin", b"\xed\xa0\x80",
]
JSON = [None, [1, 2], "texte", {"a": {"b": [None]}}]  # None: every field a number
# Into one field alone, the others valid: what reaches the database when the rest of the form passes.
ONE_FIELD = ["Zoé\x00Martin", "9" * 30, "-" + "9" * 30, "inf", "9999-12-31", "x" * 30_000]
MAX_EXAMPLES = 3  # hypothesis examples per route, beyond the explicit catalogue
# Bookkeeping written by any request, refused or not: the login session's last use (docs/SECURITY.md,
# "A copied login cookie"), the log of results opened (docs/SECURITY.md, "Results opened without a trace").
BOOKKEEPING = {"login_session", "access_log"}

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
    """One centre with an object of every kind a POST URL names: (centre, ids, clients by actor)."""
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
    other, other_bilan = portal_bilan(app, lyon, name="Marc Dubois", email="marc@example.fr")
    ids["portal"] = _token(issue(app, lyon, other, other_bilan))  # for the anonymous link routes
    person, bilan_id = portal_bilan(app, lyon, name="Zoé Confiée", email="zc@example.fr")
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
        ids.update(bilan_id=bilan.id, beneficiary_id=bilan.beneficiary_id, session_id=session.id,
                   action_id=action.id, consent_id=given.id, flag_id=flag.id, attendance_id=attendance[0],
                   agreement_bilan=employer.id, person=person)
    with centre_db(app, lyon) as db:  # an issued invoice, for the invoicing routes
        from saas.i18n import paris_today
        from tenants.invoicing import issuing

        billed = build_bilan(db, lyon.owner.id, email="fa@example.fr")
        add_sessions(db, billed, 1)
        ids["invoice_id"] = issuing.issue(db, billed, payer="beneficiary", buyer_name="Zoé Martin",
                                          on=paris_today(), actor="Admin").id
        db.commit()
    with app.test_request_context("/"), centre_db(app, lyon) as db:  # a complaint and an improvement action
        from tenants.complaints import handling
        from tenants.improvement import log

        complaint = handling.file_complaint(db, lyon.model(app), channel="public", email="r@example.fr",
                                            category="other", subject="Objet", text="Texte")
        ids["improvement_id"] = log.add_action(db, source="team", action="Idée").id
        db.commit()
        ids["complaint_id"] = complaint.id
    with app.test_request_context("/"), centre_db(app, lyon) as db:
        employer = db.get(Bilan, ids["agreement_bilan"])
        agreement = drafting.draft_for(employer, centre_name=lyon.name)
        agreement.employer_email = "rh@transports.example"
        drafting.send(db, employer, agreement, centre=lyon.model(app), now=datetime.now(UTC))
        db.commit()
        ids["agreement_id"] = db.exec(select(Agreement.id).where(Agreement.bilan_id == employer.id)).first()[0]
    mail = next(m for m in outbox() if m.body_text and "/convention/" in m.body_text)
    ids["employer"] = _token(re.search(r"/convention/([A-Za-z0-9_-]+)", mail.body_text).group(0))
    # A questionnaire of the centre's own with one question, for the editor's routes.
    created = staff.post(f"/c/{SLUG}/questionnaires/", data={"title": "Mon outil", "paging": "single"})
    ids["questionnaire_id"] = created.headers["Location"].rsplit("/", 1)[1]
    with centre_db(app, lyon) as db:
        section = db.get(Questionnaire, ids["questionnaire_id"]).definition["sections"][0]["id"]
    assert staff.post(f"/c/{SLUG}/questionnaires/{ids['questionnaire_id']}/questions", data={
        "new-type": "short_text", "new-label": "Votre métier ?", "new-section_id": section}).status_code < 400
    with centre_db(app, lyon) as db:
        own = db.get(Questionnaire, ids["questionnaire_id"]).definition
        ids["own_question_id"] = own["sections"][0]["questions"][0]["id"]
    # Last, as it emails the beneficiary a link: the 360° questionnaire with one respondent invited.
    ids["assignment_id"] = assign(app, lyon, bilan_id, "retour_360")
    portal = app.test_client()
    enter(portal, last_link(outbox))
    assert portal.post(f"/c/{SLUG}/p/questionnaires/{ids['assignment_id']}/respondents", data={
        "name": "Alice Martin", "email": "alice@example.fr", "relationship": "collegue"}).status_code == 200
    ids["respondent"] = _token(_link(outbox, "questionnaire_360", "/avis/"))
    with centre_db(app, lyon) as db:
        assignment = db.get(Assignment, ids["assignment_id"])
        definition = db.get(Questionnaire, assignment.questionnaire_id).definition
        ids["question_id"] = definition["sections"][0]["questions"][0]["id"]
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
    if rule.endpoint.startswith("questionnaires."):
        values["question_id"] = ids["own_question_id"]
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


class Json:
    """A JSON body instead of a form: numbers, lists and objects where the fields expect text."""

    def __init__(self, value):
        self.value = value

    def __repr__(self):
        return f"Json({self.value!r})"


def _utf8(value: bytes) -> bool:
    try:
        value.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _short(payload) -> dict:
    if isinstance(payload, Json):
        return {"json": repr(payload.value)[:60]}
    return {name: repr(value)[:40] for name, value in payload.items()}


def _counts(db, tables) -> dict:
    """Row counts of `tables`, in one query."""
    tables = [table for table in tables if table.name not in BOOKKEEPING]
    row = db.execute(select(*(select(func.count()).select_from(table).scalar_subquery() for table in tables))).one()
    return {table.name: n for table, n in zip(tables, row, strict=True)}


def _snapshot(app, centre) -> dict:
    """Row counts of every table of the centre and of the platform, bookkeeping aside."""
    from saas.models import PublicModel
    from saas.tenancy.models import TenantModel

    with centre_db(app, centre) as db:
        state = {("centre", name): n for name, n in _counts(db, TenantModel.metadata.sorted_tables).items()}
    with app.app_context(), app.extensions["db"].public_session() as session:
        public = _counts(session, PublicModel.metadata.sorted_tables)
        state.update({("platform", name): n for name, n in public.items()})
    return state


class Fuzzer:
    """Posts payloads to one route and checks each answer; counts requests and 5xx."""

    def __init__(self, app, centre, clients):
        self.app, self.centre, self.clients = app, centre, clients
        self.requests, self.before = 0, None
        self.failures, self.stored, self.not_400 = [], [], []  # 5xx; changed by a 4xx; bad UTF-8 taken

    def post(self, client, url, payload):
        self.requests += 1
        try:
            if isinstance(payload, Json):
                return client.post(url, json=payload.value)
            return client.post(url, data=_body(payload), content_type="application/x-www-form-urlencoded")
        except Exception as error:  # TESTING propagates what would be a 500
            return error

    def check(self, rule, url, actor, payload):
        if self.before is None:
            self.before = _snapshot(self.app, self.centre)
        response = self.post(self.clients[actor], url, payload)
        if isinstance(response, Exception) or response.status_code >= 500:
            self.before = None
            what = type(response).__name__ if isinstance(response, Exception) else response.status_code
            self.failures.append((rule.endpoint, what, _short(payload)))
            return
        if response.status_code >= 400:
            after = _snapshot(self.app, self.centre)
            changed = [name for name in after if after[name] != self.before.get(name)]
            if changed:
                self.stored.append((rule.endpoint, response.status_code, changed, _short(payload)))
            self.before = after
        else:
            self.before = None  # accepted: it may store what it was given
        if isinstance(payload, Json):
            return
        not_utf8 = [name for name, value in payload.items() if isinstance(value, bytes) and not _utf8(value)]
        if not_utf8 and response.status_code != 400:  # saas/encoding.py, whatever the route
            self.not_400.append((rule.endpoint, response.status_code, not_utf8, _short(payload)))

    def enter_as(self, actor, ids):
        """Log the actor in again: a route fuzzed before may have ended the session or replaced the link."""
        if actor == "staff":
            self.clients["staff"].post("/login", data={"email": self.centre.owner.email,
                                                       "password": self.centre.owner.password})
        elif actor == "portal":
            enter(self.clients["portal"], issue(self.app, self.centre, ids["person"], ids["bilan_id"]))

    def fuzz(self, rule, ids):
        url, actor = _url(rule, ids), _actor(rule)
        self.enter_as(actor, ids)
        self.before = None
        valid = _valid_values(self.clients[actor], url)
        RecordingDict.asked = set()
        self.check(rule, url, actor, valid)
        read = sorted(RecordingDict.asked - {"csrf_token"})
        names = read or ["text"]  # a route that reads no field still gets a body
        # One field hostile, the others as the page fills them: the value goes as far as the form lets it.
        one_field = st.tuples(st.sampled_from(names), hostile).map(lambda pair: {**valid, pair[0]: pair[1]})

        @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(st.one_of(one_field, st.fixed_dictionaries({name: hostile for name in names})))
        def property_(payload):
            self.check(rule, url, actor, payload)

        for value in HOSTILE:
            property_ = example({name: value for name in names})(property_)
        for value in JSON:
            property_ = example(Json(value if value else {name: 99 for name in names}))(property_)
        for name in read:
            for value in ONE_FIELD:
                property_ = example({**valid, name: value})(property_)
        property_()


class _Forms(HTMLParser):
    """The <form method=post> elements of a page: {action: {name: value}} as the browser would post them."""

    def __init__(self):
        super().__init__()
        self.forms, self.current, self.select, self.textarea = {}, None, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self.current = self.forms.setdefault(attrs.get("action") or "", {})
        elif self.current is None:
            return
        elif tag == "input" and attrs.get("name"):
            kind = (attrs.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                self.current.setdefault(attrs["name"], attrs.get("value") or "y")
            elif kind not in ("submit", "button", "file"):
                self.current.setdefault(attrs["name"], attrs.get("value") or "")
        elif tag == "select" and attrs.get("name"):
            self.select = attrs["name"]
        elif tag == "option" and self.select and attrs.get("value"):
            self.current.setdefault(self.select, attrs["value"])
        elif tag == "textarea" and attrs.get("name"):
            self.textarea = attrs["name"]
            self.current.setdefault(self.textarea, "")

    def handle_data(self, data):
        if self.current is not None and self.textarea and not self.current[self.textarea]:
            self.current[self.textarea] = data

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None


def _valid_values(client, url) -> dict:
    """What the page holding the route's form posts, found by GET on the URL or its parents; {} if none."""
    path = url
    while path.count("/") > 1:
        for candidate in (path, path.rstrip("/") + "/"):
            page = client.get(candidate)
            if page.status_code == 200 and page.mimetype == "text/html":
                parser = _Forms()
                parser.feed(page.text)
                for action, fields in parser.forms.items():
                    if action.split("?")[0] == url:
                        return {name: value for name, value in fields.items() if name != "csrf_token"}
        path = path.rstrip("/").rsplit("/", 1)[0]
    return {}


def test_no_post_route_answers_5xx_or_stores_a_refused_value(app, make_centre, add_member, outbox):
    """Hostile values into every field of every POST route of the URL map, as the actor of its class."""
    centre, ids, clients = _seed(app, make_centre, add_member, outbox)
    app.request_class = type("RecordingRequest", (app.request_class,), {"parameter_storage_class": RecordingDict})
    fuzzer, routes = Fuzzer(app, centre, clients), post_routes(app)
    for rule in routes:
        fuzzer.fuzz(rule, ids)
    assert len(routes) > 80 and fuzzer.requests > 2000
    print(f"\n{len(routes)} routes, {fuzzer.requests} requests, {len(fuzzer.failures)} answered 5xx, "
          f"{len(fuzzer.stored)} refused but stored, {len(fuzzer.not_400)} bad UTF-8 not a 400")
    assert not fuzzer.failures, "\n".join(map(str, fuzzer.failures))
    assert not fuzzer.stored, "\n".join(map(str, fuzzer.stored))
    assert not fuzzer.not_400, "\n".join(map(str, fuzzer.not_400))


def test_base_form_refuses_untypable_characters_in_every_field(app, client, make_centre, login):
    """NUL and other control characters: 422 beside the field, nothing stored (PostgreSQL text refuses NUL)."""
    from tenants.beneficiaries.models import Beneficiary

    lyon = make_centre(SLUG)
    login(lyon.owner)
    for name in ("Zoé\x00Martin", "Zoé\x1bMartin", "Zoé\ufffdMartin"):
        page = client.post(f"/c/{SLUG}/beneficiaries/", data={"name": name, "email": "zoe@example.fr",
                                                               "employment_status": "salarie_prive"})
        assert page.status_code == 422, name
        assert 'id="name-error"' in page.text and "caractère invalide" in page.text
    kept = client.post(f"/c/{SLUG}/beneficiaries/", data={"name": "Zoé\tMartin",
                                                           "other_needs": "Ligne 1\r\nLigne 2",
                                                           "email": "zoe@example.fr",
                                                           "employment_status": "salarie_prive"})
    assert kept.status_code == 303  # tab and newlines are typed
    with centre_db(app, lyon) as db:
        assert len(db.exec(select(Beneficiary)).all()) == 1


def test_base_form_refuses_untypable_characters_in_questionnaire_answers(app, client, make_centre, outbox):
    """An answer field reads its own name and the names under it ("a-q-row"): a NUL there is refused too."""
    from portal_helpers import save, stored_answers

    lyon = make_centre(SLUG)
    _person, bilan = portal_bilan(app, lyon)
    aid = assign(app, lyon, bilan, "analyse_demande")
    enter(client, last_link(outbox))
    refused = save(client, SLUG, aid, "debut_souhaite", {"a-debut_souhaite": "01/12/2026\x00"})
    assert refused.status_code == 422
    assert "debut_souhaite" not in stored_answers(app, lyon, aid)


def test_form_routes_read_a_json_body_as_an_empty_form(app, client):
    """Flask-WTF reads JSON as form data (numbers, lists where text is expected: a 500): an empty form here."""
    for body in ({"email": 123, "password": ["x"]}, [1, 2], "texte"):
        assert client.post("/login", json=body).status_code == 422


def test_bytes_that_are_not_utf8_get_a_400_in_french(app, client):
    """In an urlencoded body or a query string, whatever the route (saas/encoding.py)."""
    for path, body in (("/login", b"email=\xff\xfe&password=x"), ("/signup/", b"centre_name=Zo%E9"),
                       ("/login?next=%FF", b"email=a%40b.fr&password=x")):
        page = client.post(path, data=body, content_type="application/x-www-form-urlencoded")
        assert page.status_code == 400 and "encodage invalide" in page.text
    assert client.get("/login?next=%C3%28").status_code == 400
    assert client.post("/login", data={"email": "zoé@example.fr", "password": "x"}).status_code == 422
