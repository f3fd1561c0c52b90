"""Summaries, rates and the statutory periodic report table; the lists agencies publish.

A :class:`Summary` holds additive counters: the summary of a union of partitions is the sum of
the partitions' summaries, exactly, so the same code runs on one machine or per partition in
Dask or Spark. Rates are named, documented definitions computed from the counters.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import attrs

from tthc_sla._counting import count
from tthc_sla._periods import check_cutoff, parse_period
from tthc_sla._vocab import fold
from tthc_sla.calendar._seam import to_local
from tthc_sla.errors import InputTypeError, PolicyError
from tthc_sla.evaluation import Evaluation, Outcome
from tthc_sla.history import Channel

__all__ = [
    "RATES",
    "Rate",
    "Summary",
    "due_soon",
    "group_order",
    "late_by_unit",
    "late_dossiers",
    "level_rank",
    "report_table",
    "summarize",
]

_O = Outcome


@attrs.frozen
class Summary:
    """Additive counters of the periodic report table (metrics.md §1).

    Attributes:
        carried_over: received before the period and still open at its start (từ kỳ trước).
        received: received during the period (mới tiếp nhận), split by channel into
            ``received_online`` (trực tuyến), ``received_direct`` (trực tiếp hoặc bưu chính)
            and ``received_unknown_channel`` (no channel recorded).
        resolved: finished during the period (đã giải quyết): ``early`` (trước hạn),
            ``on_time`` (đúng hạn), ``late`` (quá hạn).
        pending: still open at the period's end (đang giải quyết): ``pending_within``
            (trong hạn) and ``pending_overdue`` (quá hạn).
        excluded: withdrawn or cancelled during the period (rút, hủy).
        met_rescheduled: late dossiers that met their apology's new appointment.
        resolved_working_days: total working days from receipt to finish of the resolved
            dossiers (for the average processing time).
        provisional: the dossiers counted whose deadline reaches past the officially announced
            calendar (``Evaluation.provisional``): their outcome may change with a notice.

    Counters are non-negative integers (InputTypeError for another type, PolicyError for a
    negative one).

    Identities, each reported by :meth:`checks`: ``carried_over + received == resolved +
    pending + excluded``, ``resolved == early + on_time + late``, ``pending == pending_within +
    pending_overdue``, ``received == received_online + received_direct +
    received_unknown_channel``.

    Examples:
        >>> a = Summary(received=3, received_online=3, resolved=2, early=1, on_time=1, pending=1,
        ...             pending_within=1)
        >>> (a + a).received, (a + a).reconciles
        (6, True)
        >>> a.percent("early_or_on_time")
        Decimal('100.00')
    """

    carried_over: int = 0
    received: int = 0
    received_online: int = 0
    received_direct: int = 0
    received_unknown_channel: int = 0
    resolved: int = 0
    early: int = 0
    on_time: int = 0
    late: int = 0
    pending: int = 0
    pending_within: int = 0
    pending_overdue: int = 0
    excluded: int = 0
    met_rescheduled: int = 0
    resolved_working_days: int = 0
    provisional: int = 0

    def __attrs_post_init__(self) -> None:
        for name in _COUNTERS:
            value = getattr(self, name)
            if type(value) is not int:
                raise InputTypeError(name, value, "a count, a non-negative integer")
            if value < 0:
                raise PolicyError(value, f"{name}: a count, a non-negative integer")

    def __add__(self, other: object) -> Summary:
        if not isinstance(other, Summary):
            return NotImplemented
        return Summary(*(getattr(self, n) + getattr(other, n) for n in _COUNTERS))

    def __radd__(self, other: object) -> Summary:
        if other == 0:  # so that sum(summaries) works
            return self
        return self.__add__(other)

    @property
    def to_handle(self) -> int:
        """Carried over + received: the dossiers to handle in the period (tổng số hồ sơ)."""
        return self.carried_over + self.received

    def checks(self) -> dict[str, int]:
        """Each reconciliation identity's imbalance (left minus right); 0 when it holds."""
        return {
            "to_handle = resolved + pending + excluded": self.to_handle
            - (self.resolved + self.pending + self.excluded),
            "resolved = early + on_time + late": self.resolved
            - (self.early + self.on_time + self.late),
            "pending = pending_within + pending_overdue": self.pending
            - (self.pending_within + self.pending_overdue),
            "received = online + direct + unknown channel": self.received
            - (self.received_online + self.received_direct + self.received_unknown_channel),
        }

    @property
    def reconciles(self) -> bool:
        """Whether every identity of :meth:`checks` holds."""
        return not any(self.checks().values())

    def rate(self, name: str) -> float | None:
        """A named rate in [0, 1] (see :data:`RATES`); None when its denominator is 0."""
        definition = _rate(name)
        num, den = definition.numerator(self), definition.denominator(self)
        return None if den == 0 else num / den

    def percent(self, name: str, places: int = 2) -> Decimal | None:
        """A named rate in percent, rounded half-up to ``places`` decimals (exact arithmetic).

        Examples:
            >>> Summary(resolved=643272, early=635593, late=7677).percent("late")
            Decimal('1.19')
        """
        definition = _rate(name)
        num, den = definition.numerator(self), definition.denominator(self)
        if den == 0:
            return None
        quantum = Decimal(1).scaleb(-places)
        return (Decimal(100 * num) / Decimal(den)).quantize(quantum, rounding=ROUND_HALF_UP)

    def points_766(self) -> Decimal | None:
        """The 'Tiến độ giải quyết' score out of 20 as the national portal computes it.

        ``20 × progress_766`` rounded half-up to two decimals: the portal's practice, which
        reproduces its published group scores; Decision 766/QĐ-TTg gives the group 20 points
        but the conversion is the portal's, not a text of the decision.
        """
        ratio = self.rate("progress_766")
        if ratio is None:
            return None
        num = 20 * (self.early + self.on_time + self.pending_within)
        return (Decimal(num) / Decimal(self.resolved + self.pending)).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        )

    @property
    def average_working_days(self) -> float | None:
        """Average processing time of the resolved dossiers, in working days."""
        return None if self.resolved == 0 else self.resolved_working_days / self.resolved


@attrs.frozen
class Rate:
    """A named rate: its numerator and denominator as functions of a Summary, and its source."""

    name: str
    numerator: Callable[[Summary], int]
    denominator: Callable[[Summary], int]
    source: str


RATES: dict[str, Rate] = {
    r.name: r
    for r in (
        Rate(
            "early",
            lambda s: s.early,
            lambda s: s.resolved,
            "early / resolved: tỷ lệ giải quyết trước hạn (published 'sớm' rates)",
        ),
        Rate(
            "on_time",
            lambda s: s.on_time,
            lambda s: s.resolved,
            "on time / resolved",
        ),
        Rate(
            "early_or_on_time",
            lambda s: s.early + s.on_time,
            lambda s: s.resolved,
            "(early + on time) / resolved: tỷ lệ hồ sơ giải quyết trước và đúng hạn "
            "(provincial reports, e.g. Lâm Đồng Q1/2020; metrics.md §2-3)",
        ),
        Rate(
            "late",
            lambda s: s.late,
            lambda s: s.resolved,
            "late / resolved: tỷ lệ hồ sơ giải quyết quá hạn (metrics.md §2-3)",
        ),
        Rate(
            "progress_766",
            lambda s: s.early + s.on_time + s.pending_within,
            lambda s: s.resolved + s.pending,
            "(resolved early or on time + in progress within deadline) / (resolved + in "
            "progress): item 2.1 'Tỷ lệ hồ sơ xử lý trước hạn, đúng hạn' of the 'Tiến độ giải "
            "quyết' group, Decision 766/QĐ-TTg, as the National Public Service Portal's formula "
            "documents state it (the decision's own appendix text was not available); the "
            "portal counts withdrawals as finished, this library excludes them",
        ),
        Rate(
            "late_over_to_handle",
            lambda s: s.pending_overdue + s.late,
            lambda s: s.to_handle,
            "(overdue in progress + late resolved) / (carried over + received): the Gia Lai "
            "one-stop system's 'tỷ lệ trễ hạn' (motcua.gialai.gov.vn; metrics.md §1)",
        ),
        Rate(
            "on_time_over_to_handle",
            lambda s: s.to_handle - s.pending_overdue - s.late,
            lambda s: s.to_handle,
            "1 - late_over_to_handle: the Gia Lai system's 'tỷ lệ đúng hạn' (metrics.md §1)",
        ),
    )
}


def _rate(name: str) -> Rate:
    try:
        return RATES[name]
    except (KeyError, TypeError):  # TypeError: unhashable
        if not isinstance(name, str):
            raise InputTypeError("name", name, f"a rate name: one of {sorted(RATES)}") from None
        raise PolicyError(name, f"a rate name: one of {sorted(RATES)}") from None


_COUNTERS = tuple(f.name for f in attrs.fields(Summary))

# --------------------------------------------------------------------------- summarize

GroupKey = str | Callable[[Evaluation], Any]

_FIELDS: dict[str, Callable[[Evaluation], Any]] = {
    "agency": lambda e: e.dossier.agency,
    "level": lambda e: e.dossier.level,
    "field": lambda e: e.dossier.field,
    "channel": lambda e: e.dossier.channel.value if e.dossier.channel else None,
    "procedure": lambda e: e.dossier.procedure.code,
    "received_month": lambda e: _local(e.received_at).strftime("%Y-%m") if e.received_at else None,
}


def _key_functions(by: GroupKey | Sequence[GroupKey]) -> list[Callable[[Evaluation], Any]]:
    out = []
    for key in _keys(by):
        if callable(key):
            out.append(key)
        elif not isinstance(key, str):
            raise InputTypeError("by", key, f"a group key: one of {sorted(_FIELDS)} or a function")
        elif key in _FIELDS:
            out.append(_FIELDS[key])
        else:
            raise PolicyError(key, f"a group key: one of {sorted(_FIELDS)} or a function")
    return out


# Levels of government, highest first (law-2026-11.md §3): ministries and sectors, provinces
# (their departments, "sở"), districts (dossiers before 1/7/2025 only: local government has had
# two levels since), communes. Whole words only: "Bộ phận một cửa" is a counter, not a ministry,
# "Sở ban ngành" a province's departments, and a "thành phố trực thuộc trung ương" a province.
_LEVEL_NAMED = re.compile(r"\bcấp (bộ|trung ương|tỉnh|huyện|quận|xã|phường|thị trấn)\b")
_LEVEL_WORDS = tuple(
    re.compile(p)
    for p in (
        r"\bbộ\b(?! phận)|(?<!trực thuộc )\btrung ương\b|(?<!ban )\bngành\b|\bministry\b",
        r"\btỉnh\b|\bthành phố trực thuộc trung ương\b|\bsở\b|\bprovince\b",
        r"\bhuyện\b|\bquận\b|\bthị xã\b|\bdistrict\b",
        r"\bxã\b|\bphường\b|\bthị trấn\b|\bđặc khu\b|\bcommune\b",
    )
)


def level_rank(level: Any) -> int:
    """Where a level stands in reports: ministry 0, province 1, district 2, commune 3, else 4.

    Levels are free text in exports ("Cấp xã", "UBND cấp tỉnh", "Bộ, ngành", "Sở Tư pháp"): a
    level named with "cấp" decides ("Bộ phận một cửa cấp xã" is a commune's), else the highest
    level whose words it holds as whole words ("thị xã" is a district, "Bộ phận" no ministry).

    Examples:
        >>> [level_rank(x) for x in ("Cấp xã", "Cấp tỉnh", "Bộ, ngành", "Cấp huyện", None)]
        [3, 1, 0, 2, 4]
        >>> [level_rank(x) for x in ("Sở ban ngành", "Bộ phận một cửa cấp xã", "UBND thị xã")]
        [1, 3, 2]
    """
    if not isinstance(level, str):
        return len(_LEVEL_WORDS)
    text = fold(level)
    named = _LEVEL_NAMED.search(text)
    if named:
        text = named.group(1)  # "cấp xã": the level named decides, read by the same words
    for rank, words in enumerate(_LEVEL_WORDS):
        if words.search(text):
            return rank
    return len(_LEVEL_WORDS)
    text = fold(level)
    for rank, words in enumerate(_LEVEL_WORDS):
        if any(w in text for w in words):
            return rank
    return len(_LEVEL_WORDS)


def group_order(
    keys: Sequence[GroupKey],
) -> Callable[[tuple[Any, ...]], tuple[tuple[int, str], ...]]:
    """The sort key of report groups: levels from ministry to commune, other keys by text."""
    levels = [k == "level" for k in keys]

    def order(key: tuple[Any, ...]) -> tuple[tuple[int, str], ...]:
        return tuple((level_rank(k) if levels[i] else 0, str(k)) for i, k in enumerate(key))

    return order


def _local(t: datetime) -> datetime:
    return to_local(t)[0]


def _period_bounds(
    period: tuple[date, date] | str | None, cutoff: str = "calendar"
) -> tuple[date, date, datetime] | None:
    """The first day, the last day and the last moment of ``period``: two dates, or a text
    read by :func:`tthc_sla._periods.parse_period` under ``cutoff``; None for no period."""
    check_cutoff(cutoff)
    if period is None:
        return None
    if isinstance(period, str):
        period = parse_period(period, cutoff)
    expected = "(first_day, last_day), two dates, or a period text such as '2026-10' or '2026-Q4'"
    try:
        first, last = period
    except (TypeError, ValueError):
        raise InputTypeError("period", period, expected) from None
    if not isinstance(first, date) or not isinstance(last, date):
        raise InputTypeError("period", period, expected)
    if first > last:
        raise PolicyError(period, "period=(first_day, last_day) with first_day <= last_day")
    return first, last, datetime.combine(last, time.max)


def _keys(by: GroupKey | Sequence[GroupKey]) -> Sequence[GroupKey]:
    """``by`` as a sequence of keys: a single key (``by="agency"``) is one key, not letters."""
    return (by,) if isinstance(by, str) or callable(by) else by


def _one(e: Evaluation, period: tuple[date, date, datetime] | None) -> dict[str, int] | None:
    """The counters of one evaluation for the period (``_counting.count``), or None if it is
    not in the report."""
    if e.received_at is None:
        return None  # never received: not a dossier of the report
    received = _local(e.received_at)
    closed_at = e.completed_at if e.completed_at is not None else e.ended_at
    closed = datetime.max if closed_at is None else _local(closed_at)
    if period is None:
        start, end = datetime.min, datetime.max
    else:
        first, _, end = period
        start = datetime.combine(first, time.min)
        as_of = None if e.as_of is None else _local(e.as_of)
        if (
            received <= end
            and closed >= start
            and as_of is not None
            and as_of.date() < end.date()
            and (closed_at is None or closed > end)
        ):
            raise PolicyError(
                f"dossier {e.dossier.id!r} evaluated as of {e.as_of}",
                f"evaluations as of the period's end ({end.date()}) or later",
            )
    outcome, channel = e.outcome, e.dossier.channel
    counts = count(
        start=start,
        end=end,
        received=received,
        closed=closed,
        is_closed=closed_at is not None,
        is_resolution=e.completed_at is not None,
        online=channel is Channel.ONLINE,
        direct=channel is Channel.DIRECT or channel is Channel.POSTAL,
        unknown_channel=channel is None,
        early=outcome is _O.EARLY,
        on_time=outcome is _O.ON_TIME,
        late=outcome is _O.LATE,
        overdue_at_end=_overdue_at(e, end),
        met_rescheduled=e.met_rescheduled,
        working_days=e.processing_working_days or 0,
        provisional=e.provisional,
    )
    if not counts.pop("_in"):
        return None
    return counts


def _overdue_at(e: Evaluation, end: datetime) -> bool:
    """Whether an open dossier is past its deadline at ``end``."""
    if e.due_at is None or e.due_date is None:
        return False
    if end == datetime.max:  # no period: as evaluated
        return e.outcome is _O.OVERDUE
    if e.by_moment:
        return _local(e.due_at) < end
    return e.due_date < end.date()


def summarize(
    evaluations: Iterable[Evaluation],
    *,
    period: tuple[date, date] | str | None = None,
    by: GroupKey | Sequence[GroupKey] = (),
    cutoff: str = "calendar",
) -> Any:
    """Count evaluations into the report table's counters, for a period, per group.

    Args:
        evaluations: evaluations as of the period's end or later (a dossier still open at the
            period's end must have been evaluated as of that end or later, otherwise its state
            at the end is unknown and PolicyError is raised).
        period: ``(first_day, last_day)``, local dates, inclusive; or a text: ``"2026-10"``
            (a month), ``"2026-Q4"`` (a quarter), ``"2026-H1"`` / ``"2026-H2"`` (half years),
            ``"2026"`` (a year) or ``"FIRST..LAST"`` (each bound ``2026-10-01`` or
            ``2026-09``), read under ``cutoff``. ``None``: everything, with open dossiers
            judged as evaluated.
        by: group keys: ``"agency"``, ``"level"``, ``"field"``, ``"channel"``,
            ``"procedure"``, ``"received_month"``, or functions of an evaluation; one key
            alone (``by="agency"``) or several (``by=("agency", "field")``).
        cutoff: how a text ``period`` cuts months: ``"calendar"`` (default) or
            ``"reporting"``, from the 15th of the month before to the 14th (Decree
            09/2019/NĐ-CP art. 12; not verified for the TTHC report forms). Dates given as
            ``(first_day, last_day)`` are used as they are.

    Returns:
        A :class:`Summary`, or with ``by`` a ``dict`` from key tuples to summaries.

    Examples:
        >>> summarize([]).received
        0

        A dossier received on 28/9/2026 is carried over into calendar October, and received
        in the reporting October (15/9..14/10):

        >>> from datetime import datetime
        >>> from tthc_sla import Dossier, Event, Procedure, evaluate, vietnam_calendar
        >>> d = Dossier("A", Procedure("1.001", "Cấp phép", "5wd"),
        ...             [Event(datetime(2026, 9, 28, 9), "received")])
        >>> e = evaluate(d, vietnam_calendar(), as_of=datetime(2026, 12, 31))
        >>> october = summarize([e], period="2026-10")
        >>> october == summarize([e], period=(date(2026, 10, 1), date(2026, 10, 31)))
        True
        >>> october.carried_over, summarize([e], period="2026-10", cutoff="reporting").received
        (1, 1)
    """
    bounds = _period_bounds(period, cutoff)
    keys = _key_functions(by)
    # Counters are added in plain dicts; each group's Summary is built once at the end.
    groups: dict[tuple[Any, ...], dict[str, int]] = {}
    for e in evaluations:
        _check(e)
        one = _one(e, bounds)
        if one is not None:
            key = tuple(f(e) for f in keys)
            acc = groups.get(key)
            if acc is None:
                acc = groups[key] = dict.fromkeys(_COUNTERS, 0)
            for name, n in one.items():
                acc[name] += n
    if not keys:
        return Summary(**groups.get((), {}))
    order = group_order(_keys(by))
    ordered = sorted(groups.items(), key=lambda kv: order(kv[0]))
    return {key: Summary(**acc) for key, acc in ordered}


def _check(e: object) -> None:
    if not isinstance(e, Evaluation):
        raise InputTypeError("evaluations", e, "Evaluation values (see evaluate())")


# --------------------------------------------------------------------------- report table


def report_table(
    summaries: Summary | Mapping[tuple[Any, ...], Summary],
    *,
    by: str | Sequence[str] = (),
    rates: Sequence[str] = ("early_or_on_time", "late"),
    places: int = 2,
    total: bool = True,
) -> list[dict[str, Any]]:
    """The statutory periodic report table: one row per group (and a total row).

    Each row has ``row`` (``"group"``, or ``"total"`` for the total row, whose key cells are
    None, so a group named "TOTAL" is never taken for it), the group keys, the counts of
    metrics.md §1, ``provisional``, the requested rates in percent
    (rounded half-up), and the reconciliation: ``reconciles`` and, when it does not, the
    imbalance of each identity in ``imbalance``.

    Examples:
        >>> rows = report_table(Summary(received=2, received_direct=2, resolved=2, early=1, late=1))
        >>> rows[0]["resolved"], rows[0]["rate_late"], rows[0]["reconciles"]
        (2, Decimal('50.00'), True)
    """
    if isinstance(summaries, Summary):
        items: list[tuple[tuple[Any, ...], Summary]] = [((), summaries)]
    else:
        items = list(summaries.items())
    width = max((len(k) for k, _ in items), default=0)
    names = [str(k) for k in _keys(by)] or [f"key{i + 1}" for i in range(width)]
    grand = sum((s for _, s in items), Summary())
    if not names:  # no groups: the one row is the whole, the total
        return [_row("total", {}, grand, rates, places)]
    rows = [
        _row("group", dict(zip(names, key, strict=False)), s, rates, places) for key, s in items
    ]
    if total:  # also under one group, or none: the row a reader looks for is always there
        rows.append(_row("total", dict.fromkeys(names), grand, rates, places))
    return rows


def _row(
    kind: str, keys: dict[str, Any], s: Summary, rates: Sequence[str], places: int
) -> dict[str, Any]:
    row: dict[str, Any] = {"row": kind}
    row.update(keys)
    row.update(
        to_handle=s.to_handle,
        received=s.received,
        received_online=s.received_online,
        received_direct=s.received_direct,
        received_unknown_channel=s.received_unknown_channel,
        carried_over=s.carried_over,
        resolved=s.resolved,
        early=s.early,
        on_time=s.on_time,
        late=s.late,
        pending=s.pending,
        pending_within=s.pending_within,
        pending_overdue=s.pending_overdue,
        excluded=s.excluded,
        provisional=s.provisional,
    )
    for name in rates:
        row[f"rate_{name}"] = s.percent(name, places)
    checks = s.checks()
    row["reconciles"] = not any(checks.values())
    row["imbalance"] = {k: v for k, v in checks.items() if v}
    return row


# --------------------------------------------------------------------------- lists


def due_soon(evaluations: Iterable[Evaluation]) -> list[Evaluation]:
    """Open dossiers with at most one working day left, soonest first (the daily reminder)."""
    found = [e for e in evaluations if e.outcome is _O.DUE_SOON]
    return sorted(found, key=lambda e: (e.due_date or date.max, e.dossier.id))


def late_dossiers(
    evaluations: Iterable[Evaluation],
    *,
    period: tuple[date, date] | str | None = None,
    cutoff: str = "calendar",
) -> list[Evaluation]:
    """Dossiers resolved late in the period or overdue at its end, most working days late first.

    Each carries ``late_units``: the units whose steps overran (the monthly list of late
    dossiers by office). ``period`` and ``cutoff`` are as in :func:`summarize`: two dates, or
    a text such as ``"2026-10"`` or ``"2026-Q4"`` read under ``cutoff``.
    """
    bounds = _period_bounds(period, cutoff)
    out = []
    for e in evaluations:
        one = _one(e, bounds)
        if one is not None and (one.get("late") or one.get("pending_overdue")):
            out.append(e)
    return sorted(out, key=lambda e: (-e.late_working_days, e.dossier.id))


def late_by_unit(
    evaluations: Iterable[Evaluation],
    *,
    period: tuple[date, date] | str | None = None,
    cutoff: str = "calendar",
) -> dict[str, int]:
    """How many late or overdue dossiers each unit is attributed, most first.

    ``period`` and ``cutoff`` are as in :func:`summarize`.
    """
    counts: Counter[str] = Counter()
    for e in late_dossiers(evaluations, period=period, cutoff=cutoff):
        counts.update(e.late_units)
    return dict(counts.most_common())
