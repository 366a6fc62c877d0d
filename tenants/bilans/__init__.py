"""Bilans: one engagement per beneficiary, from the prior interview to the hand-over."""
