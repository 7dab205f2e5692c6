"""The sections of the budget-setting paper, one function each, grouped by part of the report."""
