"""The key messages on page 1, generated from the run, each correct for every sign.

Each message is a :class:`Message`: its sentence and the signed figures it states, so a test
can run every shipped and generated scenario through every template and check that a sentence
that says "rises" states a positive change (``changes``), never a fall called a rise. Verbs
come from :func:`direction`, the one place a sign becomes a word.

The messages: the total against last year; the largest moves by scheme, each with the limit or
the evidence behind it; the funding by year; the feasibility edge (the deepest cut the limits
allow); what happens in each area; contracts and grants ending; and, when the scenario has a
robustness block, what holds in at least 90% of draws.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from budgetopt.core.text import fy, money, pct, plural, short_money, signed_money
from budgetopt.explain import analysis
from budgetopt.model.limits import BY_FAMILY
from budgetopt.model.limits.schemes import scheme_total
from budgetopt.robust.analysis import holding

if TYPE_CHECKING:  # pragma: no cover
    from budgetopt.paper.document import Paper

MOVES = 2  # schemes named among the largest rises, and among the largest falls
UNCHANGED = 0.5  # £: a change smaller than this is no change
UNCHANGED_SHARE = 0.0005  # a relative change smaller than this (0.05%) is no change


@dataclass(frozen=True)
class Message:
    """One key message: its topic, its sentence and the signed changes the sentence states
    with a verb (for the sign tests)."""

    topic: str
    text: str
    changes: tuple[tuple[str, float], ...] = ()  # (the verb used, the signed amount)


def direction(amount: float, rise: str = "rises", fall: str = "falls",
              same: str = "is unchanged", tolerance: float = UNCHANGED) -> str:
    """The verb for a signed change: ``rise`` above zero, ``fall`` below, ``same`` within
    ``tolerance`` of zero (half a pound unless told)."""
    if amount > tolerance:
        return rise
    if amount < -tolerance:
        return fall
    return same


def moved(amount: float, rise: str = "rises", fall: str = "falls",
          same: str = "is unchanged") -> str:
    """'rises by £12,345', 'falls by £12,345' or 'is unchanged'."""
    verb = direction(amount, rise, fall, same)
    return verb if verb == same else f"{verb} by {money(abs(amount))}"


def key_messages(p: Paper) -> list[Message]:
    """Every key message of the paper, in the order page 1 shows them."""
    out = [total(p), *largest_moves(p), funding(p), edge(p), areas(p), reversals(p),
           contracts(p)]
    if p.robust:
        out.append(robustness(p))
    return [m for m in out if m is not None]


def total(p: Paper) -> Message:
    y, b = p.year, p.base
    by = p.result.by_scheme()
    now, before = float(by.at["total", y]), float(by.at["total", b])
    change = now - before
    share = (f" ({pct(100 * change / before, signed=True)})"
             if before and abs(change) > UNCHANGED else "")
    value = p.result.social_value_gbp or 0.0
    basis = ("on average over draws of the uncertain evidence"
             if p.scenario.objective == "expected" else "on assumed returns")
    text = (f"In {fy(y)} the proposal allocates {money(now)}: the total "
            f"{moved(change)}{share} on {fy(b)}. It buys an estimated {short_money(value)} of "
            f"social value over {plural(len(p.inputs.years), 'year')}, {basis}")
    if p.placeholders.curve_services():
        text += " (placeholder benefit curves: an illustration, not a forecast)"
    if p.robust:
        q = p.run.robustness.value_range()
        text += (f"; across the draws of the uncertain evidence, {short_money(q[0])} to "
                 f"{short_money(q[1])} (5th to 95th percentile)")
    return Message("total", text + ".", ((direction(change), change),))


def largest_moves(p: Paper) -> list[Message]:
    """The schemes that rise most and fall most in the first plan year (up to ``MOVES`` of
    each), each with its reason."""
    y, b = p.year, p.base
    by = p.result.by_scheme().drop(index="total")
    change = (by[y] - by[b]).astype(float)
    rises = change[change > UNCHANGED].sort_values(ascending=False).index[:MOVES]
    falls = change[change < -UNCHANGED].sort_values().index[:MOVES]
    out = []
    for k in [*rises, *falls]:
        c = float(change[k])
        name = p.ds.schemes.at[k, "name"]
        share = f" ({pct(100 * c / by.at[k, b], signed=True)})" if by.at[k, b] else ""
        out.append(Message(
            "move", f"{name} {moved(c)}{share} to {money(by.at[k, y])} in {fy(y)}: "
            f"{scheme_reason(p, k, c)}.", ((direction(c), c),)))
    return out


def scheme_reason(p: Paper, scheme: str, change: float) -> str:
    """Why a scheme moves, in one plain clause: the limit its largest mover (the service that
    moves most in the scheme's direction) sits against in the first plan year; else the
    scheme's own floor or cap; else the optimum, naming the largest mover."""
    y = p.year
    ds = p.ds
    totals = p.result.allocation().groupby(["service_id", "year"])["amount_gbp"].sum()
    base = p.result.base_by_service
    services = ds.services.index[ds.services["scheme_id"] == scheme]
    own = pd.Series({s: float(totals.get((s, y), 0.0)) - float(base[s]) for s in services})
    same_way = (own if change > 0 else -own).sort_values(ascending=False)
    limits = [lim for lim in p.explainer.binding_limits() if lim.year == y and lim.key]
    if same_way.empty or same_way.iloc[0] <= UNCHANGED:
        return "the optimum places the money where its next £ buys as much social value"
    s = str(same_way.index[0])
    who, rising = ds.services.at[s, "name"], change > 0
    mine = next((lim for lim in limits if lim.key[0] == s), None)
    if mine is None:
        total = scheme_total(scheme, y)  # a floor or cap on the scheme's total
        mine = next((lim for lim in limits if lim.ref == total), None)
    if mine is None:  # no limit holds it: the optimum moves it until the margins match
        return (f"mostly {who}, which the optimum "
                + ("gives more until its next £ buys no more social value than elsewhere"
                   if rising else "cuts until its next £ buys as much social value as "
                   "elsewhere"))
    return BY_FAMILY[mine.family].reason(who, rising, p.inputs, s)


def funding(p: Paper) -> Message:
    """The funding available by year, and the largest stream changes."""
    amounts = p.inputs.stream_amounts
    totals = {y: float(amounts[y].sum()) for y in p.inputs.years}
    parts, changes = [], []
    for a, b in zip(p.inputs.years, p.inputs.years[1:], strict=False):
        d = totals[b] - totals[a]
        changes.append((direction(d), d))
        streams = (amounts[b] - amounts[a]).astype(float)
        big = streams[streams.abs() >= 50_000].sort_values()
        why = ", ".join(
            f"{p.ds.streams.at[f, 'name']} {signed_money(v)}"
            + ("†" if p.placeholders.stream_years(f, [b]) else "")
            for f, v in big.items())
        parts.append(f"in {fy(b)} it {moved(d)}" + (f" ({why})" if why else ""))
    first = p.inputs.years[0]
    text = (f"Funding available is {money(totals[first])} in {fy(first)}"
            + ("; " + "; ".join(parts) if parts else "") + "."
            + (" († a placeholder.)" if "†" in "".join(parts) else ""))
    return Message("funding", text, tuple(changes))


def edge(p: Paper) -> Message | None:
    """How deep a cut the limits allow (the feasibility edge), from an exact bisection."""
    factor = p.explainer.edge
    if factor is None:
        return None
    cut = 1 - factor
    total = p.inputs.total_available(p.year)
    if cut < 0.001:
        text = ("The plan cannot absorb any cut: with less unrestricted money in any plan year "
                "its contracts, minimums, floors and stability limits cannot all be met.")
    elif p.explainer.edge_is_empty_core:
        text = (f"The plan can absorb a cut of {100 * cut:.1f}% of the budget (about "
                f"{short_money(cut * total)} in {fy(p.year)}): the whole unrestricted budget "
                "of the leanest year, with every limit still met.")
    else:
        text = (f"The plan can absorb a cut of up to {100 * cut:.1f}% of the budget (about "
                f"{short_money(cut * total)} in {fy(p.year)}, from the unrestricted budget in "
                "every year); beyond that edge its contracts, minimums, floors and stability "
                "limits cannot all be met.")
    return Message("edge", text)


def areas(p: Paper) -> Message | None:
    """What happens to each area's area-split funding over the plan."""
    by = p.result.by_area()
    ids = [a for a in p.ds.areas.index if a in by.index]
    if not ids:
        return None
    first, last = p.base, p.inputs.years[-1]
    base_area = p.result.base_by_area()
    rel = pd.Series({a: (by.at[a, last] - base_area[a]) / base_area[a]
                     for a in ids if base_area[a] > 0})
    if rel.empty:  # no area had area-split money last year: nothing to compare with
        return None
    lo, hi = float(rel.min()), float(rel.max())
    if lo < -UNCHANGED_SHARE and hi > UNCHANGED_SHARE:
        span = (f"changes by between {pct(100 * lo, signed=True)} and "
                f"{pct(100 * hi, signed=True)}, depending on the area,")
    else:
        small, large = sorted((abs(lo), abs(hi)))
        by = (f"{100 * small:.1f}%" if round(100 * small, 1) == round(100 * large, 1)
              else f"{100 * small:.1f}–{100 * large:.1f}%")
        verb = direction(hi if hi > UNCHANGED_SHARE else lo, "rises", "falls", "",
                         UNCHANGED_SHARE)
        span = f"{verb} in every area, by {by}," if verb else "is unchanged in every area"
    text = (f"Area-split funding (shared between the {len(ids)} Community Safety Partnership "
            f"areas by need) {span} from {fy(first)} to {fy(last)}.")
    signs = () if lo < -UNCHANGED_SHARE and hi > UNCHANGED_SHARE else tuple(
        (direction(v, tolerance=UNCHANGED_SHARE), v) for v in (lo, hi)
        if abs(v) > UNCHANGED_SHARE)
    return Message("areas", text, signs)


def reversals(p: Paper) -> Message | None:
    """Services that rise and fall back (or fall and rise again) within the plan: each one
    the value or a limit asks for, since the model picks the steadiest of equal plans."""
    found = p.explainer.reversals()
    if not found:
        return None
    n = len({r.service_id for r in found})
    return Message("reversals", f"{plural(n, 'service')} rise{'' if n != 1 else 's'} "
                   f"and fall{'' if n != 1 else 's'} back (or the reverse) within the plan; "
                   "each such turn is one the social value or a limit asks for, and section "
                   f"{p.number('change')} says which and why.")


def contracts(p: Paper) -> Message | None:
    ends = analysis.ending_within_plan(p.result)
    if ends.empty:
        return None
    by_year = ", ".join(f"{len(rows)} at the {ends_at}"
                        for ends_at, rows in ends.groupby("ends", sort=False))
    n = len(ends)
    return Message("contracts", f"{plural(n, 'contract or grant', 'contracts or grants')} "
                   f"end{'s' if n == 1 else ''} within the plan ({by_year}) and need"
                   f"{'s' if n == 1 else ''} re-procurement, renewal or an exit plan "
                   f"({p.table('ending')}).")


def robustness(p: Paper) -> Message:
    r = p.run.robustness
    y = p.year
    held = holding(r, y)
    core = r.classes(y)["core"]
    return Message("robust", f"Across {r.draws:,} draws of the uncertain evidence, the "
                   f"recommended change for {fy(y)} holds in at least "
                   f"{r.settings.threshold:.0%} of draws for {int(held['holds'].sum())} of "
                   f"{plural(len(held), 'service')}, and {plural(len(core), 'service')} "
                   f"{'is' if len(core) == 1 else 'are'} funded above "
                   f"{'its' if len(core) == 1 else 'their'} minimum in at least that share "
                   f"(section {p.number('robustness')}).")
