"""Complaints (Qualiopi indicator 31): filed by anyone, acknowledged, assigned, answered, closed (docs/RULES.md)."""
