"""Centres: the tenants of the platform."""
