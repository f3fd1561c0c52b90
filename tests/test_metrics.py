"""Summaries, rates, the report table and the published lists."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tthc_sla import (
    Dossier,
    Event,
    EventKind,
    InputTypeError,
    PolicyError,
    Procedure,
    Step,
    Summary,
    due_soon,
    evaluate,
    late_by_unit,
    late_dossiers,
    report_table,
    summarize,
    vietnam_calendar,
)
from tthc_sla.metrics import level_rank

CAL = vietnam_calendar()
K = EventKind
DT = datetime
OCT = (date(2026, 10, 1), date(2026, 10, 31))
END_OCT = DT(2026, 10, 31, 23, 59)
PROC = Procedure(
    "1.001",
    "Cấp phép",
    "5wd",
    steps=(Step("Thẩm định", "Phòng A", "3wd"), Step("Ký", "Lãnh đạo", "1wd")),
)


# --------------------------------------------------------------------------- published figures


@pytest.mark.parametrize(
    ("resolved", "early_on_time", "late", "rate_ok", "rate_late"),
    [
        # Lâm Đồng, Q1 2020 (baolamdong.vn; metrics.md §3): whole province, province level,
        # district level. The published district late rate is "1,7 %", i.e. 1.72 shown to one
        # decimal: 5,685 / 329,596 = 1.7248 %.
        (643_272, 635_593, 7_677, "98.81", "1.19"),
        (51_780, 51_072, 708, "98.63", "1.37"),
        (329_596, 323_911, 5_685, "98.28", "1.72"),
    ],
)
def test_lam_dong_rates_reproduced(
    resolved: int, early_on_time: int, late: int, rate_ok: str, rate_late: str
) -> None:
    s = Summary(resolved=resolved, early=early_on_time, late=late)
    assert s.percent("early_or_on_time") == Decimal(rate_ok)
    assert s.percent("late") == Decimal(rate_late)


def test_lam_dong_reconciliation_flags_the_published_slips() -> None:
    # Whole province: received 659,245; resolved 643,272 of which 635,593 + 7,677 = 643,270;
    # in progress 7,172 = 5,950 not yet due + 1,222 overdue.
    s = Summary(
        received=659_245,
        received_unknown_channel=659_245,
        resolved=643_272,
        early=635_593,
        late=7_677,
        pending=7_172,
        pending_within=5_950,
        pending_overdue=1_222,
    )
    assert not s.reconciles
    checks = s.checks()
    assert checks["resolved = early + on_time + late"] == 2
    assert checks["to_handle = resolved + pending + excluded"] == 659_245 - 643_272 - 7_172
    assert checks["pending = pending_within + pending_overdue"] == 0
    row = report_table(s)[0]
    assert row["reconciles"] is False
    assert row["imbalance"]["resolved = early + on_time + late"] == 2


def test_rates_are_named_and_rounded_half_up() -> None:
    s = Summary(resolved=800, early=1, on_time=699, late=100)
    assert s.percent("early") == Decimal("0.13")  # 0.125 % rounds half up, not to even
    assert s.percent("early", places=3) == Decimal("0.125")
    assert s.rate("late") == 0.125
    assert Summary().rate("late") is None
    assert Summary().percent("late") is None
    with pytest.raises(PolicyError, match="a rate name"):
        s.rate("punctuality")
    # Gia Lai's definition: (overdue in progress + late) / (carried over + received).
    g = Summary(carried_over=10, received=90, late=5, pending_overdue=5)
    assert g.percent("late_over_to_handle") == Decimal("10.00")
    assert g.percent("on_time_over_to_handle") == Decimal("90.00")


# --------------------------------------------------------------------------- summarize by hand


def _d(i: str, *events: Event, channel: str | None = "online", agency: str = "UBND A") -> Dossier:
    return Dossier(i, PROC, events, channel=channel, agency=agency, field="Xây dựng")


def _report_dossiers() -> list[Dossier]:
    return [
        # carried over from September, resolved late in October (due Mon 5/10 ... see below)
        _d(
            "carried-late",
            Event(DT(2026, 9, 28, 9), K.RECEIVED),
            Event(DT(2026, 10, 8), K.RESOLVED),
        ),
        # carried over, still open at the end of October and overdue
        _d("carried-open", Event(DT(2026, 9, 29, 9), K.RECEIVED), channel="direct"),
        # finished in September: not in October's report
        _d("done-before", Event(DT(2026, 9, 1, 9), K.RECEIVED), Event(DT(2026, 9, 3), K.RESOLVED)),
        # received in October, resolved early
        _d("oct-early", Event(DT(2026, 10, 5, 9), K.RECEIVED), Event(DT(2026, 10, 7), K.RESOLVED)),
        # received in October, resolved on time (due Mon 19/10)
        _d(
            "oct-on-time",
            Event(DT(2026, 10, 12, 9), K.RECEIVED),
            Event(DT(2026, 10, 19, 16), K.RESOLVED),
            channel="postal",
        ),
        # received late October, open and within its deadline at the end
        _d("oct-open", Event(DT(2026, 10, 29, 9), K.RECEIVED), channel=None),
        # received in October, withdrawn in October
        _d("oct-gone", Event(DT(2026, 10, 6, 9), K.RECEIVED), Event(DT(2026, 10, 9), K.WITHDRAWN)),
        # received in November: not in October's report
        _d("nov", Event(DT(2026, 11, 2, 9), K.RECEIVED)),
        # submitted but never received: not a dossier of the report
        _d("never", Event(DT(2026, 10, 2, 9), K.SUBMITTED)),
    ]


def test_summarize_october_by_hand() -> None:
    evals = [evaluate(d, CAL, as_of=END_OCT) for d in _report_dossiers()]
    s = summarize(evals, period=OCT)
    # carried-late: received Mon 28/9, due (29, 30/9, 1, 2, 5/10) = Mon 5/10; resolved 8/10: late.
    # carried-open: received Tue 29/9, due Tue 6/10: overdue at the end of October.
    assert s.carried_over == 2
    assert s.received == 4  # oct-early, oct-on-time, oct-open, oct-gone
    assert (s.received_online, s.received_direct, s.received_unknown_channel) == (2, 1, 1)
    assert (s.resolved, s.early, s.on_time, s.late) == (3, 1, 1, 1)
    assert (s.pending, s.pending_within, s.pending_overdue) == (2, 1, 1)
    assert s.excluded == 1
    assert s.reconciles
    assert s.percent("early_or_on_time") == Decimal("66.67")
    # Resolved working days: carried-late (28/9 -> 8/10) = 8; oct-early (5 -> 7/10) = 2;
    # oct-on-time (12 -> 19/10) = 5.
    assert s.resolved_working_days == 15
    assert s.average_working_days == 5.0


def test_summarize_groups_and_report_rows() -> None:
    ds = _report_dossiers()
    ds.append(_d("other-agency", Event(DT(2026, 10, 5, 9), K.RECEIVED), agency="UBND B"))
    evals = [evaluate(d, CAL, as_of=END_OCT) for d in ds]
    groups = summarize(evals, period=OCT, by=("agency",))
    assert set(groups) == {("UBND A",), ("UBND B",)}
    assert groups[("UBND B",)].pending_overdue == 1
    assert sum(groups.values()) == summarize(evals, period=OCT)
    rows = report_table(groups, by=("agency",))
    assert [(r["row"], r["agency"]) for r in rows] == [
        ("group", "UBND A"),
        ("group", "UBND B"),
        ("total", None),
    ]
    assert rows[-1]["to_handle"] == 7
    assert all(r["reconciles"] for r in rows)
    by_channel = summarize(evals, period=OCT, by=("channel", lambda e: e.dossier.field))
    assert ("online", "Xây dựng") in by_channel
    # One key may be given alone (not read as the letters of "agency").
    assert summarize(evals, period=OCT, by="agency") == groups
    assert report_table(groups, by="agency") == rows
    by_field = summarize(evals, period=OCT, by=lambda e: e.dossier.field)
    assert sum(by_field.values()) == summarize(evals, period=OCT)


def test_summarize_refuses_evaluations_older_than_the_period_end() -> None:
    d = _d("x", Event(DT(2026, 10, 5, 9), K.RECEIVED))
    early = evaluate(d, CAL, as_of=DT(2026, 10, 20))
    with pytest.raises(PolicyError, match="as of the period's end"):
        summarize([early], period=OCT)
    with pytest.raises(PolicyError, match="group key"):
        summarize([], by=("colour",))
    with pytest.raises(PolicyError, match="period"):
        summarize([], period=(date(2026, 10, 31), date(2026, 10, 1)))


# --------------------------------------------------------------------------- lists


def test_published_lists() -> None:
    events_late = (
        Event(DT(2026, 11, 16, 9), K.RECEIVED),  # due Mon 23/11
        Event(DT(2026, 11, 16, 10), K.STEP_STARTED, step="Thẩm định"),  # due Thu 19/11
        Event(DT(2026, 11, 25, 9), K.STEP_FINISHED, step="Thẩm định"),
        Event(DT(2026, 11, 25, 10), K.RESOLVED),
    )
    # Received Fri 20/11: due (23, 25, 26, 27, 30) Mon 30/11 -- 24/11 is off.
    soon = _d("soon", Event(DT(2026, 11, 20, 9), K.RECEIVED))
    evals = [
        evaluate(_d("late", *events_late), CAL, as_of=DT(2026, 11, 27, 18)),
        evaluate(soon, CAL, as_of=DT(2026, 11, 27, 18)),  # Fri 27: only Mon 30 left
        evaluate(_d("open", Event(DT(2026, 11, 26, 9), K.RECEIVED)), CAL, as_of=DT(2026, 11, 27)),
    ]
    assert [e.dossier.id for e in due_soon(evals)] == ["soon"]
    late = late_dossiers(evals, period=(date(2026, 11, 1), date(2026, 11, 27)))
    assert [e.dossier.id for e in late] == ["late"]
    assert late_by_unit(evals, period=(date(2026, 11, 1), date(2026, 11, 27))) == {"Phòng A": 1}


# --------------------------------------------------------------------------- additivity

receipts = st.datetimes(min_value=DT(2026, 8, 1), max_value=DT(2026, 12, 20))


@st.composite
def _dossiers(draw: st.DrawFn) -> Dossier:
    t0 = draw(receipts)
    events = [Event(t0, K.RECEIVED)]
    end = draw(st.sampled_from(["open", "resolved", "rejected", "withdrawn", "returned"]))
    if end != "open":
        t1 = t0 + timedelta(hours=draw(st.integers(1, 24 * 40)))
        kind = {"returned": K.RESOLVED}.get(end, K(end))
        events.append(Event(t1, kind))
        if end == "returned":
            events.append(Event(t1 + timedelta(hours=5), K.RETURNED))
    i = draw(st.integers(0, 10**9))
    channel = draw(st.sampled_from(["online", "direct", "postal", None]))
    agency = draw(st.sampled_from(["A", "B", "C"]))
    return _d(f"d{i}", *events, channel=channel, agency=agency)


@settings(max_examples=60, deadline=None)
@given(st.lists(_dossiers(), max_size=25), st.lists(st.integers(0, 3), min_size=25, max_size=25))
def test_summaries_of_partitions_add_up(dossiers: list[Dossier], parts: list[int]) -> None:
    as_of = DT(2027, 1, 31)
    evals = [evaluate(d, CAL, as_of=as_of) for d in dossiers]
    for period in (OCT, (date(2026, 9, 1), date(2026, 12, 31)), None):
        whole = summarize(evals, period=period)
        partitions = [[e for e, p in zip(evals, parts, strict=False) if p == k] for k in range(4)]
        assert sum(summarize(p, period=period) for p in partitions) == whole
        assert whole.reconciles
        grouped = summarize(evals, period=period, by=("agency",))
        assert sum(grouped.values(), Summary()) == whole


def test_progress_766_as_the_portal_computes_it() -> None:
    # Phú Thọ, year to date on the national portal: 528,684 on time of 597,918 -> 17.68 points
    # (observations crawled from the portal's dvc-progress-tree API; metrics.md §2).
    s = Summary(resolved=597_918, early=528_684, late=597_918 - 528_684)
    assert s.points_766() == Decimal("17.68")
    assert s.percent("progress_766") == Decimal("88.42")
    # In-progress dossiers within their deadline count as on time; overdue ones do not.
    t = Summary(
        resolved=3, early=1, on_time=1, late=1, pending=2, pending_within=1, pending_overdue=1
    )
    assert t.rate("progress_766") == 3 / 5
    assert t.points_766() == Decimal("12.00")


@pytest.mark.parametrize("value", [1.5, "3", True, None])
def test_summary_counters_are_counts(value: object) -> None:
    # A value of another type is a type error that names the counter ...
    with pytest.raises(InputTypeError, match=r"^resolved=.*: expected a count, a non-negative"):
        Summary(resolved=value)  # type: ignore[arg-type]
    # ... a negative int, a count that breaks the rule.
    with pytest.raises(PolicyError, match="resolved: a count, a non-negative integer"):
        Summary(resolved=-1)
    assert Summary(resolved=0).resolved == 0


def test_report_groups_run_from_ministry_to_commune() -> None:
    # After 1/7/2025 the levels are ministry, province and commune; district only in older
    # dossiers (law-2026-11.md §3). Reports list them in that order, not alphabetically
    # ("Bộ" < "Cấp huyện" < "Cấp tỉnh" < "Cấp xã" by text).
    levels = ["Cấp xã", "Cấp tỉnh", "Bộ, ngành", "Cấp huyện", "Khác"]
    ds = [
        Dossier(f"L{i}", PROC, [Event(DT(2026, 10, 5, 9), K.RECEIVED)], level=level)
        for i, level in enumerate(levels)
    ]
    groups = summarize([evaluate(d, CAL, as_of=END_OCT) for d in ds], period=OCT, by="level")
    assert [k[0] for k in groups] == ["Bộ, ngành", "Cấp tỉnh", "Cấp huyện", "Cấp xã", "Khác"]
    # The columnar summaries list them in the same order.
    pytest.importorskip("pandas")
    from tthc_sla.batch import evaluate_frame, events_frame, summarize_frame

    frame = evaluate_frame(events_frame(ds), [PROC], CAL, as_of=END_OCT)
    columnar = summarize_frame(frame, period=OCT, by=["level"])
    assert [k[0] for k in columnar] == [k[0] for k in groups]


@pytest.mark.parametrize(
    ("label", "rank"),
    [
        # Labels as exports and the report form write them (law-2026-11.md §2.2, §3).
        ("Bộ, ngành", 0),
        ("Bộ Tư pháp", 0),
        ("Sở ban ngành", 1),  # the province's departments ("ngành" of "ban ngành")
        ("Sở Tư pháp", 1),
        ("UBND cấp tỉnh", 1),
        ("Thành phố trực thuộc trung ương", 1),  # a province, not the centre
        ("UBND thị xã Sơn Tây", 2),  # "thị xã" is a district, though it holds "xã"
        ("Cấp huyện", 2),
        ("Bộ phận một cửa cấp xã", 3),  # a commune's counter, not a ministry
        ("UBND phường Ba Đình", 3),
        ("Đặc khu Phú Quốc", 3),
        ("Bộ phận một cửa", 4),  # a counter of no stated level
        ("Khác", 4),
    ],
)
def test_level_rank_reads_whole_words(label: str, rank: int) -> None:
    assert level_rank(label) == rank


def test_the_total_row_is_always_there() -> None:
    # A reader looks for the total row: it was missing under one group (and under none), and
    # without groups the one row, the whole, was labelled a group.
    one = Summary(received=2, received_direct=2, resolved=2, early=1, late=1)
    whole = report_table(one)
    assert [r["row"] for r in whole] == ["total"]
    assert whole[0]["resolved"] == 2
    single = report_table({("UBND xã A",): one}, by="agency")
    assert [(r["row"], r["agency"]) for r in single] == [("group", "UBND xã A"), ("total", None)]
    assert single[1]["resolved"] == single[0]["resolved"] == 2
    empty = report_table({}, by="agency")
    assert [(r["row"], r["agency"], r["to_handle"]) for r in empty] == [("total", None, 0)]
    assert report_table({("A",): one}, by="agency", total=False)[-1]["row"] == "group"
