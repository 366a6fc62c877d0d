"""The centre's home page for staff."""
