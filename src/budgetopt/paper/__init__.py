"""Papers: the section registry, the budget-setting paper, charts, the comparison paper, and
the notebooks generated from them."""
