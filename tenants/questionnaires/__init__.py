"""Questionnaires: the centre's library, authoring, assignment, filling, scoring, charts, export (#6)."""
