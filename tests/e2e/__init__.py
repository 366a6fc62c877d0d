"""Browser tests (a package, so that its conftest is `e2e.conftest`, not a second `conftest` module)."""
