"""What an interrupted ``budgetopt run`` leaves and says: here, the sentence for a run
interrupted before any scenario's paper was started."""

from __future__ import annotations

BEFORE_ANY_PAPER = ("Interrupted (Ctrl+C or SIGTERM) before any scenario's paper was started: "
                    "no scenario was run and the index was not changed; run again to make the "
                    "papers.")
