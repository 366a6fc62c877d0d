"""Who opened which results of a bilan, and when: the access log (professional secrecy, L6313-4; CNIL)."""
