"""Rendering the budget-setting paper: executed notebook → standalone HTML → tagged A4 PDF."""
