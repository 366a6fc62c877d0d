"""Accounts, memberships of centres, login, invitations, password reset."""
