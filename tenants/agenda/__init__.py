"""The consultant's agenda: a week (or a day) of sessions across bilans, and its secret .ics feed."""
