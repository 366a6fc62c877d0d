"""The Qualiopi indicators a bilan de compétences is audited on (référentiel national qualité, décret
2019-565 and its guide of reading): which apply, which the guides list as not applicable to bilans."""
from __future__ import annotations

APPLICABLE = {
    1: "Information du public sur les prestations, les délais d'accès et les résultats",
    2: "Indicateurs de résultats",
    4: "Analyse du besoin du bénéficiaire",
    5: "Objectifs de la prestation",
    9: "Information du bénéficiaire sur les conditions de déroulement",
    10: "Adaptation de la prestation et de l'accompagnement",
    11: "Évaluation de l'atteinte des objectifs",
    17: "Moyens humains et techniques",
    19: "Ressources pédagogiques",
    21: "Compétences des intervenants",
    22: "Développement des compétences des salariés du centre",
    23: "Veille légale et réglementaire",
    24: "Veille sur les emplois, les métiers et les compétences",
    25: "Veille sur les innovations pédagogiques et technologiques",
    26: "Handicap : référent, partenaires, adaptations",
    30: "Recueil des appréciations des parties prenantes",
    31: "Traitement des réclamations",
    32: "Mesures d'amélioration continue",
}
NOT_APPLICABLE = {
    3: "Obtention des certifications (formations certifiantes)",
    7: "Adéquation aux exigences d'une certification",
    8: "Positionnement à l'entrée (formations)",
    13: "Alternance",
    14: "Exercice de la citoyenneté (CFA)",
    15: "Droits et devoirs de l'apprenti (CFA)",
    16: "Conditions de présentation à la certification",
    20: "Référents pédagogique, mobilité, handicap des CFA",
    28: "Formations en situation de travail",
    29: "Insertion professionnelle des apprentis (CFA)",
}
# What nobody's data can hold (a CV, a training plan, a watch notebook): who brings it to the audit.
KEPT_OUTSIDE = {
    17: "les CV, locaux et outils du centre",
    19: "la liste des ressources et outils utilisés",
    21: "les CV et diplômes des consultants",
    22: "le plan de développement des compétences de l'équipe",
    23: "la veille légale (abonnements, notes de veille)",
    24: "la veille métiers et emplois",
    25: "la veille pédagogique et technologique",
}
