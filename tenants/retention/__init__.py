"""Retention and destruction (R6313-7, Caisse des Dépôts CGU 7-3): settings, records, flags."""
