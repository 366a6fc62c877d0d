"""The Qualiopi audit board and audit pack: they gather every feature's audit hooks (saas/audit.py)."""
