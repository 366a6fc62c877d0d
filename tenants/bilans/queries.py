"""Reads of bilans for staff: the list page (search, filters, sort, pages) and a beneficiary's bilans.

Who may open one bilan: tenants/bilans/access.py (`only_visible`, the same rule in SQL).
Names are sealed, so the search and the sort by name run in Python over the
member's visible bilans after decryption: a centre holds hundreds of bilans, not
millions. The number of statements stays fixed whatever the number of bilans
(one for bilans and their beneficiaries, one for their sessions' hours, one for
their next sessions, one for the consultants' names on an admin's list):
tests/test_bilans_list.py counts them.
"""
from __future__ import annotations

import math
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlmodel import Session, select

from saas.accounts.models import Account, Membership
from saas.accounts.roles import sees_every_bilan
from saas.models import utcnow
from tenants.beneficiaries.models import Beneficiary
from tenants.bilans.access import only_visible
from tenants.bilans.models import CLOSED_STATUSES, FUNDINGS, OPEN_STATUSES, PHASE_ORDER, PHASES, Bilan
from tenants.sessions.hours import Hours, hours_of_many
from tenants.sessions.models import BilanSession

PAGE_SIZE = 25
SEARCH_MAX = 100  # longer than any name: cut, never refused
STATES = {"open": "En cours ou à venir", "closed": "Terminés ou arrêtés", "all": "Tous"}
SORTS = {"name": "Bénéficiaire", "phase": "Phase", "next": "Prochaine séance", "hours": "Heures réalisées",
         "activity": "Dernière activité"}
DIRECTIONS = ("asc", "desc")
DEFAULT = {"sort": "activity", "dir": "desc", "state": "open"}
# A bilan's place along its course, for the sort by phase: before the start by status, then the phases.
_STAGES = {status: i for i, status in enumerate(("prior_interview", "quoted", "awaiting_agreement"))}
_STAGES.update({f"active:{phase}": 3 + i for i, phase in enumerate(PHASE_ORDER)})


@dataclass(frozen=True)
class ListQuery:
    """What the list shows, from the URL's GET parameters; every unknown value gives the default."""
    q: str = ""
    phase: str = ""
    funding: str = ""
    consultant: int | None = None  # admins only: bilan_scope decides for a consultant
    state: str = DEFAULT["state"]
    sort: str = DEFAULT["sort"]
    dir: str = DEFAULT["dir"]
    page: int = 1

    def args(self, **changes) -> dict:
        """GET parameters of this state with `changes`, defaults left out (short, bookmarkable URLs)."""
        state = replace(self, **changes)
        values = {"q": state.q, "phase": state.phase, "funding": state.funding, "consultant": state.consultant,
                  "status": state.state if state.state != DEFAULT["state"] else "",
                  "sort": state.sort if state.sort != DEFAULT["sort"] else "",
                  "dir": state.dir if state.dir != _default_dir(state.sort) else "",
                  "page": state.page if state.page != 1 else None}
        return {key: value for key, value in values.items() if value not in ("", None)}

    def sort_args(self, key: str) -> dict:
        """The URL of a column header: sort by `key`, the other way round if it already is, page 1."""
        if key == self.sort:
            return self.args(dir="asc" if self.dir == "desc" else "desc", page=1)
        return self.args(sort=key, dir=_default_dir(key), page=1)

    def aria_sort(self, key: str) -> str:
        return ("ascending" if self.dir == "asc" else "descending") if key == self.sort else "none"


def _default_dir(sort: str) -> str:
    return "desc" if sort in ("activity", "hours") else "asc"


def _int(value, default=None):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def parse_query(args: Mapping, *, admin: bool) -> ListQuery:
    """The list's state from GET parameters; hostile or unknown values fall back to the defaults."""
    sort = args.get("sort", "")
    sort = sort if sort in SORTS else DEFAULT["sort"]
    direction = args.get("dir", "")
    page = _int(args.get("page"), 1)
    consultant = _int(args.get("consultant")) if admin else None
    return ListQuery(q=(args.get("q") or "").strip()[:SEARCH_MAX],
                     phase=args.get("phase", "") if args.get("phase", "") in PHASES else "",
                     funding=args.get("funding", "") if args.get("funding", "") in FUNDINGS else "",
                     consultant=consultant if consultant and 0 < consultant < 2**31 else None,
                     state=args.get("status", "") if args.get("status", "") in STATES else DEFAULT["state"],
                     sort=sort, dir=direction if direction in DIRECTIONS else _default_dir(sort),
                     page=page if 0 < page < 10**6 else 1)


def folded(text: str) -> str:
    """Lowercase without accents: "Élodie" sorts with "elodie", and "zoe" finds "Zoé"."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@dataclass
class BilanRow:
    bilan: Bilan
    beneficiary: Beneficiary
    hours: Hours | None = None
    next_session: BilanSession | None = None
    consultant_name: str = ""

    @property
    def stage(self) -> int:
        b = self.bilan
        key = f"active:{b.phase}" if b.status == "active" else b.status
        return _STAGES.get(key, len(_STAGES) + 1)


@dataclass
class BilanList:
    rows: list[BilanRow]
    query: ListQuery
    total: int
    pages: int
    consultants: list = field(default_factory=list)  # (id, name) for the admin's filter

    @property
    def first(self) -> int:
        return (self.query.page - 1) * PAGE_SIZE + 1 if self.total else 0

    @property
    def last(self) -> int:
        return min(self.query.page * PAGE_SIZE, self.total)


def _sort_key(sort: str):
    far = datetime.max.replace(tzinfo=None)
    keys = {
        "name": lambda r: folded(r.beneficiary.name),
        "phase": lambda r: (r.stage, folded(r.beneficiary.name)),
        # No planned session: after those with one, whichever the direction (handled below).
        "next": lambda r: r.next_session.starts_at.replace(tzinfo=None) if r.next_session else far,
        "hours": lambda r: r.hours.done_total if r.hours else 0,
        "activity": lambda r: r.bilan.last_activity_at.replace(tzinfo=None),
    }
    return keys[sort]


def bilan_list(db: Session, centre_id: int, membership, query: ListQuery, *, now: datetime | None = None) -> BilanList:
    """The page of bilans this member may see (tenants/bilans/access.py:only_visible), filtered and sorted."""
    now = now or utcnow()
    statement = only_visible(select(Bilan, Beneficiary).join(Beneficiary, Beneficiary.id == Bilan.beneficiary_id),
                             membership)
    if query.consultant is not None:
        statement = statement.where(Bilan.consultant_id == query.consultant)
    if query.state == "open":
        statement = statement.where(Bilan.status.in_(OPEN_STATUSES))
    elif query.state == "closed":
        statement = statement.where(Bilan.status.in_(CLOSED_STATUSES))
    if query.phase:
        statement = statement.where(Bilan.phase == query.phase, Bilan.status == "active")
    if query.funding:
        statement = statement.where(Bilan.funding == query.funding)
    rows = [BilanRow(b, p) for b, p in db.exec(statement).all()]
    if query.q:
        needle = folded(query.q)
        rows = [r for r in rows if needle in folded(r.beneficiary.name)]
    if rows:
        # One statement for every row's sessions: hours and the next planned one.
        hours = hours_of_many(db, [r.bilan for r in rows])
        upcoming = select(BilanSession).where(BilanSession.bilan_id.in_([r.bilan.id for r in rows]),
                                              BilanSession.status == "planned", BilanSession.starts_at >= now)
        first: dict[str, BilanSession] = {}
        for session in db.exec(upcoming.order_by(BilanSession.starts_at)).all():
            first.setdefault(session.bilan_id, session)
        for row in rows:
            row.hours, row.next_session = hours[row.bilan.id], first.get(row.bilan.id)
    consultants = _consultants(db, centre_id) if sees_every_bilan(membership) else []
    names = dict(consultants)
    for row in rows:
        row.consultant_name = names.get(row.bilan.consultant_id, "")
    key = _sort_key(query.sort)
    rows.sort(key=key, reverse=query.dir == "desc")
    if query.sort == "next":
        rows.sort(key=lambda r: r.next_session is None)  # stable: keeps the order within each group
    pages = max(1, math.ceil(len(rows) / PAGE_SIZE))
    query = replace(query, page=min(query.page, pages))
    start = (query.page - 1) * PAGE_SIZE
    return BilanList(rows[start:start + PAGE_SIZE], query, len(rows), pages, consultants)


def _consultants(db: Session, centre_id: int) -> list[tuple[int, str]]:
    """(account id, name) of the centre's members, for the admin's filter and the consultant column."""
    rows = db.exec(select(Account.id, Account.name).join(Membership, Membership.account_id == Account.id)
                   .where(Membership.centre_id == centre_id).order_by(Account.name)).all()
    return [(account_id, name) for account_id, name in rows]


def bilans_of(db: Session, beneficiary_id: str) -> list[Bilan]:
    return list(db.exec(select(Bilan).where(Bilan.beneficiary_id == beneficiary_id)
                        .order_by(Bilan.created_at.desc())).all())
