"""Sessions (séances) of a bilan, their hours against 24 h, and attendance records."""
