"""`flask --app wsgi demo seed`: the demo centre (once), its emails delivered, the logins printed."""
from __future__ import annotations

from demo.centre import deliver_demo_mail, print_logins, seed_demo
from saas.commands import DatabaseGroup

demo_cli = DatabaseGroup("demo", help="The demo centre of the quick start.")


@demo_cli.command("seed")
def seed_command():
    """Create the demo centre (once), deliver its emails, print the logins."""
    seed_demo()
    deliver_demo_mail()
    print_logins()


def init_app(app) -> None:
    app.cli.add_command(demo_cli)
