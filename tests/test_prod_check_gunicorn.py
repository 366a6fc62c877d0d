"""deploy/gunicorn.conf.py serves the app with the settings DEPLOY.md describes, tokens masked in its access log."""
from __future__ import annotations

import os
import runpy
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "deploy" / "gunicorn.conf.py"


@pytest.fixture
def backend():
    return "sqlite"


def test_the_production_gunicorn_settings(monkeypatch):
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    settings = runpy.run_path(str(CONFIG))
    assert settings["workers"] == 3 and settings["threads"] >= 2 and settings["worker_class"] == "gthread"
    assert settings["timeout"] == 30 and settings["logger_class"] == "saas.logs.GunicornLogger"
    assert settings["bind"] == "127.0.0.1:8000" and settings["accesslog"] == "/var/log/bilan/access.log"
    monkeypatch.delenv("WEB_CONCURRENCY")
    assert runpy.run_path(str(CONFIG))["workers"] == 2 * os.cpu_count() + 1


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_gunicorn_with_the_production_config_masks_tokens_in_its_access_log(app, tmp_path):
    token = "Zx9tokenThatMustNeverBeLogged0123456789abcd"
    port = _free_port()
    access, errors = tmp_path / "access.log", tmp_path / "error.log"
    env = dict(os.environ, DATABASE_URL=app.config["DATABASE_URL"], KEYSTORE_URL=app.config["KEYSTORE_URL"],
               MASTER_KEY=app.config["MASTER_KEY"], SECRET_KEY="test-secret", MAIL_URL=app.config["MAIL_URL"],
               ARGON2_PROFILE="fast", SCHEDULER_IN_PROCESS="0", BASE_URL="http://localhost",
               BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY="1", ACCESS_LOG=str(access), ERROR_LOG=str(errors))
    env.pop("GUNICORN_CMD_ARGS", None)
    process = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", str(CONFIG), "wsgi:app"], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 90
        while _get_or_none(f"http://127.0.0.1:{port}/healthz") != 200:
            assert process.poll() is None and time.monotonic() < deadline, errors.read_text(errors="replace")[-2000:]
            time.sleep(0.2)
        assert _get(f"http://127.0.0.1:{port}/password/reset/{token}") < 500
    finally:
        process.terminate()  # our own child, by its pid
        process.wait(timeout=30)
    log = access.read_text()
    assert "/password/reset/*** " in log and token not in log
    assert token not in errors.read_text()


def _get_or_none(url: str) -> int | None:
    try:
        return _get(url)
    except OSError:
        return None
