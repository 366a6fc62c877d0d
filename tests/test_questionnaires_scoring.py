"""Scores against hand-computed values, and the SVG charts (issue #6)."""
from __future__ import annotations

from tenants.questionnaires import charts, library, scoring


def _entry(slug):
    return next(e for e in library.entries() if e["slug"] == slug)


def test_interests_profile_hand_computed():
    entry = _entry("interets_professionnels")
    definition = {"sections": entry["sections"], "dimensions": entry["dimensions"]}
    # R items 5,5,4,4 → 4.5 ; I 1,1,1,1 → 1 ; A 3,3,3,3 → 3 ; S 5,5,5,4 → 4.75 ; E 2,2,2,2 → 2 ; C 4,4,5,5 → 4.5
    wanted = {"R": [5, 5, 4, 4], "I": [1, 1, 1, 1], "A": [3, 3, 3, 3], "S": [5, 5, 5, 4], "E": [2, 2, 2, 2],
              "C": [4, 4, 5, 5]}
    answers, used = {}, {d: 0 for d in wanted}
    for section in definition["sections"]:
        for question in section["questions"]:
            answers[question["id"]] = {}
            for row in question["rows"]:
                d = row["dimension"]
                answers[question["id"]][row["id"]] = wanted[d][used[d]]
                used[d] += 1
    scores = scoring.score("riasec", definition, answers)
    by_key = {d["key"]: d for d in scores["dimensions"]}
    assert [by_key[k]["score"] for k in "RIASEC"] == [4.5, 1.0, 3.0, 4.75, 2.0, 4.5]
    assert [by_key[k]["percent"] for k in "RIASEC"] == [88, 0, 50, 94, 25, 88]
    assert scores["code"] == "SRC"  # S first; R and C tie at 4.5 → R before C (RIASEC order)
    assert by_key["S"]["label"] == "Social"


def test_values_ranking_points():
    entry = _entry("valeurs_motivations")
    order = ["utilite", "autonomie", "equilibre", "relations", "creativite", "reconnaissance", "securite",
             "remuneration"]
    scores = scoring.score("values", {"sections": entry["sections"]}, {"classement": order})
    assert [r["key"] for r in scores["ranking"]] == order
    assert [r["points"] for r in scores["ranking"]] == [8, 7, 6, 5, 4, 3, 2, 1]
    assert scores["ranking"][0]["label"] == "Utilité sociale"


def test_skills_levels_per_domain():
    entry = _entry("auto_evaluation_competences")
    answers = {"communication": {"ecrit": 4, "oral": 2, "ecoute": 3}, "organisation": {"priorites": 1, "planifier": 2,
               "delais": 2}, "relation": {"equipe": 4, "conflits": 4, "animer": 4},
               "resolution": {"analyser": 3, "solutions": 3, "numerique": 2}}
    scores = scoring.score("skills", {"sections": entry["sections"]}, answers)
    assert {d["key"]: d["score"] for d in scores["domains"]} == {
        "communication": 3.0, "organisation": 1.67, "relation": 4.0, "resolution": 2.67}
    assert scores["max"] == 4


def test_unscored_questionnaire_has_no_scores():
    assert scoring.score("none", {"sections": []}, {}) is None


def test_radar_is_a_hexagon_with_accessible_title():
    svg = str(charts.radar(list("RIASEC"), [5, 1, 3, 4, 2, 4.5], 5, "Intérêts <test>"))
    assert svg.startswith("<svg") and 'role="img"' in svg and "<title>Intérêts &lt;test&gt;</title>" in svg
    polygon = svg.split('fill-opacity="0.25"')[0].rsplit("<polygon points=\"", 1)[1].split('"')[0]
    assert len(polygon.split()) == 6
    assert "style=" not in svg  # CSP: no inline style, presentation attributes only


def test_bars_scale_with_values():
    svg = str(charts.bars(["Écoute", "Organisation"], [4, 2], 4, "Compétences"))
    widths = [float(w) for w in __import__("re").findall(r'<rect x="0" y="[\d.]+" width="([\d.]+)" '
                                                         r'height="18" fill="#1f5fbf"', svg)]
    assert widths[0] == 2 * widths[1] > 0


def test_chart_renders_in_a_pdf():
    from weasyprint import HTML

    svg = charts.radar(list("RIASEC"), [5, 1, 3, 4, 2, 4.5], 5, "Intérêts")
    pdf = HTML(string=f"<html><body>{svg}</body></html>").write_pdf()
    assert pdf.startswith(b"%PDF")


def test_results_for_bilan_gives_scores_and_charts(app, client, make_centre, outbox):
    from saas.tenancy import tenant_session
    from tenants.questionnaires.export import results_for_bilan

    from portal_helpers import assign, enter, fill_url, last_link, make_bilan, save

    lyon = make_centre("lyon")
    person, bilan = make_bilan(app, lyon)
    aid = assign(app, lyon, bilan, "auto_evaluation_competences")
    enter(client, last_link(outbox))
    for qid, rows in {"communication": ("ecrit", "oral", "ecoute"),
                      "organisation": ("priorites", "planifier", "delais"),
                      "relation": ("equipe", "conflits", "animer"),
                      "resolution": ("analyser", "solutions", "numerique")}.items():
        save(client, "lyon", aid, qid, {f"a-{qid}-{row}": "3" for row in rows})
    assert client.post(f"{fill_url('lyon', aid)}/submit").status_code == 303
    with app.app_context(), tenant_session(lyon.model(app)) as db:
        found = results_for_bilan(db, bilan)
    assert len(found) == 1 and found[0]["scores"]["domains"][0]["score"] == 3.0
    assert str(found[0]["chart"]).startswith("<svg") and not found[0]["released"]
