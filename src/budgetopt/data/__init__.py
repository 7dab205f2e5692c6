"""Data: reading and checking a dataset, the scenario model, and the inputs a scenario gives."""
