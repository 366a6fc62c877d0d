"""The synthesis (document de synthèse), its comments and disclosures."""
