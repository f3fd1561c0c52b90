"""What a replay needs of a rule under a policy, decided once: the rule plan.

Both engines read a plan instead of re-deciding from the rule and the policy each time: the
scalar replay takes ``rules._deadline.due`` (the one deadline dispatch), the columnar engine
takes ``kind``, ``whole_amount``, ``hours_us``, ``by_moment`` and ``vectorisable``.
"""

from __future__ import annotations

import functools
from datetime import timedelta

import attrs

from tthc_sla.rules._policy import DeadlinePolicy
from tthc_sla.rules._processing_time import ProcessingTime, ProcessingTimeKind

__all__ = ["RulePlan", "effective_rule", "plan_of"]

_K = ProcessingTimeKind
_SAME_DAY_KINDS = frozenset({_K.SAME_DAY, _K.IMMEDIATE})
_US = timedelta(microseconds=1)


@attrs.frozen
class RulePlan:
    """A rule under a policy (and a difficult-area flag), decided once (``plan_of``).

    Attributes:
        rule: the rule in force (with the difficult-area extra when it applies).
        kind: its kind.
        whole_days: n when the deadline is the calendar's memoised lookup (n whole working
            days, due at the close, the receipt day not counted), else None.
        hours: the working time of an hour rule, else None.
        same_day: a same-day or immediate rule.
        by_moment: lateness is judged by the due moment (``due_time="same_time"`` or an hour
            rule), not by the due date (DESIGN §7).
        whole_amount: the amount when it is a whole number (days, months), else None.
        hours_us: an hour rule's working time in microseconds (0 for other kinds).
        vectorisable: the columnar engine computes this deadline itself (whole amounts, no
            ``same_time``, no after-hours receipts); otherwise it takes the scalar replay.
    """

    rule: ProcessingTime
    kind: ProcessingTimeKind
    whole_days: int | None
    hours: timedelta | None
    same_day: bool
    by_moment: bool
    whole_amount: int | None
    hours_us: int
    vectorisable: bool


def effective_rule(pt: ProcessingTime, difficult_area: bool) -> ProcessingTime:
    """The rule with its difficult-area extra added when it applies (DESIGN §4)."""
    if difficult_area and pt.difficult_area_extra and pt.amount is not None:
        return attrs.evolve(pt, amount=pt.amount + pt.difficult_area_extra, difficult_area_extra=0)
    return pt


@functools.lru_cache(maxsize=4096)
def plan_of(rule: ProcessingTime, policy: DeadlinePolicy, difficult_area: bool = False) -> RulePlan:
    """The plan of ``rule`` under ``policy``, for a dossier in a difficult area or not (cached).

    Examples:
        >>> from tthc_sla.rules import DeadlinePolicy, ProcessingTime
        >>> plan_of(ProcessingTime.working_days(15), DeadlinePolicy()).whole_days
        15
        >>> plan_of(ProcessingTime.working_hours(4), DeadlinePolicy()).by_moment
        True
    """
    pt = effective_rule(rule, difficult_area)
    kind = pt.kind
    amount = pt.amount
    end_of_day = policy.due_time == "end_of_day"
    by_moment = not end_of_day or kind is _K.WORKING_HOURS
    whole = int(amount) if amount is not None and int(amount) == amount else None
    whole_days = None
    if kind is _K.WORKING_DAYS and end_of_day and not policy.receipt_day_counts:
        whole_days = whole if type(amount) is int else None
    hours = timedelta(hours=amount) if kind is _K.WORKING_HOURS and amount is not None else None
    if policy.after_hours is not None:  # receipts moved by the clock: the scalar replay
        vectorisable = False
    elif kind is _K.WORKING_HOURS:
        vectorisable = True
    elif amount is None:
        vectorisable = not by_moment
    else:
        vectorisable = whole is not None and not by_moment
    return RulePlan(
        rule=pt,
        kind=kind,
        whole_days=whole_days,
        hours=hours,
        same_day=kind in _SAME_DAY_KINDS,
        by_moment=by_moment,
        whole_amount=whole,
        hours_us=0 if hours is None else hours // _US,
        vectorisable=vectorisable,
    )
