"""Public pages: the home page, health check, and the development mailbox."""
