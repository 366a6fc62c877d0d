"""A sealed value read as a column (a Core select, no ORM object) opens only in its own place: the same
table, column and row id bind it as on an attribute read (saas/crypto/fields.py:Sealed.open_read, used by
the dashboard's lists, docs/BENCHMARKS.md "Fifth round")."""
import pytest
from sqlmodel import select

from saas.crypto import DecryptionError
from saas.crypto.fields import getattr_static
from saas.db import read_rows
from tenants.beneficiaries.models import Beneficiary

from bilans_support import centre_db, make_beneficiary

NAME = getattr_static(Beneficiary, "name")


def test_sealed_name_read_as_a_column_opens_only_with_its_own_row_id(app, make_centre):
    centre = make_centre("lyon")
    with centre_db(app, centre) as db:
        zoe = make_beneficiary(db, name="Zoé Martin", email="zoe@example.fr")
        karim = make_beneficiary(db, name="Karim Benali", email="karim@example.fr")
        db.commit()
        rows = dict(read_rows(db, select(Beneficiary.id, Beneficiary.name_ct)))
        keyring = db.info["keyring"]
        assert NAME.open_read(keyring, Beneficiary, rows[zoe.id], zoe.id) == "Zoé Martin"
        assert NAME.open_read(keyring, Beneficiary, rows[karim.id], karim.id) == "Karim Benali"
        assert NAME.open_read(keyring, Beneficiary, None, zoe.id) is None
        with pytest.raises(DecryptionError):  # Zoé's ciphertext presented as Karim's row
            NAME.open_read(keyring, Beneficiary, rows[zoe.id], karim.id)


def test_core_reads_see_the_sessions_pending_changes(app, make_centre):
    """read_rows flushes first, as the ORM's autoflush does: a Core read never misses what the request wrote."""
    centre = make_centre("lyon")
    with centre_db(app, centre) as db:
        person = make_beneficiary(db, name="Zoé Martin", email="zoe@example.fr")
        db.commit()
        person.name = "Zoé Martin-Roux"
        db.add(person)
        (ct,) = read_rows(db, select(Beneficiary.name_ct).where(Beneficiary.id == person.id))[0]
        assert NAME.open_read(db.info["keyring"], Beneficiary, ct, person.id) == "Zoé Martin-Roux"
