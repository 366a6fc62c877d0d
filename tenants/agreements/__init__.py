"""Tripartite agreements (conventions, R6313-8) and their 10-day clock."""
