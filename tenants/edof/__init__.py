"""EDOF dossiers of CPF bilans: the state EDOF knows, its business-day deadlines, entry and exit (issue 14)."""
