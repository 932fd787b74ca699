"""Roster groups of a scenario: named candidates, planned as one-creator groups (MODEL.md §10).

A roster group names a roster file (``campaign_sim.creators.roster``); each candidate it books
becomes a :class:`~campaign_sim.scenario.plan.GroupPlan` of ``count`` 1 in the pool of their
tier and platform, with that pool's priors and a :class:`~campaign_sim.scenario.plan.NamedCreator`
holding what the file knows of them. Which candidates, in which order: ``select`` (default:
every one, in file order), then ``book`` (false leaves one out, true adds one at the end). A
``budget`` (or ``share``) books them in that order while their fees fit
(:class:`~campaign_sim.scenario.plan.Booking`; the engine decides it per campaign, as a fee
may be a range).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from campaign_sim.creators.handles import canonical_handle, shown_handle
from campaign_sim.creators.roster import Roster, read_roster
from campaign_sim.errors import InputError, Problem, shown
from campaign_sim.random import distributions as dist
from campaign_sim.scenario.plan import Booking, GroupPlan, NamedCreator, StrategyPlan
from campaign_sim.scenario.resolve import PriorTable, group_priors
from campaign_sim.scenario.schema import ScenarioFile
from campaign_sim.scenario.strict import suggest

__all__ = ["check_named", "read_rosters", "roster_digests", "roster_groups", "roster_pools"]


def read_rosters(
    model: ScenarioFile,
    folder: Path | None,
    priors: PriorTable,
    platforms: dict[str, set[str]],
    problems: list[Problem],
) -> dict[tuple[str, int], Roster]:
    """Every roster group's file, read once each (relative paths from the scenario's folder),
    by (strategy, group index); a file's problems go to ``problems`` at its rows and columns."""
    known = [p for table in priors.values() for p in table.values()]
    every = sorted(set().union(*platforms.values())) if platforms else []
    read: dict[Path, Roster | None] = {}
    out = {}
    for name, strategy in model.strategies.items():
        for index, group in enumerate(strategy.groups):
            if group.roster is None:
                continue
            file = Path(group.roster)
            if folder is not None and not file.is_absolute():
                file = folder / file
            if file not in read:
                read[file] = _read(
                    file, known, every, f"strategies.{name}.groups[{index}]", problems
                )
            roster = read[file]
            if roster is not None:
                out[name, index] = roster
    return out


def _read(
    file: Path, priors: list[Any], platforms: list[str], path: str, problems: list[Problem]
) -> Roster | None:
    try:
        return read_roster(file, priors, platforms)
    except InputError as exc:
        for problem in exc.problems:
            if problem.path.startswith("row ") or problem.path.startswith("column "):
                problems.append(Problem(f"{file}: {problem.path}", problem.message))
            else:
                where = "" if problem.path.startswith("(") else f"{problem.path}: "
                problems.append(Problem(f"{path}.roster", f"{file}: {where}{problem.message}"))
        return None


def roster_pools(rosters: dict[tuple[str, int], Roster]) -> list[tuple[str, str]]:
    """The (tier, platform) of every candidate of ``rosters``."""
    return sorted(
        {(r.tier, r.platform) for roster in rosters.values() for r in roster.rows.itertuples()}
    )


def roster_digests(rosters: dict[tuple[str, int], Roster]) -> dict[str, str]:
    """Each roster file's sha256, by path: part of the scenario's digest."""
    return {str(r.path): r.sha256 for r in rosters.values()}


def roster_groups(
    path: str,
    group: Any,
    strategy_budget: float | None,
    roster: Roster,
    priors: PriorTable,
    problems: list[Problem],
    *,
    quiet: bool = False,
) -> list[GroupPlan]:
    """The one-creator groups of the candidates ``group`` books, in booking order."""
    order = _booked(path, group, roster, problems)
    budget = group.budget
    if group.share is not None:
        budget = group.share * strategy_budget
    booking = Booking(path, budget) if budget is not None else None
    rows = roster.rows.set_index("creator")
    out = []
    for handle in order:
        row = rows.loc[handle]
        where = f"{roster.path}: row {int(row['row'])}, column platform"
        resolved = group_priors(where, row["tier"], row["platform"], priors, problems, quiet=quiet)
        if resolved is None:
            continue
        k = int(row["deliverables"])
        creator = NamedCreator(
            handle=handle,
            roster=str(roster.path),
            row=int(row["row"]),
            followers=None if _missing(row["followers"]) else float(row["followers"]),
            fee=_fee(row, k),
        )
        out.append(GroupPlan(row["tier"], row["platform"], k, 1, None, resolved, creator, booking))
    if budget and out and out[0].creator is not None:
        first, creator = out[0], out[0].creator
        fee = creator.fee
        cheapest = fee.support()[0] if fee is not None else float(first.dist("fee").ppf(0.05))
        if budget < cheapest * first.deliverables:
            key = "share" if group.share is not None else "budget"
            problems.append(
                Problem(
                    f"{path}.{key}",
                    f"a budget of {budget:,.0f} books no one: candidates are booked in order "
                    f"while their fees fit, and the first, {shown_handle(creator.handle)}, "
                    f"costs at least {cheapest * first.deliverables:,.0f}",
                )
            )
    return out


def _booked(path: str, group: Any, roster: Roster, problems: list[Problem]) -> list[str]:
    """The canonical handles ``group`` books, in booking order."""
    handles = list(roster.handles)
    order: list[str] = []
    if group.select == []:
        problems.append(
            Problem(
                f"{path}.select",
                "an empty selection books no one: list handles, or leave `select` out to book "
                "every candidate",
            )
        )
    for i, text in enumerate(group.select if group.select is not None else handles):
        handle = canonical_handle(text)
        if handle not in handles:
            problems.append(_unknown(f"{path}.select[{i}]", text, handles, roster.path))
        elif handle in order:
            problems.append(Problem(f"{path}.select[{i}]", f"{shown(text)} is selected twice"))
        else:
            order.append(handle)
    for text, on in group.book.items():
        handle = canonical_handle(text)
        if handle not in handles:
            problems.append(_unknown(f"{path}.book.{text}", text, handles, roster.path))
        elif not on and handle in order:
            order.remove(handle)
        elif on and handle not in order:
            order.append(handle)
    return order


def _unknown(path: str, text: str, handles: list[str], file: Path) -> Problem:
    return Problem(
        path,
        f"{shown(text)} is no candidate of {file}"
        f"{suggest(canonical_handle(text), handles)} ({len(handles)} candidates)",
    )


def _missing(value: Any) -> bool:
    return value is None or value != value  # NaN


def _fee(row: Any, deliverables: int) -> dist.Distribution | None:
    """The candidate's fee per deliverable: the quote (fixed); a range (uniform between its
    ends); a quote inside a range (triangular, the quote most likely); None: not known."""
    quote, low, high = (
        None if _missing(row[key]) else float(row[key]) / deliverables
        for key in ("quoted_fee", "fee_low", "fee_high")
    )
    if low is None or high is None:  # the reader gives both ends or neither
        return None if quote is None else dist.Fixed(quote)
    if low == high:
        return dist.Fixed(low)
    if quote is None:
        return dist.Uniform(low, high)
    return dist.Triangular(low, quote, high)


def check_named(strategies: tuple[StrategyPlan, ...], problems: list[Problem]) -> None:
    """A creator is booked once per strategy, and is one creator whichever roster lists
    them: the same pool, followers, fee and deliverables (their draws are shared)."""
    pools: dict[str, tuple[str, str]] = {}
    known: dict[str, tuple[GroupPlan, str]] = {}
    for strategy in strategies:
        seen: set[str] = set()
        for group in strategy.groups:
            creator = group.creator
            if creator is None:
                continue
            where = f"{creator.roster}: row {creator.row}, column creator"
            if creator.handle in seen:
                problems.append(
                    Problem(
                        where,
                        f"{shown_handle(creator.handle)} is booked twice in strategy "
                        f"{shown(strategy.name)} (two roster groups list them)",
                    )
                )
            seen.add(creator.handle)
            other, where_first = known.setdefault(creator.handle, (group, where))
            same = (other.creator.followers, other.creator.fee, other.deliverables) == (  # type: ignore[union-attr]
                creator.followers,
                creator.fee,
                group.deliverables,
            )
            if other.pool == group.pool and not same:
                problems.append(
                    Problem(
                        where,
                        f"{shown_handle(creator.handle)} has other followers, fee or "
                        f"deliverables than at {where_first}: one creator, one row of facts",
                    )
                )
            first = pools.setdefault(creator.handle, (group.pool, strategy.name))
            if first[0] != group.pool:
                problems.append(
                    Problem(
                        where,
                        f"{shown_handle(creator.handle)} is {group.pool} here but {first[0]} "
                        f"in strategy {shown(first[1])}'s roster: one creator, one pool",
                    )
                )
