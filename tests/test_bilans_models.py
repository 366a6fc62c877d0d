"""The core tables exist in every centre and seal what they must."""
from sqlmodel import select

from saas.tenancy import tenant_session


def test_beneficiary_and_bilan_round_trip_sealed(app, make_centre):
    from tenants.beneficiaries.models import Beneficiary, email_index
    from tenants.bilans.models import Bilan
    from tenants.history.models import HistoryEvent, record

    centre = make_centre("lyon")
    with app.app_context():
        with tenant_session(centre.model(app)) as db:
            person = Beneficiary(name="Zoé Martin", email="zoe@example.fr",
                                 email_index=email_index(db, "Zoe@example.fr "))
            db.add(person)
            db.flush()
            bilan = Bilan(beneficiary_id=person.id, consultant_id=centre.owner.id, prior_notes="secret")
            db.add(bilan)
            db.flush()
            record(db, bilan.id, "created")
            db.commit()
        with tenant_session(centre.model(app)) as db:
            found = db.exec(select(Beneficiary)
                            .where(Beneficiary.email_index == email_index(db, "zoe@example.fr"))).one()
            assert found.name == "Zoé Martin"
            assert "Zoé Martin".encode() not in found.name_ct  # the whole name: two bytes would match random ciphertext
            assert db.exec(select(Bilan)).one().prior_notes == "secret"
            assert db.exec(select(HistoryEvent)).one().kind == "created"
