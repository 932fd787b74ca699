"""What a whole-number count costs: ``count_quantile`` (campaign_sim/random/counts.py) against
the implementation before pmf steps (copied below as ``_old_count_quantile``, stepping with
scipy's CDF alone), in ns a value, best of ``--repeat`` interleaved runs each, serial. The
two are checked to agree bit for bit on every row.

Rows: Poisson means 10, 100, 1,000 and 10,000 and negative binomial dispersion 4 at the same
means, each on ``--values`` uniforms (one mean a row).

Usage: python benchmarks/bench_counts.py [--values 1000000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np
from scipy import special

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from campaign_sim.random.counts import count_quantile  # noqa: E402


def _old_count_quantile(u, mean, dispersion=1.0):
    """count_quantile as it was before pmf steps (tests/test_counts.py holds the same copy)."""
    u, mean = np.broadcast_arrays(np.asarray(u, float), np.asarray(mean, float))
    if dispersion < 1:
        raise ValueError(f"dispersion(={dispersion}) must be >= 1")
    out = np.zeros(u.shape)
    live = mean > 0
    if not live.any():
        return out
    q, mu = u[live], mean[live]
    cdf = _old_cdf(mu, dispersion)
    z = special.ndtri(np.clip(q, 1e-300, 1 - 1e-16))
    sd = np.sqrt(dispersion * mu)
    skew = (2 * dispersion - 1) / sd
    k = np.maximum(np.floor(mu + sd * (z + skew * (z * z - 1) / 6)), 0.0)
    low = cdf(k) < q
    while low.any():
        k[low] += 1
        low[low] = cdf(k[low], low) < q[low]
    high = k > 0
    high[high] = cdf(k[high] - 1, high) >= q[high]
    while high.any():
        k[high] -= 1
        high[high] = k[high] > 0
        high[high] = cdf(k[high] - 1, high) >= q[high]
    out[live] = k
    return out


def _old_cdf(mu, dispersion):
    if dispersion == 1:
        return lambda k, where=None: special.pdtr(k, mu if where is None else mu[where])
    size = mu / (dispersion - 1)
    p = 1 / dispersion
    return lambda k, where=None: special.betainc(size if where is None else size[where], k + 1, p)


def _ns_per_value(u: np.ndarray, mean: np.ndarray, dispersion: float, repeat: int):
    """Best wall times of ``repeat`` calls of the old and the new function, in ns a value
    (interleaved, so that both see the same load), and whether they agreed every time."""
    best, same = [np.inf, np.inf], True
    for _ in range(repeat):
        got = []
        for i, f in enumerate((_old_count_quantile, count_quantile)):
            start = time.perf_counter()
            got.append(f(u, mean, dispersion))
            best[i] = min(best[i], time.perf_counter() - start)
        same &= np.array_equal(*got)
    return best[0] / u.size * 1e9, best[1] / u.size * 1e9, same


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--values", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    u = np.random.default_rng(2026).random(args.values)
    machine = f"{platform.machine()}, {os.cpu_count()} cores, numpy {np.__version__}"
    print(f"{machine}, {args.values:,} values")
    print(f"{'count':<22}{'mean':>8}{'old ns':>10}{'new ns':>10}{'speed-up':>10}")
    for dispersion in (1.0, 4.0):
        name = "Poisson" if dispersion == 1 else f"neg. binomial, disp. {dispersion:g}"
        for m in (10.0, 100.0, 1_000.0, 10_000.0):
            mean = np.full(args.values, m)
            old, new, same = _ns_per_value(u, mean, dispersion, args.repeat)
            assert same, (dispersion, m)
            print(f"{name:<22}{m:>8,.0f}{old:>10,.0f}{new:>10,.0f}{old / new:>9.1f}x")


if __name__ == "__main__":
    main()
