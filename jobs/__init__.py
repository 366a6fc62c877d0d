"""Scheduled jobs: periodic sweeps over every centre, and their CLI."""
