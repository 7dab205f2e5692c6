"""The allocation model: structure, limit families, costs and tie-break, built with PuLP."""
