"""Free text about a person is sealed (issue #12, fault 8).

Every text column (String, Text, AutoString, JSON) of the tenant tables is
either the column of a `Sealed` attribute (bytes, so it is not listed here) or
on the allow-list below, each entry with the reason it may stay in clear. A
new free-text column fails the test until it is sealed or justified here.
"""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import JSON, String, Text
from sqlalchemy.types import TypeDecorator

# Column names that are never free text, whatever the table.
BY_NAME = {
    "id": "random hex id made in Python (saas.tenancy.models.new_id)",
    "retention": "retention class code (working, kept_one_year, follow_up, proof: R6313-7)",
}
BY_SUFFIX = {
    "_id": "an id: a foreign key, or the key scope of a sealed row (tenants/retention/scopes.py)",
    "_hash": "sha256 of a token or code; the token itself is never stored",
    "_sha256": "digest of a sent document (proof that this exact PDF left)",
}
ALLOWED = {
    "centre_logo.content_type": "image/png or image/jpeg, set by tenants/admin/branding.py:checked_logo",
    "beneficiary.email_index": "blind index: HMAC under the centre key, for lookups (docs/SECURITY.md)",
    "beneficiary.employment_status": "enum code (salarié, demandeur d'emploi…)",
    "booking.email_index": "blind index: HMAC under the centre key, for lookups (docs/SECURITY.md)",
    "booking.format": "enum code (in_person, video, phone)",
    "booking.status": "enum code (held, confirmed, cancelled, released)",
    "booking.situation": "enum code (the beneficiary's employment status codes)",
    "booking.funding": "enum code (the bilan's funding codes, or unknown)",
    "destruction_record.stage": "enum code of the destruction stage",
    "destruction_record.rule": "the legal rule applied, written by the system (R6313-7), nothing typed",
    "destruction_record.items": "counts per kind of item destroyed, no content",
    "questionnaire.library_slug": "code of a library questionnaire",
    "questionnaire.title": "the centre's own questionnaire, the same for every beneficiary",
    "questionnaire.description": "the centre's own questionnaire, the same for every beneficiary",
    "questionnaire.kind": "enum code",
    "questionnaire.scoring": "enum code",
    "questionnaire.paging": "enum code",
    "questionnaire.definition": "the centre's questions and scales; answers live in answer.* (sealed)",
    "questionnaire.status": "enum code",
    "retention_flag.key": "idempotency key made of ids and a kind",
    "retention_flag.kind": "enum code",
    "retention_flag.detail": "system message (which rule is due), nothing typed about a person",
    "retention_settings.grace_reason": "the centre's own policy text, not about a person",
    "reminder_settings.reminder_note": "the centre's own policy text, not about a person",
    "reminder_settings.texts": "the centre's own policy texts, not about a person",
    "complaint.channel": "enum code (tenants/complaints/models.py CHANNELS)",
    "complaint.category": "enum code (tenants/complaints/models.py CATEGORIES)",
    "complaint.status": "enum code",
    "complaint_event.kind": "enum code",
    "complaint_event.detail": "system words of tenants/complaints/handling.py (a step, a member's name), never typed",
    "improvement_action.source": "enum code (tenants/improvement/models.py SOURCES)",
    "improvement_action.status": "enum code",
    "bilan.status": "enum code",
    "bilan.phase": "enum code",
    "bilan.funding": "enum code",
    "bilan.format": "enum code",
    "bilan.edof_number": "the CPF file number (EDOF), an identifier needed in clear for invoicing",
    "bilan.employer_name": "an organisation, party to the R6313-8 agreement (destroyed with the bilan)",
    "bilan.employer_siret": "public company identifier (SIRET)",
    "bilan.employer_request_method": "enum code of how the employer was asked (tenants/bilans/working_time.py)",
    "bilan.employer_answer": "enum code of the employer's answer (accepted, refused, tacit)",
    "bilan.checklist": "{item key: timestamp} of the phase checklists (R6313-4), no content",
    "bilan.kept_documents": "kinds of documents kept one year (R6313-7), no content",
    "action_item.status": "enum code",
    "agreement.status": "enum code",
    "agreement.transmission_method": "enum code",
    "agreement.employer_name": "an organisation, party to the agreement and its recipient (R6313-8)",
    "agreement.employer_email": "the employer's address the agreement is sent to, a party to the contract",
    "agreement.title": "contract mention (R6313-8) prefilled from the centre's name",
    "agreement.objective": "contract mention (R6313-8) prefilled from agreements.drafting.DEFAULTS, "
                           "sent to the employer",
    "agreement.content": "contract mention (R6313-8) from the centre's programme, sent to the employer",
    "agreement.means": "contract mention (R6313-8) from the centre's programme, sent to the employer",
    "agreement.running_and_followup": "contract mention (R6313-8) from the centre's programme",
    "agreement.results_handover": "contract mention (R6313-8, L6313-4) from the centre's programme",
    "agreement.payment_terms": "contract mention (R6313-8), the centre's terms",
    "synthesis.status": "enum code",
    "bilan_session.kind": "enum code",
    "bilan_session.format": "enum code",
    "bilan_session.status": "enum code",
    "consent.kind": "enum code",
    "consent.recipient_kind": "enum code",
    "consent.recipient_name": "the professional the beneficiary agreed to send the synthesis to (proof, L6313-4)",
    "consent.recipient_email": "that professional's address (proof of the recorded consent)",
    "consent.method": "enum code",
    "consent.ip": "evidence of an electronic consent, kept as proof",
    "consent.user_agent": "evidence of an electronic consent, kept as proof",
    "history_event.kind": "enum code",
    "history_event.actor": "a staff member's name or a fixed label (tenants/history/actors.py)",
    "history_event.detail": "fixed sentences written by the rules; never typed text (see the test below)",
    "keeping_agreement.documents": "kinds of documents kept, no content",
    "keeping_agreement.method": "enum code",
    "keeping_agreement.ip": "evidence of an electronic agreement, kept as proof",
    "keeping_agreement.user_agent": "evidence of an electronic agreement, kept as proof",
    "keeping_agreement.evidence_type": "MIME type of the sealed scan",
    "agreement_sending.purpose": "enum code",
    "agreement_sending.recipient_role": "enum code",
    "agreement_sending.sent_by": "a staff member's name or the employer's (history actor)",
    "attendance.confirmed_ip": "evidence of an electronic attendance signature, kept as proof",
    "attendance.confirmed_user_agent": "evidence of an electronic attendance signature, kept as proof",
    "attendance.method": "enum code",
    "disclosure.recipient_kind": "enum code",
    "disclosure.recipient_name": "the professional the synthesis was sent to (proof, L6313-4)",
    "disclosure.recipient_email": "that professional's address (proof of the sending)",
    "respondent.relationship": "enum code of a 360° respondent's relation",
    "access_log.kind": "enum code of what was opened (tenants/access_log/log.py KINDS), no content",
    "invoice_counter.series": "numbering series code (FA, AV): tenants/bilans/numbering.py",
    "invoice_settings.vat_exemption": "enum code of the VAT exemption mention the centre chose",
    "invoice.kind": "enum code (invoice, credit note)",
    "invoice.series": "numbering series code (FA, AV)",
    "invoice.payer": "enum code of the payer category (CPF, OPCO, employer…)",
    "invoice.buyer_siret": "public company identifier (SIRET) of the buyer, a mandatory invoice mention",
    "invoice.description": "the fixed service line, or a credit note's reference to its invoice and why "
                           "(an accounting mention kept 10 years, L123-22; the buyer's name and address are sealed)",
    "invoice.vat_mention": "the legal VAT mention printed, chosen from a list",
    "invoice.edof_number": "the CPF file number (EDOF), an identifier needed in clear for invoicing",
    "payment.method": "enum code (transfer, cheque, card…)",
    "edof_dossier.number": "the CPF file number (EDOF), an identifier shared with the Caisse des Dépôts",
    "edof_dossier.state": "EDOF state code (notProcessed, accepted…)",
    "edof_dossier.exit_reason": "enum code of the exit reason EDOF asks for",
    "edof_event.from_state": "EDOF state code",
    "edof_event.to_state": "EDOF state code",
    "edof_event.actor": "a staff member's name or a fixed label (tenants/history/actors.py)",
    "edof_import_mapping.columns": "the headers of EDOF's export ({field: column name}), no content",
    "edof_import_mapping.confirmed_by": "a staff member's name (history actor)",
    "edof_connector.base_url": "the synchronisation service's API address (the key and secret are sealed)",
    "edof_delivery.delivery": "the webhook delivery's id sent by the service (replay guard), no content",
    "edof_delivery.event": "the webhook's event code (registrationFolder.updated…)",
    "edof_declaration.kind": "EDOF state code declared (inTraining, serviceDoneDeclared)",
    "edof_declaration.status": "enum code",
    "edof_declaration.failure": "a fixed French sentence with an HTTP status at most (tenants/edof/wedof.py), "
                                "never the service's reply",
    "public_page_settings.methods": "text the centre publishes on its public page (Qualiopi 1): public by purpose",
    "public_page_settings.access_modalities": "text the centre publishes on its public page: public by purpose",
    "public_page_settings.places": "the centre's public addresses, published on its public page",
    "public_page_version.content_hash": "SHA-256 of a public page version's content",
    "public_page_version.content": "what the public page said (Qualiopi 1): public by purpose, no person in it "
                                   "(tenants/public_page/content.py)",
    "published_results.figures": "counts, rates and averages the centre published (Qualiopi 2), none from fewer "
                                 "than 5 answers (tenants/results/figures.py)",
}


def _is_text(column) -> bool:
    kind = column.type.impl if isinstance(column.type, TypeDecorator) else column.type
    return isinstance(kind, (String, Text, JSON)) or isinstance(column.type, (String, JSON))


def _clear_text_columns(app) -> list[str]:
    from saas.tenancy.models import TenantModel

    with app.app_context():
        return [f"{table.name}.{column.name}" for table in TenantModel.metadata.sorted_tables
                for column in table.columns if _is_text(column)]


def _justified(name: str) -> bool:
    column = name.split(".", 1)[1]
    return name in ALLOWED or column in BY_NAME or any(column.endswith(s) for s in BY_SUFFIX)


def test_every_text_column_of_a_tenant_table_is_sealed_or_justified(sqlite_app):
    unjustified = [name for name in _clear_text_columns(sqlite_app) if not _justified(name)]
    assert unjustified == [], f"seal these (saas.crypto.fields.Sealed) or justify them in ALLOWED: {unjustified}"


def test_the_allow_list_names_only_columns_that_exist_in_clear(sqlite_app):
    stale = set(ALLOWED) - set(_clear_text_columns(sqlite_app))
    assert stale == set(), f"no longer a clear text column, remove from ALLOWED: {sorted(stale)}"


def test_sealed_attributes_store_bytes_and_cover_the_free_text_fields(sqlite_app):
    from sqlalchemy import LargeBinary

    from saas.crypto.fields import Sealed
    from saas.tenancy.models import TenantModel

    sealed = set()
    with sqlite_app.app_context():
        for mapper in TenantModel._sa_registry.mappers:
            for name, value in vars(mapper.class_).items():
                if isinstance(value, Sealed):
                    column = mapper.columns[f"{name}_ct"]
                    assert isinstance(column.type, LargeBinary), (mapper.class_.__name__, name)
                    sealed.add(f"{mapper.local_table.name}.{column.name}")
    assert {"bilan.closing_reason", "agreement.refusal_reason", "keeping_agreement.evidence_filename"} <= sealed


def test_a_refusal_reason_is_stored_sealed_and_never_copied_in_clear(app, make_centre, add_member):
    """The employee's reason for refusing the agreement: sealed on the agreement, absent from the history."""
    from sqlmodel import select

    from tenants.agreements import signing
    from tenants.agreements.models import Agreement
    from tenants.history.models import HistoryEvent

    from jobs_support import add_bilan, in_centre, paris

    centre = make_centre("lyon")
    consultant = add_member(centre)
    bilan_id = add_bilan(app, centre, consultant_id=consultant.id, status="quoted")
    reason = "Souhaite d'abord régler un conflit avec sa responsable"
    now = paris(2027, 5, 3, 9, 30)

    def refuse(db, _centre):
        from tenants.bilans.models import Bilan

        bilan = db.get(Bilan, bilan_id)
        agreement = Agreement(bilan_id=bilan_id, employer_name="Transports RA", status="sent",
                              transmitted_on=(now - timedelta(days=2)).date())
        db.add(agreement)
        db.flush()
        signing.refuse(db, agreement, bilan, now=now, reason=reason, actor=None)
        db.flush()
        return agreement.id

    agreement_id = in_centre(app, centre, refuse)

    def read(db, _centre):
        raw = db.connection().execute(select(Agreement.__table__.c.refusal_reason)
                                      .where(Agreement.__table__.c.id == agreement_id)).scalar_one()
        details = [e.detail for e in db.exec(select(HistoryEvent).where(HistoryEvent.bilan_id == bilan_id))]
        return raw, db.get(Agreement, agreement_id).refusal_reason, details

    raw, opened, details = in_centre(app, centre, read)
    assert isinstance(raw, bytes) and reason.encode() not in raw
    assert opened == reason
    assert details and all(reason not in d for d in details)
