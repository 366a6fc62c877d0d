"""The bilan's logbook of events (history): what happened, never what was said."""
