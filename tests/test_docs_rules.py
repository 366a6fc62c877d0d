"""docs/RULES.md stays true: every function and test it names exists where it says.

The page is how the next engineer finds where a rule lives (rule → function → tests); a moved
function or a renamed test that the page still cites fails here.
"""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "docs" / "RULES.md"
FUNCTION = re.compile(r"`((?:saas|tenants|jobs|templates|demo|tests)/[\w/.-]+?)(?::{1,2}(\w+))?(?:\(|`)")
BARE_TEST = re.compile(r"`::(\w+)")
DEFINED = r"^\s*(?:async\s+)?(?:def|class)\s+{0}\b|^\s*{0}\s*[:=]"


def _defines(path: Path, name: str) -> bool:
    return re.search(DEFINED.format(re.escape(name)), path.read_text(encoding="utf-8"), re.M) is not None


def references():
    text = RULES.read_text(encoding="utf-8")
    return FUNCTION.findall(text), BARE_TEST.findall(text)


def test_rules_page_names_existing_functions_and_tests():
    """Each `path:function` and `tests/file.py::test` of docs/RULES.md resolves in the tree."""
    named, bare = references()
    assert named, "docs/RULES.md names no function"
    missing = []
    for path, name in named:
        file = ROOT / path
        if not file.exists():
            missing.append(path)
        elif name and file.suffix == ".py" and not _defines(file, name):
            missing.append(f"{path}:{name}")
    tests = list((ROOT / "tests").rglob("test_*.py"))
    for name in bare:
        if not any(_defines(t, name) for t in tests):
            missing.append(f"::{name}")
    assert not missing, "docs/RULES.md cites what is not there:\n" + "\n".join(sorted(set(missing)))
