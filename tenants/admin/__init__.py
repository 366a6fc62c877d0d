"""The centre's administration page: members, invitations, centre details."""
