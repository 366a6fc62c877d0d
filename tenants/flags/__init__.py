"""Flags to consultants: something a person must look at, raised once by a rule, resolved by hand or when its
cause is gone."""
