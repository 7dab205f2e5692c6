"""Community Grant Scheme rounds: which bids to fund, exactly, and why (docs/grants.md)."""
