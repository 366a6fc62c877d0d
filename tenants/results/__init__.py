"""The centre's published results (Qualiopi indicator 2) and its satisfaction figures (indicator 30)."""
