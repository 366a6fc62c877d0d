"""The ready questionnaires shipped with Bilan (tenants/questionnaires/library/*.json)."""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from tenants.questionnaires.definition import check

FOLDER = Path(__file__).parent / "library"
ORDER = ("analyse_demande", "recit_professionnel", "auto_evaluation_competences", "interets_professionnels",
         "valeurs_motivations", "retour_360", "satisfaction_fin_bilan", "suivi_3_mois", "suivi_6_mois",
         "satisfaction_6_mois")


@lru_cache(maxsize=1)
def _load() -> tuple[str, ...]:
    # Kept as JSON text: every caller gets its own fresh dicts.
    texts = []
    for slug in ORDER:
        text = (FOLDER / f"{slug}.json").read_text(encoding="utf-8")
        data = json.loads(text)
        problems = check(data)
        if problems or data["slug"] != slug:
            raise ValueError(f"library questionnaire {slug}: {problems}")
        texts.append(text)
    return tuple(texts)


def entries() -> list[dict]:
    """Every library questionnaire as a fresh dict, in display order."""
    return [json.loads(text) for text in _load()]
