"""The counting rule of the periodic report (domain/metrics.md §1), written once.

Which counters a dossier adds to a period's report, as one expression per counter over
comparable values with ``&``, ``|``, ``^`` and comparisons only, so that the same function
counts one evaluation in ``metrics.summarize`` (Python values) and a whole
``evaluate_frame`` result in ``batch.summarize_frame`` (pandas columns); ``tests/test_counting``
checks both agree. A change of how the report counts is one edit here.
"""

from __future__ import annotations

from typing import Any

__all__ = ["COUNTERS", "count", "in_report"]

COUNTERS = (
    "carried_over",
    "received",
    "received_online",
    "received_direct",
    "received_unknown_channel",
    "resolved",
    "early",
    "on_time",
    "late",
    "pending",
    "pending_within",
    "pending_overdue",
    "excluded",
    "met_rescheduled",
    "resolved_working_days",
    "provisional",
)
"""The counters, in the order of ``metrics.Summary``'s fields."""


def in_report(*, start: Any, end: Any, received: Any, closed: Any) -> Any:
    """Whether a dossier belongs to the report of the period [start, end]: received by the
    period's end and not closed before its start (metrics.md §1: "từ kỳ trước" + "mới tiếp
    nhận" = what was to be handled). ``closed``: any value >= ``start`` when open."""
    return (received <= end) & (closed >= start)


def count(
    *,
    start: Any,
    end: Any,
    received: Any,
    closed: Any,
    is_closed: Any,
    is_resolution: Any,
    online: Any,
    direct: Any,
    unknown_channel: Any,
    early: Any,
    on_time: Any,
    late: Any,
    overdue_at_end: Any,
    met_rescheduled: Any,
    working_days: Any,
    provisional: Any,
) -> dict[str, Any]:
    """The counters a received dossier adds to the report of the period [start, end], and
    ``_in``: whether it belongs to the report at all (every counter is 0 or False if not).

    Args:
        start, end: the period's first and last moments (local wall time).
        received: the receipt moment (the clock's last start).
        closed: the moment it was resolved or ended; any value >= ``start`` when open.
        is_closed: it was resolved, withdrawn or cancelled (at ``closed``).
        is_resolution: the close is a resolution (not a withdrawal or cancellation).
        online, direct, unknown_channel: its channel (direct includes postal).
        early, on_time, late: its outcome, when resolved.
        overdue_at_end: open at ``end`` past its deadline.
        met_rescheduled: resolved late but by the apology's new appointment.
        working_days: working days from receipt to finish (0 when not resolved).
        provisional: its deadline touches days no notice has settled.
    """
    inside = in_report(start=start, end=end, received=received, closed=closed)
    new = inside & (received >= start)
    closed_in = inside & is_closed & (closed <= end)
    resolved = closed_in & is_resolution
    pending = inside & (closed_in ^ True)
    return {
        "_in": inside,
        "carried_over": inside & (new ^ True),
        "received": new,
        "received_online": new & online,
        "received_direct": new & direct,
        "received_unknown_channel": new & unknown_channel,
        "resolved": resolved,
        "early": resolved & early,
        "on_time": resolved & on_time,
        "late": resolved & late,
        "pending": pending,
        "pending_within": pending & (overdue_at_end ^ True),
        "pending_overdue": pending & overdue_at_end,
        "excluded": closed_in & (is_resolution ^ True),
        "met_rescheduled": resolved & met_rescheduled,
        "resolved_working_days": working_days * resolved,
        "provisional": inside & provisional,
    }
