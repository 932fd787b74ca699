"""Sizes beyond the machine: the memory a run will need, estimated from the scenario before
anything is drawn, and refused when it passes the limit (docs/scenario-format.md, "Limits").

The estimate adds the parts a run holds at its peak:

* **one chunk of creator draws** per chunk in memory at once (one per local worker): every
  pool's creator slots (a count group's ``count``; a budget group's likely most hires in a
  chunk, ``t + 2 sqrt(t) + 4`` for ``t`` the creators its budget buys at the mean fee, at most
  the cap of :class:`~campaign_sim.engine.draws.Layout`) x the chunk's campaigns x
  :data:`SLOT_BYTES`; the timeline engine: :data:`TIMELINE_SLOT_BYTES` per slot and
  :data:`POST_BYTES` per deliverable, plus :data:`DAY_BYTES` per campaign and horizon day;
* **the lag matrix** of the timeline engine: :data:`LAG_BYTES` x (horizon days)^2;
* **the kept outcomes**: every campaign's values of every strategy, 8 bytes each (14
  metrics; the timeline engine: 3 daily series x horizon days, 2 more for its day tables, and
  20 totals), plus :data:`SUMMARY_COPIES` arrays of campaigns for the statistics;
* **the seed blocks**: :data:`BLOCK_BYTES` per block of 1,024 campaigns.

Each part names the key that sizes it (``strategies.nano_heavy.groups[0].count``,
``simulation.campaigns``, ``--campaigns``, ``timeline.window_days``...), so a refusal says what
to change. The limit is memory, not a count of campaigns: :data:`DEFAULT_SHARE` of the physical
memory (or of a container's memory limit, when lower), or the :data:`ENV` environment variable.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from campaign_sim.errors import InputError, Problem
from campaign_sim.random.streams import BLOCK

__all__ = [
    "DEFAULT_SHARE",
    "ENV",
    "OPTIONS",
    "USAGES",
    "Footprint",
    "Key",
    "Part",
    "check_footprint",
    "check_run",
    "check_sweep",
    "footprint",
    "format_bytes",
    "memory_limit",
]

#: The environment variable that sets the memory limit: bytes with an optional unit (``8G``,
#: ``512MiB``, ``2.5e9``; units are powers of 1024) or a share of physical memory (``50%``).
ENV = "CAMPAIGN_SIM_MEMORY_LIMIT"
#: Share of the physical memory a run may use by default.
DEFAULT_SHARE = 0.75
#: Bytes per creator slot and campaign in a chunk of the vectorized engine: the pool's draws
#: (8 quantities), the per-creator terms summed into the totals (7) and the fees drawn ahead
#: for budget groups (measured with tracemalloc: 105-110 bytes).
SLOT_BYTES = 120
#: ... more with amplification on (six more draws per slot, the amplified terms and their
#: temporaries; measured: 195 bytes per slot against 125 without).
AMPLIFIED_SLOT_BYTES = 80
#: ... of the timeline engine: the draws, the creators' columns in hiring order and the lists
#: each campaign's calendar is run from (measured: about 160 with the next).
TIMELINE_SLOT_BYTES = 160
#: Bytes per deliverable of a creator slot and campaign (timeline engine): go-live days.
POST_BYTES = 48
#: Bytes per campaign and horizon day in a chunk of the timeline engine (daily orders, cost,
#: revenue, their cumulative series and temporaries: 8 arrays of 8 bytes).
DAY_BYTES = 64
#: Bytes per (horizon day)^2 of the lag matrix that spreads each day's orders (timeline: the
#: lags, their mask, the gathered weights and the matrix; measured: 1.6 GiB for 8,029 days).
LAG_BYTES = 25
#: Bytes per seed block: the block list and the chunks cut from it.
BLOCK_BYTES = 200
#: Values kept per campaign and strategy by each kind of run (8 bytes each): ``outcomes``
#: (run, compare, a sweep point: the engine outcomes the scenario keeps, 14 to 32, counted
#: per scenario), ``precision`` (runs to a precision: the batches and their join, twice
#: those), ``drivers`` (sensitivity: outcomes, shock, order value and
#: :data:`DRIVERS_PER_GROUP` inputs per group and :data:`DRIVERS_PER_POOL` per pool: its
#: levels and shared factors), ``swing`` (three outputs), ``sobol`` (one
#: output per input and base matrix, 5 at most; it draws two sets per chunk) and ``timeline``
#: (series and totals, counted from the horizon).
#: A named creator's values kept per campaign (engine.vectorized.CREATOR_METRICS; a
#: literal, as the engine imports this module).
CREATOR_VALUES = 8
USAGES = ("outcomes", "precision", "drivers", "swing", "sobol", "timeline")
_KEPT = {"outcomes": 0, "precision": 0, "drivers": 2, "swing": 3, "sobol": 5, "timeline": 30}
#: The usages that also keep every outcome the scenario keeps, and how many times.
_KEPT_OUTCOMES = {"outcomes": 1, "precision": 2, "drivers": 1}
DRIVERS_PER_GROUP = 8
#: A pool's campaign-level inputs at most: engagement, reach, conversion, fee, followers, fake
#: share, overhead and the six quantities of amplification can each have a level or shared
#: factor.
DRIVERS_PER_POOL = 13
#: Arrays of campaigns the statistics copy beyond the kept outcomes (one metric at a time:
#: its finite values, a sorted copy, the tail).
SUMMARY_COPIES = 3
#: What the command line calls the arguments the estimate names.
OPTIONS = {
    "campaigns": "--campaigns",
    "max_campaigns": "--max-campaigns",
    "chunk_size": "--chunk-size",
    "workers": "--workers",
}

_UNITS = {"": 1, "k": 2**10, "m": 2**20, "g": 2**30, "t": 2**40, "p": 2**50}
_SIZE_TEXT = re.compile(r"^\s*([0-9]*\.?[0-9]+(?:e[+-]?[0-9]+)?)\s*([kmgtp]?)(i?b)?\s*$", re.I)
_SHARE_TEXT = re.compile(r"^\s*([0-9]*\.?[0-9]+)\s*%\s*$")


@dataclass(frozen=True)
class Key:
    """Where a size was set: a file (None: an option or argument) and its key path."""

    source: str | None
    path: str


@dataclass(frozen=True)
class Part:
    """One part of a run's memory: what it is, its bytes, the key that sizes it, what that key
    says (``1,000,000,000,000 creators``) and how the bytes were counted."""

    what: str
    bytes: float
    key: Key
    cause: str
    detail: str


@dataclass(frozen=True)
class Footprint:
    """A run's estimated peak memory, part by part; its work in creator draws (slots x
    campaigns) and seed blocks; and what would make a part fit (a smaller chunk)."""

    parts: tuple[Part, ...]
    creator_draws: float
    blocks: int
    notes: tuple[tuple[str, float], ...] = field(default=())  # (what would fit, its bytes)

    @property
    def total(self) -> float:
        return sum(part.bytes for part in self.parts)

    @property
    def largest(self) -> Part:
        return max(self.parts, key=lambda part: part.bytes)


def format_bytes(size: float) -> str:
    """``17.6 GiB``: powers of 1024, three significant figures."""
    if not math.isfinite(size):
        return "an unbounded amount"
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if abs(size) < 1024:
            return f"{size:,.0f} {unit}" if unit == "B" else f"{size:.3g} {unit}"
        size /= 1024
    return f"{size:,.3g} EiB"


def _count(value: float) -> str:
    """A count as the user would read it: ``1,000,000,000,000``, or ``1e+300``."""
    if not math.isfinite(value):
        return str(value)
    return f"{value:,.0f}" if abs(value) < 1e18 else f"{value:.3g}"


def physical_memory() -> int | None:
    """Bytes of physical memory, or of the cgroup (container) limit when that is lower."""
    try:
        total: int | None = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        total = None
    for path in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            text = Path(path).read_text().strip()
        except OSError:
            continue
        if text.isdigit() and (total is None or int(text) < total):
            total = int(text)
    return total


def memory_limit() -> tuple[float, str]:
    """The memory a run may use, in bytes, and where that limit comes from (for messages).

    :data:`ENV` set: bytes with an optional unit (``8G``, ``512MiB``, ``2.5e9``; K, M, G, T,
    P, with or without ``iB``/``B``, are powers of 1024) or a share of the physical memory
    (``50%``). Unset: :data:`DEFAULT_SHARE` of the physical memory."""
    text = os.environ.get(ENV, "")
    physical = physical_memory()
    if not text.strip():
        if physical is None:
            return math.inf, "the physical memory is unknown"
        return (
            DEFAULT_SHARE * physical,
            f"{DEFAULT_SHARE:.0%} of the {format_bytes(physical)} of memory; set {ENV} to "
            "change it",
        )
    share = _SHARE_TEXT.match(text)
    if share is not None:
        if physical is None:
            raise InputError.single(
                None, ENV, f"{text[:80]!r}: a share needs the physical memory, which is unknown"
            )
        return float(share.group(1)) / 100 * physical, f"{ENV}={text.strip()}"
    size = _SIZE_TEXT.match(text)
    if size is None or not math.isfinite(float(size.group(1))):
        raise InputError.single(
            None,
            ENV,
            f"{text[:80]!r} is not a memory size: write bytes with an optional unit "
            "(8G, 512MiB, 2.5e9) or a share of the physical memory (50%)",
        )
    return float(size.group(1)) * _UNITS[size.group(2).lower()], f"{ENV}={text.strip()}"


def _slots(group: Any) -> float:
    """Creator slots the engine holds for a group in a chunk: the count, or for a budget group
    the most creators a campaign of the chunk is likely to hire, ``t + 2 sqrt(t) + 4`` with
    ``t`` what the budget buys at the mean fee (measured: 23 rows for t = 16.5, 182 for 165,
    16,631 for 16,471), at most the cap of :class:`~campaign_sim.engine.draws.Layout`. Floats:
    sizes may be astronomical."""
    if group.count is not None:
        return float(group.count)
    from campaign_sim.engine.draws import BUDGET_CAP_QUANTILE

    fee = group.dist("fee")
    k = float(group.deliverables)
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        cheapest = float(fee.ppf(BUDGET_CAP_QUANTILE)) * k
        mean = float(fee.mean()) * k
    cap = _floor(group.budget / cheapest + 1) if cheapest > 0 else math.inf
    typical = group.budget / mean if mean > 0 else math.inf
    likely = math.ceil(typical + 2 * math.sqrt(typical) + 4) if typical < 1e15 else typical
    return min(cap, float(likely))


def _floor(value: float) -> float:
    return float(math.floor(value)) if math.isfinite(value) else math.inf


@dataclass(frozen=True)
class _Sized:
    """A group's size: slots (or slots x deliverables), its key, what the key says."""

    size: float
    key: Key
    cause: str


def _group_sizes(scenario: Any, strategy: Any, index: int, group: Any) -> tuple[_Sized, _Sized]:
    """A group's creator slots and deliverable slots, each with the key that sizes it."""
    where = f"strategies.{strategy.name}.groups[{index}]"
    slots = _slots(group)
    if group.count is not None:
        by = _Sized(slots, Key(scenario.source, f"{where}.count"), f"{_count(slots)} creators")
    else:
        try:
            written = scenario.model.strategies[strategy.name].groups[index]
            share = getattr(written, "share", None)
        except (AttributeError, KeyError, IndexError, TypeError):
            share = None
        if share is not None and strategy.budget is not None:
            by = _Sized(
                slots,
                Key(scenario.source, f"strategies.{strategy.name}.budget"),
                f"a budget of {_count(strategy.budget)} ({where} hires about "
                f"{_count(slots)} creators with its share {share:g})",
            )
        else:
            by = _Sized(
                slots,
                Key(scenario.source, f"{where}.budget"),
                f"a budget of {_count(group.budget)} (about {_count(slots)} creators)",
            )
    k = group.deliverables
    if k > max(slots, 1):
        posts = _Sized(
            slots * k, Key(scenario.source, f"{where}.deliverables"), f"{_count(k)} deliverables"
        )
    else:
        posts = replace(by, size=slots * k)
    return by, posts


@dataclass
class _Pools:
    """Creator slots per pool (the most any strategy stacks there), deliverable slots, and
    the group that sizes each most."""

    rows: dict[str, float] = field(default_factory=dict)
    posts: dict[str, float] = field(default_factory=dict)
    largest: _Sized | None = None
    largest_posts: _Sized | None = None

    @classmethod
    def of(cls, scenario: Any) -> _Pools:
        out = cls()
        for strategy in scenario.strategies:
            rows: dict[str, float] = {}
            posts: dict[str, float] = {}
            for index, group in enumerate(strategy.groups):
                by, post = _group_sizes(scenario, strategy, index, group)
                rows[group.pool] = rows.get(group.pool, 0.0) + by.size
                posts[group.pool] = posts.get(group.pool, 0.0) + post.size
                if out.largest is None or by.size > out.largest.size:
                    out.largest = by
                if out.largest_posts is None or post.size > out.largest_posts.size:
                    out.largest_posts = post
            for pool, value in rows.items():
                out.rows[pool] = max(out.rows.get(pool, 0.0), value)
                out.posts[pool] = max(out.posts.get(pool, 0.0), posts[pool])
        return out


def _in_flight(workers: Any, executor: Any, scheduler: str | None, items: int) -> int:
    """Items (chunks, sweep points) in memory at once on this machine: one per local worker
    (processes: at most one per core), at most the items; a remote Dask cluster: one."""
    from campaign_sim.engine.executors import Executor, check_workers

    if isinstance(executor, Executor):
        count = executor.workers or os.cpu_count() or 1
        remote = getattr(executor, "scheduler", None) is not None
    else:
        count = check_workers(workers)
        remote = scheduler is not None
        if executor != "dask" and not remote:
            count = min(count, os.cpu_count() or 1)
    return 1 if remote else max(1, min(count, items))


def footprint(
    scenario: Any,
    *,
    campaigns: int,
    campaigns_key: Key,
    chunk_size: int,
    chunk_key: Key = Key(None, "chunk_size"),
    in_flight: int = 1,
    workers_key: Key = Key(None, "workers"),
    usage: str = "outcomes",
    timeline: Any = None,
    copies: int = 1,
) -> Footprint:
    """The memory a run of ``campaigns`` campaigns of ``scenario`` needs at its peak, part by
    part, each with the key that sizes it (the module's docstring has the formula).

    ``in_flight``: chunks in memory at once; ``usage`` (one of :data:`USAGES`): what the run
    keeps per campaign; ``timeline``: the
    :class:`~campaign_sim.scenario.timeline.TimelinePlan` of a timeline run; ``copies``:
    copies of the kept outcomes (3 when every campaign's outcomes are also written as a
    table)."""
    if usage not in USAGES:
        raise ValueError(f"usage must be one of {', '.join(USAGES)}, not {usage!r}")
    strategies = len(scenario.strategies)
    blocks = -(-campaigns // BLOCK)
    per_chunk = max(1, chunk_size // BLOCK)
    chunk = min(per_chunk * BLOCK, campaigns)
    flying = max(1, min(in_flight, -(-blocks // per_chunk)))
    pools = _Pools.of(scenario)
    runs = f"{_count(campaigns)} campaigns"
    parts: list[Part] = []
    notes: list[tuple[str, float]] = []

    def chunk_part(what: str, size: float, by: _Sized, detail: str) -> None:
        if chunk > BLOCK or flying > 1:
            smaller = size * BLOCK / chunk
            options = f"{chunk_key.path} {BLOCK}" if chunk > BLOCK else ""
            if flying > 1:
                options += (" and " if options else "") + f"{workers_key.path} 1"
            notes.append((f"{what} with {options}: {format_bytes(smaller)}", smaller))
        if flying > 1:
            detail += f", x {flying} chunks at once ({workers_key.path})"
        parts.append(Part(what, size * flying, by.key, by.cause, detail))

    timeline_run = usage == "timeline"
    slots = sum(pools.rows.values())
    amplified = AMPLIFIED_SLOT_BYTES if "amplification" in scenario.mechanisms else 0
    per_slot = ((TIMELINE_SLOT_BYTES if timeline_run else SLOT_BYTES) + amplified) * (
        2 if usage == "sobol" else 1
    )
    chunk_text = f"{_count(chunk)} campaigns per chunk"
    if pools.largest is not None:
        chunk_part(
            "one chunk of creator draws",
            per_slot * slots * chunk + 20 * 8 * strategies * chunk,
            pools.largest,
            f"{_count(slots)} creator slots x {chunk_text} x {per_slot} bytes",
        )
    kept_values = float(_KEPT[usage] + _KEPT_OUTCOMES.get(usage, 0) * len(scenario.outcomes))
    # Each named creator's own outcomes (engine.vectorized.CREATOR_METRICS), per strategy.
    named = max(sum(g.creator is not None for g in s.groups) for s in scenario.strategies)
    kept_values += _KEPT_OUTCOMES.get(usage, 0) * CREATOR_VALUES * named
    kept_by = _Sized(campaigns, campaigns_key, runs)
    if usage == "drivers":
        kept_values += DRIVERS_PER_GROUP * max(len(s.groups) for s in scenario.strategies)
        kept_values += DRIVERS_PER_POOL * max(
            len({g.pool for g in s.groups}) for s in scenario.strategies
        )
    if timeline_run:
        horizon = float(timeline.horizon_days)
        longest = max(("window_days", "attribution_days"), key=lambda k: getattr(timeline, k))
        days = _Sized(
            horizon,
            Key(scenario.source, f"timeline.{longest}"),
            f"a {longest.removesuffix('_days')} of {_count(getattr(timeline, longest))} days",
        )
        posts = sum(pools.posts.values())
        if pools.largest_posts is not None:
            chunk_part(
                "one chunk of deliverables",
                POST_BYTES * posts * chunk,
                pools.largest_posts,
                f"{_count(posts)} deliverable slots x {chunk_text} x {POST_BYTES} bytes",
            )
        horizon_text = f"{_count(horizon)} horizon days (window + attribution - 1)"
        chunk_part(
            "one chunk of daily series",
            DAY_BYTES * chunk * horizon,
            days,
            f"{horizon_text} x {chunk_text} x {DAY_BYTES} bytes",
        )
        parts.append(
            Part(
                "the lag matrix of daily orders",
                LAG_BYTES * horizon * horizon,
                days.key,
                days.cause,
                f"({horizon_text})^2 x {LAG_BYTES} bytes",
            )
        )
        kept_values += 5 * horizon
        if horizon > campaigns * strategies:
            kept_by = days
        kept_detail = (
            f"{runs} x {strategies} strategies x (5 x {_count(horizon)} days + "
            f"{_KEPT['timeline']} totals) x 8 bytes"
        )
    else:
        kept_detail = f"{runs} x {strategies} strategies x {kept_values:.0f} values x 8 bytes"
    if copies > 1:
        kept_detail += f", x {copies} copies"
    parts.append(
        Part(
            "the kept outcomes of every campaign",
            8.0 * campaigns * (strategies * kept_values * copies + SUMMARY_COPIES),
            kept_by.key,
            kept_by.cause,
            kept_detail,
        )
    )
    parts.append(
        Part(
            "the seed blocks",
            float(BLOCK_BYTES * blocks),
            campaigns_key,
            runs,
            f"{_count(blocks)} blocks of {BLOCK:,} campaigns x {BLOCK_BYTES} bytes",
        )
    )
    return Footprint(tuple(parts), slots * campaigns, blocks, tuple(notes))


def check_footprint(
    estimate: Footprint, *, where: str = "", limit: tuple[float, str] | None = None
) -> Footprint:
    """``estimate``, or :class:`~campaign_sim.errors.InputError` naming the key of its largest
    part when it passes the memory limit (:func:`memory_limit`); ``where`` opens the message
    (``at sweep point 3 (count = 10): ``)."""
    size, origin = memory_limit() if limit is None else limit
    total = estimate.total
    if total <= size:
        return estimate
    part = estimate.largest
    others = "".join(
        f"; {p.what}: {format_bytes(p.bytes)}"
        for p in estimate.parts
        if p is not part and p.bytes >= 0.01 * total
    )
    hint = ""
    for note, smaller in estimate.notes:
        if note.startswith(part.what) and total - part.bytes + smaller <= size:
            hint = f" ({note}, which would fit)"
    message = (
        f"{where}{part.cause}: the run would need about {format_bytes(total)} of memory, more "
        f"than the limit of {format_bytes(size)} ({origin}); {part.what}: "
        f"{format_bytes(part.bytes)} = {part.detail}{hint}{others}"
    )
    raise InputError(part.key.source, [Problem(part.key.path, message)])


def _campaigns_key(
    scenario: Any, campaigns: int | None, name: str, names: Mapping[str, str]
) -> tuple[int, Key]:
    if campaigns is None:
        return scenario.campaigns, Key(scenario.source, "simulation.campaigns")
    return campaigns, Key(None, names.get(name, name))


def check_run(
    scenario: Any,
    *,
    campaigns: int | None,
    chunk_size: int,
    workers: Any = 1,
    executor: Any = None,
    scheduler: str | None = None,
    usage: str = "outcomes",
    timeline: Any = None,
    copies: int = 1,
    names: Mapping[str, str] | None = None,
    campaigns_name: str = "campaigns",
) -> Footprint:
    """:func:`footprint` of a run, checked against the limit: the one check every simulating
    function makes (through :func:`~campaign_sim.engine.runner.run_settings`) and every command
    makes first (with ``names=OPTIONS``), before it draws anything or creates a folder.

    ``campaigns`` None: the scenario's ``simulation.campaigns``, named in its file; otherwise
    named ``campaigns_name``. ``names`` maps argument names (:data:`OPTIONS`' keys) to what the
    caller calls them. ``workers``, ``executor``, ``scheduler``: as for
    :func:`~campaign_sim.engine.executors.make_executor` (how many chunks are in memory)."""
    names = names or {}
    count, key = _campaigns_key(scenario, campaigns, campaigns_name, names)
    per_chunk = max(1, chunk_size // BLOCK)
    estimate = footprint(
        scenario,
        campaigns=count,
        campaigns_key=key,
        chunk_size=chunk_size,
        chunk_key=Key(None, names.get("chunk_size", "chunk_size")),
        in_flight=_in_flight(workers, executor, scheduler, -(-count // (per_chunk * BLOCK))),
        workers_key=Key(None, names.get("workers", "workers")),
        usage=usage,
        timeline=timeline,
        copies=copies,
    )
    return check_footprint(estimate)


def check_sweep(
    sweep: Any,
    *,
    campaigns: int | None,
    campaigns_key: Key | None = None,
    chunk_size: int | None,
    engine: str = "vectorized",
    workers: Any = 1,
    executor: Any = None,
    scheduler: str | None = None,
    names: Mapping[str, str] | None = None,
) -> list[Footprint]:
    """Every point of a sweep (:class:`~campaign_sim.sweep.spec.Sweep`) checked as the run it
    is, before the sweep starts: a point runs whole in one worker, so as many points as
    workers are in memory at once. A refusal names the point and, for a key one of the axes
    sets, the sweep file (or ``--vary``). ``campaigns`` None: each point's own
    ``simulation.campaigns``; ``campaigns_key``: where ``campaigns`` was set (default: the
    ``--campaigns`` option)."""
    from campaign_sim.engine.runner import DEFAULT_CHUNK

    if not all(_whole(v) for v in (campaigns, chunk_size) if v is not None):
        return []  # a bad argument: each point's run_settings names it
    names = names or {}
    chunk = chunk_size or (BLOCK if engine == "timeline" else DEFAULT_CHUNK)
    points = sweep.points
    flying = _in_flight(workers, executor, scheduler, len(points))
    limit = memory_limit()
    out = []
    for point in points:
        scenario = point.scenario
        if campaigns is None:
            count, key = _campaigns_key(scenario, None, "campaigns", names)
        else:
            count = campaigns
            key = campaigns_key or Key(None, names.get("campaigns", "campaigns"))
        plan = None
        if engine == "timeline":
            from campaign_sim.scenario.timeline import timeline_plan

            plan = timeline_plan(scenario)
        estimate = footprint(
            scenario,
            campaigns=count,
            campaigns_key=key,
            chunk_size=chunk,
            chunk_key=Key(None, names.get("chunk_size", "chunk_size")),
            usage="timeline" if engine == "timeline" else "outcomes",
            timeline=plan,
        )
        if flying > 1:
            detail = f", x {flying} points at once ({names.get('workers', 'workers')})"
            estimate = replace(
                estimate,
                parts=tuple(
                    replace(p, bytes=p.bytes * flying, detail=p.detail + detail)
                    for p in estimate.parts
                ),
                notes=tuple((note, size * flying) for note, size in estimate.notes),
            )
        try:
            out.append(check_footprint(estimate, limit=limit))
        except InputError as exc:
            raise _at_point(sweep, point, estimate, limit, exc) from None
    return out


def _whole(value: Any) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool) and bool(value >= 1)


def _at_point(
    sweep: Any, point: Any, estimate: Footprint, limit: tuple[float, str], error: InputError
) -> InputError:
    """A point's refusal, saying which point unless no axis sets the key and it is the first
    point; moved to the sweep file (or ``--vary``) when an axis sets the key."""
    path = error.problems[0].path
    varied = any(
        path in {*axis.paths, *(p for _, linked, _ in axis.linked for p in linked)}
        for axis in sweep.axes
    )
    if varied or point.index > 0:
        settings = ", ".join(f"{name} = {value}" for name, value in point.values.items())
        where = f"at sweep point {point.index + 1} of {len(sweep.points)} ({settings}): "
        try:
            check_footprint(estimate, where=where, limit=limit)
        except InputError as exc:
            error = exc
    if not varied:
        return error
    if sweep.source is None:
        return InputError(None, [replace(p, path=f"--vary {p.path}") for p in error.problems])
    return InputError(sweep.source, error.problems)
