"""budgetopt: exact, explainable budget allocation for a PCC's Commissioning Intentions Plan.

Data flows one way: dataset + scenario -> model -> solve -> results -> papers.
"""

__version__ = "0.1.0"
