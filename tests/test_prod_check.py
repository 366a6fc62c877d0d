"""`flask prod-check` (saas/prodcheck.py): the sample passes; each bad configuration fails with its line."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from saas import config as settings
from saas.prodcheck import problems, read_env_file

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "deploy" / "bilan.env.sample"


@pytest.fixture
def good(tmp_path):
    """The sample, with its master key file made real here (mode 600)."""
    environ = read_env_file(SAMPLE)
    key = tmp_path / "master.key"
    key.write_text("a2V5\n")
    key.chmod(0o600)
    environ["MASTER_KEY_FILE"] = str(key)
    return environ


def test_the_sample_env_file_lists_exactly_the_settings_config_reads():
    assert set(read_env_file(SAMPLE)) == {s.name for s in settings.SETTINGS}


def test_the_sample_configuration_passes(good):
    assert problems(good) == []


def test_make_prod_check_passes_on_the_sample():
    result = subprocess.run(["make", "-s", "prod-check", "VENV=" + str(Path(sys.executable).parent.parent)],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "configuration de production correcte" in result.stdout


def _fails_with(environ, fragment, *, check_files=True):
    found = problems(environ, check_files=check_files)
    assert any(fragment in line for line in found), found
    return found


@pytest.mark.parametrize("change, fragment", [
    ({"SECRET_KEY": ""}, "SECRET_KEY est vide : il serait généré"),
    ({"SECRET_KEY": "short"}, "SECRET_KEY est trop court"),
    ({"MASTER_KEY_FILE": ""}, "MASTER_KEY_FILE est celui du démarrage rapide"),
    ({"DATABASE_URL": "sqlite:///instance/bilan.db", "KEYSTORE_URL": "sqlite:///instance/keystore.db"},
     "DATABASE_URL est une base SQLite"),
    ({"KEYSTORE_URL": "postgresql+psycopg://other:pw@127.0.0.1:6432/bilan"},
     "KEYSTORE_URL désigne la même base que DATABASE_URL"),
    ({"BASE_URL": "http://bilan.example.fr"}, "BASE_URL http://bilan.example.fr n'est pas en https://"),
    ({"BASE_URL": ""}, "BASE_URL est vide"),
    ({"RATELIMIT_STORAGE_URI": "memory://"}, "RATELIMIT_STORAGE_URI est memory:// avec 5 workers"),
    ({"MAIL_URL": "file:///var/mail/bilan"}, "n'est pas un serveur SMTP"),
    ({"SCHEDULER_IN_PROCESS": "1"}, "SCHEDULER_IN_PROCESS=1"),
    ({"ENCRYPTION_ENABLED": "0"}, "ENCRYPTION_ENABLED=0"),
    ({"ARGON2_PROFILE": "fast"}, "ARGON2_PROFILE"),
    ({"KEYSTORE_BACKUP_DIR": "/var/backups/bilan/data"}, "DATA_BACKUP_DIR et KEYSTORE_BACKUP_DIR"),
    ({"DIRECT_DATABASE_URL": ""}, "sans DIRECT_DATABASE_URL"),
    ({"DB_PREPARED_STATEMENTS": "1"}, "DB_PREPARED_STATEMENTS=1 derrière pgbouncer"),
    ({"SWEEP_PROCESSES": "0"}, "SWEEP_PROCESSES='0' : il faut au moins 1 processus."),
    ({"SWEEP_PROCESSES": "deux"}, "SWEEP_PROCESSES='deux' n'est pas un nombre entier de processus."),
])
def test_each_bad_configuration_fails_with_its_message(good, change, fragment):
    _fails_with({**good, **change}, fragment)


def test_a_master_key_file_readable_by_others_fails(good):
    Path(good["MASTER_KEY_FILE"]).chmod(0o644)
    _fails_with(good, "est lisible par d'autres que son propriétaire (mode 644)")


def test_a_missing_master_key_file_fails(good, tmp_path):
    _fails_with({**good, "MASTER_KEY_FILE": str(tmp_path / "absent.key")}, "n'existe pas")


def test_a_direct_postgresql_needs_neither_direct_url_nor_disabled_prepared_statements(good):
    direct = good["DATABASE_URL"].replace(":6432/", ":5432/")
    assert problems({**good, "DATABASE_URL": direct, "DIRECT_DATABASE_URL": "", "DB_PREPARED_STATEMENTS": "1"}) == []


def test_memory_rate_limits_pass_with_one_worker_only(good):
    assert problems({**good, "RATELIMIT_STORAGE_URI": "memory://", "WEB_CONCURRENCY": "1"}) == []


def test_the_command_prints_one_line_per_problem_and_exits_non_zero(tmp_path, good):
    bad = tmp_path / "bad.env"
    environ = {**good, "BASE_URL": "http://x.example", "SCHEDULER_IN_PROCESS": "1"}
    bad.write_text("".join(f"{k}={v}\n" for k, v in environ.items()))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-m", "saas.prodcheck", str(bad)], cwd=ROOT, env=env,
                            capture_output=True, text=True)
    assert result.returncode == 1
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 2 and "BASE_URL" in lines[0] and "SCHEDULER_IN_PROCESS" in lines[1]


def test_flask_prod_check_reads_an_env_file(app, tmp_path, good):
    bad = tmp_path / "bad.env"
    bad.write_text("".join(f"{k}={v}\n" for k, v in {**good, "MAIL_URL": "file://mail"}.items()))
    result = app.test_cli_runner().invoke(args=["prod-check", "--env-file", str(bad)])
    assert result.exit_code == 1 and "n'est pas un serveur SMTP" in result.output
    good_file = tmp_path / "good.env"
    good_file.write_text("".join(f"{k}={v}\n" for k, v in good.items()))
    result = app.test_cli_runner().invoke(args=["prod-check", "--env-file", str(good_file)])
    assert result.exit_code == 0, result.output
