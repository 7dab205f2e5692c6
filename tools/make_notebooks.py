"""Write notebooks/paper.ipynb, compare.ipynb and explore.ipynb (no outputs) from the package.

The notebooks are generated from the section registries (budgetopt.paper.notebook) so that their
cells, tags, ids and parameter annotations stay reviewable as code. Run
``python tools/make_notebooks.py`` after changing a registry or the Scenario model;
``--check`` exits 1, naming them, when the committed notebooks differ (the pre-commit hook).
"""

from __future__ import annotations

import sys
from pathlib import Path

from budgetopt.paper.notebook import notebooks, stale_notebooks

ROOT = Path(__file__).resolve().parents[1]

if __name__ == "__main__":
    if "--check" in sys.argv[1:]:
        stale = stale_notebooks(ROOT)
        if stale:
            print(f"notebooks differ from the generator: {', '.join(stale)}; run "
                  "python tools/make_notebooks.py", file=sys.stderr)
            sys.exit(1)
        sys.exit(0)
    (ROOT / "notebooks").mkdir(exist_ok=True)
    for name, text in notebooks().items():
        (ROOT / "notebooks" / name).write_text(text, encoding="utf-8")
        print(f"wrote notebooks/{name}")
