"""Beneficiaries (bénéficiaires): the people who do a bilan."""
