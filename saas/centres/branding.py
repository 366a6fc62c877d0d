"""A centre's brand colour: a hex colour that white text stays readable on (WCAG 2.1 AA).

The colour becomes --brand (static/css/app.css): buttons draw white text on it and
links draw it on white, so it needs a contrast ratio of at least 4.5:1 against
white (WCAG 2.1 success criterion 1.4.3, contrast minimum). One rule, one place:
the settings form and anything else that sets a colour call `brand_colour`.
"""
from __future__ import annotations

import re

from saas.errors import RuleViolation

AA_CONTRAST = 4.5
HEX = re.compile(r"#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})")


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


def luminance(colour: str) -> float:
    """Relative luminance of "#rrggbb" (WCAG 2.1 definition)."""
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast_with_white(colour: str) -> float:
    return 1.05 / (luminance(colour) + 0.05)


def normalised(value: str) -> str:
    """"1F5FBF", "#1f5fbf", "#15b" -> "#1f5fbf"; RuleViolation if it is no hex colour."""
    match = HEX.fullmatch((value or "").strip())
    if match is None:
        raise RuleViolation("Indiquez la couleur en hexadécimal, par exemple #1f5fbf.")
    digits = match.group(1).lower()
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return "#" + digits


def darkened(colour: str) -> str:
    """The same hue darkened step by step until white text on it reaches AA."""
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    while contrast_with_white(f"#{r:02x}{g:02x}{b:02x}") < AA_CONTRAST:
        r, g, b = (int(c * 0.95) for c in (r, g, b))
    return f"#{r:02x}{g:02x}{b:02x}"


def brand_colour(value: str) -> str:
    """The colour to store, normalised; refused, with an AA darker shade proposed, when white on it
    falls under 4.5:1 (WCAG 2.1, 1.4.3)."""
    colour = normalised(value)
    ratio = contrast_with_white(colour)
    if ratio < AA_CONTRAST:
        ratio_fr = f"{ratio:.1f}".replace(".", ",")
        raise RuleViolation(f"Cette couleur est trop claire : le texte blanc y est illisible (contraste {ratio_fr}:1, "
                            f"il faut 4,5:1 au moins). Essayez {darkened(colour)}, la même teinte assombrie.")
    return colour
