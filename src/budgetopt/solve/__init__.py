"""Solving: typed status, the solver backends, the lexicographic unique optimum, the allocator.

This layer is the only code that calls a solver or indexes a solver's arrays; everything above it
reads solutions and changes bounds through :class:`~budgetopt.solve.allocator.Allocator`.
"""
