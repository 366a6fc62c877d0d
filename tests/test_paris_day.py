"""The day is Paris's, everywhere: `saas/i18n.py:paris_today()`, never `date.today()`.

`date.today()` is the machine's day (UTC on a server): for an hour or two each night it is
already "tomorrow" in Paris, or still "yesterday", so a rule or a test that mixes the two
fails only in that window (a test asserting "en retard de 2 jours" read 3 between 23:00 and
midnight UTC). This guard reads the code and the tests, so the class cannot come back.
"""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MACHINE_DAY = re.compile(r"\b(?:date|datetime)\.today\(\)")


def test_no_code_or_test_asks_the_machine_for_its_day():
    found = []
    for folder in ("saas", "tenants", "jobs", "demo", "bench", "tests"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path == Path(__file__).resolve():
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                code = line.split("#", 1)[0]
                if MACHINE_DAY.search(code) and "`" not in code:
                    found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not found, "use saas.i18n.paris_today():\n" + "\n".join(found)
