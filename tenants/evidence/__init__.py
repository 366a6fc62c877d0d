"""Qualiopi evidence: per bilan page and ZIP dossier, per centre indicators."""
