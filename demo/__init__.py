"""The demo centre of the quick start (`make run`): "Centre Horizon Carrières", Lyon.

A layer above the features: it builds a realistic centre through the same
public functions the app calls (signup's provisioning, the lifecycle, the
sessions, agreements, synthesis, questionnaires and retention rules), so
encryption and every rule apply to demo data as to any other. Nothing in
saas/, tenants/ or jobs/ imports it except the CLI registration
(saas/cli.py); tests/test_layers.py keeps that true.

One module per job, run in this order by `demo.centre.seed_demo`:
people (staff, beneficiaries), bilans (every state), questionnaires (on the
demo bilans), retention (the closed bilans as the nightly jobs left them).
`demo.cli` is the `flask --app wsgi demo seed` command.
"""
