"""The calendar of one campaign on SimPy: who waits for which manager, when each post goes live.

Every hired creator is a process: onboarding (manager time), then per deliverable production
(creator time) and review rounds (manager time, with the creator's revision in between), then
the approved deliverable goes live on the next free posting day. The brand's managers are one
:class:`simpy.PriorityResource`: reviews of content in flight come before onboarding new
creators, first come first served within each. The clock runs in days from the campaign start;
the simulation stops at the end of the window, and a deliverable not live by then is lost.
"""

from __future__ import annotations

import bisect
import math
from operator import attrgetter
from typing import Any

import simpy
from simpy.resources.resource import SortedQueue

from campaign_sim.scenario.timeline import TimelinePlan

__all__ = ["LOST", "NOT_DELIVERED", "NOT_HIRED", "Managers", "schedule_campaign"]

#: Post-day codes for deliverables that never go live.
LOST = -1  # the creator delivers, but the post could not go live inside the window
NOT_DELIVERED = -2  # the creator never delivers (d_j = 0 in docs/model.md)
NOT_HIRED = -3  # a budget group's row that its budget did not reach

REVIEW, ONBOARDING = 0, 1  # request priorities: lower is served first
#: Tolerance for the day a post is approved: sums of fractional days land within 1e-9 of a day.
DAY_EPS = 1e-9

_key = attrgetter("key")


class _WaitingLine(SortedQueue):
    """simpy's sorted put queue, kept sorted by insertion (bisect) instead of a full sort on
    every request: the same order (priority, then request time, first come first served)."""

    def append(self, item: Any) -> None:
        bisect.insort_right(self, item, key=_key)


class Managers(simpy.PriorityResource):
    """The brand's campaign managers: a :class:`simpy.PriorityResource`."""

    PutQueue = _WaitingLine


def schedule_campaign(
    plan: TimelinePlan,
    hired: list[bool],
    delivers: list[bool],
    deliverables: list[int],
    production: list[float],
) -> tuple[list[int], float]:
    """Run one campaign of one strategy.

    Arguments are per creator slot, in hiring order: hired, delivers, deliverables, production
    days per deliverable. Returns the go-live day of every deliverable (creator by creator, or
    one of the codes :data:`LOST`, :data:`NOT_DELIVERED`, :data:`NOT_HIRED`) and the manager-days
    worked inside the window.
    """
    env = simpy.Environment()
    timeout = env.timeout
    window = plan.window_days
    # Unlimited: a manager for every creator, so that no request ever waits.
    managers = Managers(env, plan.managers or max(1, sum(hired)))
    request, release = managers.request, managers.release
    onboarding, review = plan.onboarding_days, plan.review_days
    rounds, revision = plan.review_rounds, plan.revision_days
    start, every, per_slot = plan.start_day, plan.every_days, plan.per_slot
    slots: dict[int, int] = {}
    posts: list[int] = []
    busy = 0.0

    def go_live(now: float) -> int:
        day = max(math.floor(now + DAY_EPS), start)
        late = (day - start) % every
        if late:
            day += every - late
        if per_slot is not None:
            while slots.get(day, 0) >= per_slot:
                day += every
        if day >= window:
            return LOST
        if per_slot is not None:
            slots[day] = slots.get(day, 0) + 1
        return day

    def creator(first: int, count: int, days: float):
        """Onboarding, then ``count`` deliverables: production, review rounds, posting.

        A manager's task: queue (unless a manager is free: no wait), work, release."""
        nonlocal busy
        if onboarding:
            task = request(ONBOARDING)
            if not task.triggered:
                yield task
            busy += min(onboarding, window - env.now)
            yield timeout(onboarding)
            release(task)
        for index in range(first, first + count):
            if days:
                yield timeout(days)
            for round_ in range(rounds):
                if round_ and revision:
                    yield timeout(revision)
                if review:
                    task = request(REVIEW)
                    if not task.triggered:
                        yield task
                    busy += min(review, window - env.now)
                    yield timeout(review)
                    release(task)
            posts[index] = go_live(env.now)

    for is_hired, delivering, count, days in zip(
        hired, delivers, deliverables, production, strict=True
    ):
        first = len(posts)
        if not is_hired:
            posts.extend([NOT_HIRED] * count)
        elif not delivering:  # onboarded, never delivers
            posts.extend([NOT_DELIVERED] * count)
            env.process(creator(first, 0, 0.0))
        else:
            posts.extend([LOST] * count)
            env.process(creator(first, count, days))
    env.run(until=window)
    return posts, busy
