"""The centre's public offer page (Qualiopi indicator 1), its dated versions, and its accessibility statement."""
