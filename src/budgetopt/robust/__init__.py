"""How sure a plan is under uncertain evidence: the Monte Carlo, the robust plan, the swings."""
