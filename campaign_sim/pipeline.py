"""The steps of a command as one call each: what ``run``, ``compare`` and ``sensitivity`` do,
for a notebook as for the command line.

>>> from campaign_sim import load_scenario, run_scenario, write_run
>>> scenario = load_scenario("scenarios/coffee-launch.yaml")
>>> result = run_scenario(scenario, campaigns=10_000, compare=("nano_heavy", "micro_heavy"))
>>> write_run("results/coffee", result)                       # doctest: +SKIP
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from campaign_sim.analysis.compare import Comparison
from campaign_sim.analysis.compare import compare as compare_strategies
from campaign_sim.analysis.convergence import Convergence, run_to_precision, tail_warnings
from campaign_sim.analysis.stats import Summary, summarize
from campaign_sim.engine.executors import Executor
from campaign_sim.engine.limits import check_run
from campaign_sim.engine.runner import DEFAULT_CHUNK, run_settings
from campaign_sim.engine.vectorized import Outcomes, simulate
from campaign_sim.errors import InputError, shown
from campaign_sim.metrics import check_outcome
from campaign_sim.random.sampling import Sampling
from campaign_sim.scenario.plan import Scenario

__all__ = [
    "RunResult",
    "SensitivityResult",
    "analyse_sensitivity",
    "pair",
    "run_scenario",
    "scenario_sampling",
]


def scenario_sampling(
    scenario: Scenario, method: str | None = None, antithetic: bool | None = None
) -> Sampling:
    """The sampling of a run: the scenario's ``simulation.sampling`` and ``antithetic``, each
    overridden when given."""
    asked = scenario.model.simulation
    return Sampling.of(
        method or asked.sampling, asked.antithetic if antithetic is None else antithetic
    )


def pair(scenario: Scenario, a: str | None = None, b: str | None = None) -> tuple[str, str]:
    """The two strategies a comparison takes: ``a`` and ``b``, or the scenario's first two;
    a strategy is not compared with itself."""
    if (a is None) != (b is None):
        raise InputError.single(None, "strategies", "give both strategies A and B, or neither")
    if a is None or b is None:
        names = [s.name for s in scenario.strategies]
        if len(names) < 2:
            raise InputError.single(
                scenario.source, "strategies", "compare needs at least two strategies"
            )
        return names[0], names[1]
    scenario.strategy(a)
    scenario.strategy(b)
    if a == b:
        names = [s.name for s in scenario.strategies if s.name != a]
        others = f"; the others: {', '.join(names)}" if names else ""
        raise InputError.single(
            None,
            "A, B",
            f"both are {shown(a)}: compare needs two different strategies{others}",
        )
    return a, b


@dataclass(frozen=True)
class RunResult:
    """A simulated scenario: outcomes, their summary, and what the manifest records."""

    scenario: Scenario
    outcomes: Outcomes
    summary: Summary
    seconds: float
    settings: dict[str, Any]
    convergence: Convergence | None = None
    comparison: Comparison | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def command(self) -> str:
        return "compare" if self.comparison is not None else "run"


def run_scenario(
    scenario: Scenario,
    *,
    campaigns: int | None = None,
    seed: int | None = None,
    sampling: str | None = None,
    antithetic: bool | None = None,
    precision: float | None = None,
    max_campaigns: int = 1_000_000,
    compare: tuple[str | None, str | None] | None = None,
    chunk_size: int = DEFAULT_CHUNK,
    workers: int = 1,
    executor: Executor | str | None = None,
    scheduler: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> RunResult:
    """Simulate every strategy, summarize, and compare two of them when ``compare`` is given
    (``(a, b)``, or ``(None, None)`` for the first two).

    ``precision`` (a fraction) runs whole seed blocks until every strategy's mean ROI and
    P(loss) are that precise (95% CI half-width), up to ``max_campaigns``, instead of
    ``campaigns``. ``progress(done, planned)`` is called as chunks finish.
    """
    chosen = scenario_sampling(scenario, sampling, antithetic)
    pair_names = pair(scenario, *compare) if compare is not None else None
    with run_settings(
        scenario,
        campaigns=max_campaigns if precision is not None else campaigns,
        campaigns_name="max_campaigns" if precision is not None else "campaigns",
        seed=seed,
        sampling=chosen,
        chunk_size=chunk_size,
        workers=workers,
        executor=executor,
        scheduler=scheduler,
        usage="precision" if precision is not None else "outcomes",
    ) as run:
        started = time.perf_counter()
        converged = None
        if precision is not None:
            converged = run_to_precision(
                scenario,
                precision=precision,
                max_campaigns=run.campaigns,
                seed=run.seed,
                sampling=run.sampling,
                chunk_size=run.chunk_size,
                executor=run.executor,
                progress=progress,
            )
            outcomes = converged.outcomes
        else:
            done = [0]

            def advance(size: int) -> None:
                done[0] += size
                if progress is not None:
                    progress(done[0], run.campaigns)

            outcomes = simulate(
                scenario,
                campaigns=run.campaigns,
                seed=run.seed,
                chunk_size=run.chunk_size,
                executor=run.executor,
                sampling=run.sampling,
                progress=advance,
            )
        seconds = time.perf_counter() - started
        labels = {s.name: s.label for s in scenario.strategies}
        summary = summarize(outcomes, labels=labels, roi_target=scenario.roi_target)
        settings: dict[str, Any] = {
            "executor": run.executor.label,
            "workers": workers,
            "chunk_size": run.chunk_size,
            "sampling": outcomes.sampling.method,
            "antithetic": outcomes.sampling.antithetic,
        }
        if converged is not None:
            settings.update(
                precision=converged.precision,
                max_campaigns=converged.max_campaigns,
                converged=converged.converged,
            )
        comparison = None
        if pair_names is not None:
            settings.update(a=pair_names[0], b=pair_names[1])
            comparison = compare_strategies(outcomes, *pair_names)
        return RunResult(
            scenario,
            outcomes,
            summary,
            seconds,
            settings,
            converged,
            comparison,
            tail_warnings(summary, outcomes),
        )


@dataclass(frozen=True)
class SensitivityResult:
    """What drives an output: ranked inputs, swings (the tornado), the variance split into
    what a pilot could learn, campaign-to-campaign variation and creator luck, and Sobol
    indices."""

    scenario: Scenario
    output: str
    strategies: tuple[str, ...]
    campaigns: int
    seed: int
    sampling: Sampling
    ranked: pd.DataFrame
    swung: pd.DataFrame
    sobol: pd.DataFrame | None
    timings: dict[str, float]
    executor: str = "serial"  # where it ran (the manifest's record)
    split: pd.DataFrame | None = None  # variance_split: pilot / campaign / creator luck


def analyse_sensitivity(
    scenario: Scenario,
    *,
    output: str = "roi",
    strategies: tuple[str, ...] = (),
    campaigns: int | None = None,
    seed: int | None = None,
    sampling: str | None = None,
    sobol: bool = False,
    split: bool = True,
    chunk_size: int = DEFAULT_CHUNK,
    workers: int = 1,
    executor: Executor | str | None = None,
    scheduler: str | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> SensitivityResult:
    """Rank every input of ``strategies`` (default: all) by its effect on ``output``, swing
    each scenario-level input from P10 to P90, split the variance into what a pilot could
    learn, campaign-to-campaign variation and creator luck (``split``), and (``sobol``)
    Sobol indices.

    ``progress(step, done, total)`` with step "rank" (campaigns), "swing" (simulations),
    "split" or "sobol" (campaigns).
    """
    from campaign_sim.analysis.sensitivity import (
        collect_drivers,
        rank_sensitivity,
        sobol_indices,
        swing,
        swing_inputs,
        variance_split,
    )

    check_outcome(output)
    for name in strategies:
        scenario.strategy(name)
    if sobol:
        _need_salib()
    chosen = strategies or tuple(s.name for s in scenario.strategies)
    with run_settings(
        scenario,
        campaigns=campaigns,
        seed=seed,
        sampling=scenario_sampling(scenario, sampling),
        chunk_size=chunk_size,
        workers=workers,
        executor=executor,
        scheduler=scheduler,
        min_campaigns=8,
        usage="drivers",
    ) as run:
        if sobol or split:  # the last steps, checked before the first
            check_run(
                scenario,
                campaigns=campaigns,
                chunk_size=run.chunk_size,
                executor=run.executor,
                usage="sobol",
            )
        common: dict[str, Any] = {
            "campaigns": run.campaigns,
            "seed": run.seed,
            "chunk_size": run.chunk_size,
            "executor": run.executor,
        }

        def step(name: str, total: int) -> Callable[[int], None]:
            done = [0]

            def advance(size: int) -> None:
                done[0] += size
                if progress is not None:
                    progress(name, done[0], total)

            return advance

        timings: dict[str, float] = {}

        def timed(name: str, compute: Callable[[], Any]) -> Any:
            started = time.perf_counter()
            result = compute()
            timings[name] = round(time.perf_counter() - started, 3)
            return result

        ranked = timed(
            "rank",
            lambda: rank_sensitivity(
                collect_drivers(
                    scenario, sampling=run.sampling, progress=step("rank", run.campaigns), **common
                ),
                output=output,
                strategies=chosen,
            ),
        )
        swung = timed(
            "swing",
            lambda: _of_strategies(
                swing(
                    scenario,
                    output=output,
                    sampling=run.sampling,
                    progress=step("swing", 2 * len(swing_inputs(scenario))),
                    **common,
                ),
                chosen,
            ),
        )
        shares = (
            timed(
                "split",
                lambda: _of_strategies(
                    variance_split(
                        scenario, output=output, progress=step("split", run.campaigns), **common
                    ),
                    chosen,
                ),
            )
            if split
            else None
        )
        indices = (
            timed(
                "sobol",
                lambda: _of_strategies(
                    sobol_indices(
                        scenario, output=output, progress=step("sobol", run.campaigns), **common
                    ),
                    chosen,
                ),
            )
            if sobol
            else None
        )
        return SensitivityResult(
            scenario,
            output,
            chosen,
            run.campaigns,
            run.seed,
            run.sampling,
            ranked,
            swung,
            indices,
            timings,
            run.executor.label,
            shares,
        )


def _need_salib() -> None:
    try:
        import SALib  # noqa: F401
    except ImportError:
        raise InputError.single(
            None,
            "--sobol",
            "Sobol indices need SALib: pip install 'campaign-sim[sensitivity]'",
        ) from None


def _of_strategies(frame: pd.DataFrame, chosen: tuple[str, ...]) -> pd.DataFrame:
    """The rows of ``frame`` about the ``chosen`` strategies (an empty table as it is)."""
    return frame[frame["strategy"].isin(chosen)] if not frame.empty else frame
