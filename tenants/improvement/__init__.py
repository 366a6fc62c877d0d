"""The improvement log (Qualiopi indicator 32): actions fed by complaints, satisfaction, audits and ideas."""
