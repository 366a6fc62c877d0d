"""The free prior interview booked online from the centre's public pages (issue 16)."""
