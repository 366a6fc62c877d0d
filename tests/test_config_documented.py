"""Every setting has a default, a help text, and a line in the README (Datasette's rule)."""
from pathlib import Path

from saas.config import SETTINGS, from_environment

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


def test_every_setting_is_in_the_readme_with_its_default():
    for setting in SETTINGS:
        assert f"| `{setting.name}` |" in README, setting.name
        assert setting.help
        if setting.default:
            assert f"`{setting.default}`" in README, setting.name


def test_environment_overrides_defaults():
    cfg = from_environment({"BASE_URL": "https://bilan.example", "DB_POOL_SIZE": "3"})
    assert cfg["BASE_URL"] == "https://bilan.example" and cfg["DB_POOL_SIZE"] == 3
    assert from_environment({})["DATABASE_URL"].startswith("sqlite:////")  # made absolute
