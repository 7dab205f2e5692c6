"""Why this allocation: binding limits, what-ifs, the budget frontier, the diagnosis.

Every figure comes from the kept model through the allocator — a bound changed for a moment and
re-solved warm — and every limit is asked about through its family in the registry.
"""
