"""Build static/vendor/icons/sprite.svg from the vendored Lucide icons beside it.

Only the icons the templates use are vendored (static/vendor/icons/lucide/*.svg,
copied unchanged from the lucide-static package, ISC licence in
static/vendor/icons/LICENSE). To add one: copy its file there, run
`python scripts/build_icon_sprite.py`, use `icon("name")` (templates/_icons.html).
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

ICONS = Path(__file__).resolve().parent.parent / "static" / "vendor" / "icons"


def symbol(name: str, svg: str) -> str:
    body = svg[svg.index(">", svg.index("<svg")) + 1:svg.rindex("</svg>")]
    body = re.sub(r"\s*\n\s*", "", body)
    # The stroke style on each symbol: a <use> clone inherits from where it is used, not from this file's root.
    return (f'<symbol id="{name}" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" '
            f'stroke-linecap="round" stroke-linejoin="round">{body}</symbol>')


def build() -> str:
    symbols = [symbol(path.stem, path.read_text(encoding="utf-8"))
               for path in sorted((ICONS / "lucide").glob("*.svg"))]
    first = next(iter(sorted((ICONS / "lucide").glob("*.svg")))).read_text(encoding="utf-8")
    version = re.search(r"lucide-static v([\d.]+)", first)
    header = (f"<!-- Lucide icons (lucide-static v{version.group(1) if version else '?'}), ISC licence: "
              "LICENSE beside this file. -->")
    return header + '\n<svg xmlns="http://www.w3.org/2000/svg">\n' + "\n".join(symbols) + "\n</svg>\n"


if __name__ == "__main__":
    (ICONS / "sprite.svg").write_text(build(), encoding="utf-8")
    sys.stdout.write(f"wrote {ICONS / 'sprite.svg'}\n")
