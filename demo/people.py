"""The people of the demo centre: four staff, twelve beneficiaries and a caseload of thirty (invented, no real data).

Staff get their accounts and memberships the way an admin's invitation makes
them; beneficiaries go through `tenants.beneficiaries.registry.create`, so
their names and emails are sealed like anyone's.
"""
from __future__ import annotations

from sqlmodel import Session, select

from saas.accounts.models import Account, Membership
from tenants.beneficiaries import registry

PASSWORD = "horizon-demo-2026"
STAFF = (
    # key, name, email, role
    ("admin", "Claire Martin", "claire.martin@horizon-carrieres.example", "admin"),
    ("consultant", "Julien Bernard", "julien.bernard@horizon-carrieres.example", "consultant"),
    ("part_time", "Sophie Lefèvre", "sophie.lefevre@horizon-carrieres.example", "consultant"),
    # A full caseload of 30 open bilans, to show the dashboard's triage (demo/caseload.py, issue #13).
    ("caseload", "Nicolas Perrin", "nicolas.perrin@horizon-carrieres.example", "consultant"),
)

PEOPLE = {
    # key: (name, email, employment status, accommodations)
    "prior_waiting": ("Nadia Benali", "nadia.benali@example.org", "salarie_prive", {}),
    "prior_quoted": ("Thomas Girard", "thomas.girard@example.org", "independant", {}),
    "cpf_preliminary": ("Camille Roux", "camille.roux@example.org", "salarie_prive", {}),
    "employer_day8": ("Marc Dubois", "marc.dubois@example.org", "salarie_prive", {}),
    "refused_silence": ("Élodie Petit", "elodie.petit@example.org", "salarie_prive", {}),
    "investigation_public": ("Sarah Lambert", "sarah.lambert@example.org", "agent_public", {}),
    "investigation_near_24h": ("Lucas Moreau", "lucas.moreau@example.org", "demandeur_emploi", {}),
    "investigation_accommodations": ("Isabelle Fontaine", "isabelle.fontaine@example.org", "salarie_prive",
                                     {"large_text": True, "short_sessions": True,
                                      "other_needs": "Fatigabilité : pauses toutes les 30 minutes."}),
    "conclusion_draft": ("Hugo Chevalier", "hugo.chevalier@example.org", "independant", {}),
    "closed_last_week": ("Léa Garnier", "lea.garnier@example.org", "salarie_prive", {}),
    "closed_six_months": ("Antoine Robert", "antoine.robert@example.org", "salarie_prive", {}),
    "closed_over_a_year": ("Mathilde Faure", "mathilde.faure@example.org", "agent_public", {}),
    # demo/working_time.py: a CPF bilan on working time awaiting the employer's answer (R6323-4).
    "cpf_working_time": ("Karim Haddad", "karim.haddad@example.org", "salarie_prive", {}),
}

# Nicolas Perrin's caseload (demo/caseload.py): thirty more, keyed caseload_<situation>.
CASELOAD = {
    "caseload_prior_1": ("Yasmine Bouaziz", "yasmine.bouaziz@example.org", "salarie_prive", {}),
    "caseload_prior_2": ("Olivier Lemaire", "olivier.lemaire@example.org", "salarie_prive", {}),
    "caseload_quoted_1": ("Chloé Marchal", "chloe.marchal@example.org", "salarie_prive", {}),
    "caseload_quoted_2": ("Damien Colin", "damien.colin@example.org", "salarie_prive", {}),
    "caseload_agreement_day2": ("Laure Vasseur", "laure.vasseur@example.org", "salarie_prive", {}),
    "caseload_agreement_day6": ("Romain Aubert", "romain.aubert@example.org", "salarie_prive", {}),
    "caseload_agreement_day9": ("Fatou Diallo", "fatou.diallo@example.org", "salarie_prive", {}),
    "caseload_agreement_employer": ("Grégoire Caron", "gregoire.caron@example.org", "salarie_prive", {}),
    "caseload_prelim_consent_1": ("Manon Leclerc", "manon.leclerc@example.org", "salarie_prive", {}),
    "caseload_prelim_consent_2": ("Kevin Marty", "kevin.marty@example.org", "salarie_prive", {}),
    "caseload_prelim_today": ("Aurélie Besson", "aurelie.besson@example.org", "salarie_prive", {}),
    "caseload_prelim_2": ("Samir Khelifi", "samir.khelifi@example.org", "salarie_prive", {}),
    "caseload_prelim_3": ("Pauline Gauthier", "pauline.gauthier@example.org", "salarie_prive", {}),
    "caseload_inv_today_1": ("Julie Brunet", "julie.brunet@example.org", "salarie_prive", {}),
    "caseload_inv_today_2": ("Mehdi Saïdi", "mehdi.saidi@example.org", "salarie_prive", {}),
    "caseload_inv_today_3": ("Anne-Sophie Roche", "annesophie.roche@example.org", "salarie_prive", {}),
    "caseload_inv_unsigned_late": ("Bruno Lacroix", "bruno.lacroix@example.org", "salarie_prive", {}),
    "caseload_inv_unsigned_recent": ("Émilie Dufour", "emilie.dufour@example.org", "salarie_prive", {}),
    "caseload_inv_near_24h": ("Vincent Rivière", "vincent.riviere@example.org", "salarie_prive", {}),
    "caseload_inv_overdue_1": ("Sandrine Morel", "sandrine.morel@example.org", "salarie_prive", {}),
    "caseload_inv_overdue_2": ("Loïc Fabre", "loic.fabre@example.org", "salarie_prive", {}),
    "caseload_inv_due_week": ("Céline Barbier", "celine.barbier@example.org", "salarie_prive", {}),
    "caseload_inv_1": ("Jérôme Picard", "jerome.picard@example.org", "salarie_prive", {}),
    "caseload_inv_2": ("Nathalie Renard", "nathalie.renard@example.org", "salarie_prive", {}),
    "caseload_inv_3": ("Florian Girault", "florian.girault@example.org", "salarie_prive", {}),
    "caseload_concl_short": ("Karine Meunier", "karine.meunier@example.org", "salarie_prive", {}),
    "caseload_concl_1": ("Stéphane Huet", "stephane.huet@example.org", "salarie_prive", {}),
    "caseload_concl_2": ("Valérie Lebrun", "valerie.lebrun@example.org", "salarie_prive", {}),
    "caseload_concl_3": ("Thierry Mallet", "thierry.mallet@example.org", "salarie_prive", {}),
    "caseload_concl_4": ("Agathe Perrot", "agathe.perrot@example.org", "salarie_prive", {}),
}


def add_staff(db: Session, centre, password_hash: str) -> None:
    """The two consultants next to the admin the centre was created with."""
    for _key, name, email, role in STAFF[1:]:
        account = Account(email=email, name=name, password_hash=password_hash)
        db.add(account)
        db.flush()
        db.add(Membership(account_id=account.id, centre_id=centre.id, role=role))


def staff_accounts(db: Session) -> dict[str, Account]:
    """STAFF key -> account, for the staff that exist."""
    found = {}
    for key, _name, email, _role in STAFF:
        account = db.exec(select(Account).where(Account.email == email)).first()
        if account is not None:
            found[key] = account
    return found


def consultant(ctx: dict, key: str) -> Account:
    """The staff member `key`, else the full-time consultant, else the admin (a centre with fewer staff)."""
    staff = ctx["staff"]
    return staff.get(key) or staff.get("consultant") or staff.get("admin")


def person(db: Session, ctx: dict, key: str, follower: Account):
    """The beneficiary of situation `key` (found again by email on a rerun), noted in ctx["beneficiaries"]."""
    name, email, status, extra = PEOPLE[key] if key in PEOPLE else CASELOAD[key]
    found = registry.find_by_email(db, email) or registry.create(
        db, name=name, email=email, phone="06 00 00 00 00", employment_status=status, consultant_id=follower.id,
        **extra)
    ctx["beneficiaries"][key] = found.id
    return found
