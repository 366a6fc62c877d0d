"""Reminding as such: the centre's timings and texts, and queueing a reminder once.

Each domain says what is due in its own `reminders.py` (sessions, questionnaires,
agreements, bilans' follow-up) and sends through `tenants.reminders.sending`;
jobs/reminders.py only decides when.
"""
