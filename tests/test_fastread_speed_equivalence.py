"""The faster paths of the column reader, the calendar's compiled index and the batch table
give what plain references give (STYLE §21, §25).

Each rewritten piece is checked against a straightforward reference on the edge cases the fast
paths add: slices of a scan, blocks of texts and pyarrow chunks (and their boundaries), runs of
ids (split across chunks, in order or not), shared and unified dictionaries, nulls; and on the
old ones: blank lines, trailing line breaks, CRLF, times at month, year and leap-day edges,
invalid dates such as 2026-02-30. End to end, a file read in many small pyarrow chunks must
give the scalar reader's answers.
"""

from __future__ import annotations

import itertools
import random
import tempfile
from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

np = pytest.importorskip("numpy")
pd = pytest.importorskip("pandas")
pa = pytest.importorskip("pyarrow")
pc = pytest.importorskip("pyarrow.compute")

from tthc_sla import _fastread, _tables, read_procedures  # noqa: E402
from tthc_sla.batch._table import factorize_runs  # noqa: E402
from tthc_sla.calendar._index import _MAKEUP_SHAPE, BLOCK, Index  # noqa: E402
from tthc_sla.calendar._notices import DayKind, DayOverride  # noqa: E402
from tthc_sla.calendar._schedule import _DayShape  # noqa: E402
from tthc_sla.history import Channel, EventKind  # noqa: E402

ROOT = Path(__file__).parent.parent
PROCS = read_procedures(ROOT / "examples" / "procedures.csv")
SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _chunked(values: Sequence[Any], cuts: Sequence[int], kind: Any = None) -> Any:
    """``values`` as a chunked array cut at ``cuts`` (positions, any order; empty chunks
    where two cuts are equal)."""
    bounds = [0, *sorted(min(c, len(values)) for c in cuts), len(values)]
    kind = kind or pa.string()
    return pa.chunked_array(
        [pa.array(values[a:b], type=kind) for a, b in itertools.pairwise(bounds)], type=kind
    )


# --------------------------------------------------------------------------- lines


def _reference_single_lines(text: Any, records: int) -> Any:
    end = len(text)
    while end and text[end - 1] in (10, 13):
        end -= 1
    if np.count_nonzero(text[:end] == 10) != records:
        return None
    return np.arange(2, records + 2, dtype=np.int64)


@SETTINGS
@given(
    st.lists(st.sampled_from(["a", ",", "\n", "\r\n", "\n\n", "é", '"'])).map("".join),
    st.integers(1, 9),
)
def test_line_breaks_are_counted_as_one_whole_scan_counts_them(text: str, scan: int) -> None:
    data = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_fastread, "_SCAN", scan)
        assert _fastread._count_byte(data, 10) == text.encode("utf-8").count(b"\n")
        for records in range(text.count("\n") + 2):
            got = _fastread._single_lines(data, records)
            want = _reference_single_lines(data, records)
            assert (got is None) == (want is None), (text, records)
            if want is not None:
                assert got.tolist() == want.tolist()


# --------------------------------------------------------------------------- encoding


def _reference_encoded(column: Any) -> tuple[list[int], list[Any]]:
    if column.num_chunks == 0:
        return [], []
    whole = column.combine_chunks()
    encoded = whole if pa.types.is_dictionary(whole.type) else pc.dictionary_encode(whole)
    indices = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False)
    return [int(i) for i in indices], encoded.dictionary.to_pylist()


def _reference_dossier_ids(values: Sequence[Any]) -> tuple[list[int], list[str]]:
    """Row by row: the id as the scalar reader reads it, numbered by first appearance."""
    keys: dict[str, int] = {}
    g = []
    for v in values:
        try:
            text = _tables._text(v, "dossier_id")
        except _tables._RowError:
            text = None
        g.append(-1 if text is None else keys.setdefault(text, len(keys)))
    return g, list(keys)


ID_WORDS = ["A", "B", "b", " A", "A ", "Á", "A\u0301", "", "\u00a0", "HS-1", "HS-10", "HS-2"]


@st.composite
def id_columns(draw: st.DrawFn) -> list[str | None]:
    """Ids in runs (a dossier's rows), in order or not, with nulls and ids to trim."""
    if draw(st.booleans()):  # in order, each id in one run: the ids are their own dictionary
        numbers = sorted(set(draw(st.lists(st.integers(0, 999), max_size=12))))
        return [f"HS-{k:04d}" for k in numbers for _ in range(draw(st.integers(1, 4)))]
    words = draw(st.lists(st.sampled_from([*ID_WORDS, None]), max_size=12))
    return [w for w in words for _ in range(draw(st.integers(1, 4)))]


@SETTINGS
@given(id_columns(), st.lists(st.integers(0, 40), max_size=6), st.booleans())
def test_ids_read_run_by_run_as_row_by_row(
    values: list[str | None], cuts: list[int], large: bool
) -> None:
    column = _chunked(values, cuts, pa.large_string() if large else pa.string())
    indices, dictionary = _fastread._encoded(column)
    assert indices.dtype == np.int64
    assert (indices.tolist(), dictionary.to_pylist()) == _reference_encoded(column)
    g, ids = _fastread._dossier_ids(column)
    assert g.dtype == np.int64
    assert (g.tolist(), ids) == _reference_dossier_ids(values)


def test_runs_go_on_across_chunks_and_stop_at_nulls() -> None:
    column = _chunked(["a", "a", "a", None, None, "b", "b"], [2, 2, 4, 6])
    assert _fastread._run_heads(column).tolist() == [0, 3, 4, 5]
    assert _fastread._taken(column, np.array([0, 3, 5])).to_pylist() == ["a", None, "b"]
    assert _fastread._run_heads(pa.chunked_array([], pa.string())).tolist() == []


@pytest.mark.parametrize(
    ("texts", "distinct"),
    [
        ([], True),
        (["a"], True),
        (["a", "b", "ba"], True),
        (["a", "a"], False),
        (["b", "a"], False),  # different, but not shown so
        (["a", None], False),
        ([None], False),
    ],
)
def test_all_distinct_is_shown_only_when_true(texts: list[str | None], distinct: bool) -> None:
    assert _fastread._all_distinct(pa.array(texts, pa.string())) is distinct


@st.composite
def dictionary_columns(draw: st.DrawFn) -> Any:
    """A dictionary column in chunks that share one dictionary, or not (to be unified), with
    nulls; the dictionary may hold values no row uses, or one value twice."""
    words = ["x", "y", "z", "x ", "Trực tuyến", "online", ""]
    shared = draw(st.lists(st.sampled_from(words), min_size=1, max_size=5))
    chunks = []
    for _ in range(draw(st.integers(1, 4))):
        values = (
            shared
            if draw(st.booleans())
            else draw(st.lists(st.sampled_from(words), min_size=1, max_size=5))
        )
        size = draw(st.integers(0, 6))
        indices = [draw(st.one_of(st.none(), st.integers(0, len(values) - 1))) for _ in range(size)]
        chunks.append(
            pa.DictionaryArray.from_arrays(pa.array(indices, pa.int32()), pa.array(values))
        )
    return pa.chunked_array(chunks)


@SETTINGS
@given(dictionary_columns())
def test_dictionary_columns_read_as_when_combined(column: Any) -> None:
    indices, dictionary = _fastread._encoded(column)
    assert (indices.tolist(), dictionary.to_pylist()) == _reference_encoded(column)
    read = _fastread._in_column(dict(_tables._DOSSIER_READERS)["channel"], "channel")
    codes, values = _reference_mapped(column, read)
    mapped = _fastread._mapped(column, read, len(column))
    assert (mapped.codes.tolist(), mapped.values) == (codes, values)


def _reference_mapped(column: Any, read: Callable[[Any], Any]) -> tuple[list[int], list[Any]]:
    indices, dictionary = _reference_encoded(column)
    keys: dict[Any, int] = {}
    remap = [-1] * (len(dictionary) + 1)
    for i, raw in enumerate(dictionary):
        try:
            value = read(raw)
        except _tables._RowError:
            remap[i] = _fastread._BAD
            continue
        if value is not None:
            remap[i] = keys.setdefault(value, len(keys))
    return [remap[i] for i in indices], list(keys)


def test_codes_are_as_narrow_as_their_values_allow() -> None:
    assert _fastread._code_type(0) == np.int8
    assert _fastread._code_type(127) == np.int8
    assert _fastread._code_type(128) == np.int16
    assert _fastread._code_type(40_000) == np.int32
    many = pa.chunked_array([pa.array([f"v{i}" for i in range(300)]).dictionary_encode()])
    mapped = _fastread._mapped(many, lambda v: v, 300)
    assert mapped.codes.tolist() == list(range(300))
    assert _fastread._mapped(None, lambda v: v, 3).codes.tolist() == [-1, -1, -1]


# --------------------------------------------------------------------------- times

TIMES = [
    "2026-02-28T23:59",
    "2026-02-29T08:00",  # not a leap year
    "2026-02-30T08:00",
    "2028-02-29T08:00",
    "2000-02-29 08:00:00",
    "2100-02-29 08:00",
    "2026-04-31T08:00",
    "2026-12-31T23:59:59",
    "2027-01-01T00:00",
    "2026-13-01T08:00",
    "2026-00-10T08:00",
    "2026-01-00T08:00",
    "2026-10-05T24:00",
    "2026-10-05T23:60",
    "2026-10-05T10:00:60",
    "2026-12-31T20:00Z",  # the next year, local time
    "2026-12-31T17:00:00.123Z",
    "2026-12-31T16:59:59.999999+00:00",
    "2026-03-01T00:30+09:00",  # the day before, local time
    "1975-12-31T20:00+00:00",  # before UTC+7 was steady
    "1995-01-01T00:00",
    "1994-12-31T23:59",
    "2100-12-31T23:59",
    "2101-01-01T00:00",
    "31/12/2026 23:59",
    "29/02/2028 08:00",
    "29/02/2027 08:00",
    "30/02/2026 08:00:00",
    "31/04/2026 08:00",
    "01/13/2026 08:00",
    "5/10/2026 08:00",
    " 2026-10-05T08:00 ",
    "\u00a02026-10-05 08:00\t",
    "2026-10-05",
    "2026-10-05T08",
    "",
    "x",
    None,
]


@SETTINGS
@given(
    st.lists(st.sampled_from(TIMES), min_size=1, max_size=30),
    st.lists(st.integers(0, 30), max_size=4),
    st.integers(1, 5),
    st.sampled_from([(1995, 2100), (2026, 2026), (1, 9999)]),
)
def test_times_read_in_chunks_and_blocks_as_the_scalar_reader_reads_them(
    texts: list[str | None], cuts: list[int], rows: int, years: tuple[int, int]
) -> None:
    column = _chunked(texts, cuts)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_fastread, "_TIME_ROWS", rows)
        mp.setattr(_fastread, "_CHUNK_ROWS", 0)  # chunk by chunk, however small
        at, ok = _fastread._moments(column, years)
    assert (at.dtype, ok.dtype, len(at), len(ok)) == (np.int64, bool, len(texts), len(texts))
    whole_at, whole_ok = _fastread._moments(pa.chunked_array([pa.array(texts, pa.string())]), years)
    assert ok.tolist() == whole_ok.tolist()
    assert at.tolist() == whole_at.tolist()
    for i, text in enumerate(texts):
        try:
            want = _tables._moment(text, "at", years, date_ok=False)
        except (_tables._RowError, OverflowError):
            want = None
        if ok[i]:
            assert isinstance(want, datetime), text
            assert at[i] == (want - datetime(1970, 1, 1)) // timedelta(microseconds=1), text
    usual = {"2026-02-28T23:59", "2028-02-29T08:00", "31/12/2026 23:59", "2026-12-31T20:00Z"}
    for i, text in enumerate(texts):
        if text in usual and years == (1995, 2100):
            assert ok[i], text


def test_the_month_table_is_built_once_and_read_only() -> None:
    first, lengths = _fastread._month_table()
    assert _fastread._month_table()[0] is first
    assert not first.flags.writeable
    assert not lengths.flags.writeable
    assert lengths[2028 * 12 + 1] == 29  # February of a leap year
    assert lengths[2100 * 12 + 1] == 28  # and of a century that is not one
    assert first[1970 * 12] == 0


# --------------------------------------------------------------------------- judging


def _reference_judge(rows: Any) -> Any:
    """The dossiers judged with per-dossier reductions over every row."""
    order, identity = _fastread._order(rows.g, rows.at)

    def ordered(values: Any) -> Any:
        return values if identity else values[order]

    grouped = ordered(rows.g)
    starts = np.flatnonzero(np.r_[True, grouped[1:] != grouped[:-1]]) if len(order) else order
    if not len(order):
        return order, identity, starts, np.zeros(0, bool), {}
    ok = _reference_row_ok(rows)
    clean = np.logical_and.reduceat(ordered(ok), starts)
    value = {}
    top = np.iinfo(np.int64).max
    for name, mapped in rows.dossier.items():
        codes = ordered(mapped.codes).astype(np.int64)
        high = np.maximum.reduceat(codes, starts)
        low = np.minimum.reduceat(np.where(codes >= 0, codes, top), starts)
        clean &= (high < 0) | (low == high)
        value[name] = high
    clean &= value["procedure"] >= 0
    repeated = _fastread._repeated(rows, order, grouped, ordered(rows.at))
    if repeated.size:
        clean[repeated] = False
    return order, identity, starts, clean, value


def _reference_row_ok(rows: Any) -> Any:
    kind = rows.kind
    ok = (rows.g >= 0) & rows.at_ok & (kind >= 0) & (rows.new_due.codes != _fastread._BAD)
    for mapped in (*rows.texts.values(), *rows.dossier.values()):
        ok &= mapped.codes != _fastread._BAD
    has_step = rows.texts["step"].codes >= 0
    ok &= ~(np.isin(kind, _fastread._STEP_KINDS) & ~has_step)
    return ok & ((kind == _fastread._RESCHEDULED) == (rows.new_due.codes >= 0))


def _reference_parts(rows: Any, judged: Any, keep: Any, lines: Any) -> dict[str, Any]:
    """The clean dossiers' columns, each dossier's values repeated over its rows."""
    clean = np.flatnonzero(judged.clean)
    sizes = np.diff(np.r_[judged.starts, len(judged.order)])[clean]
    first_line = lines if judged.identity else lines[judged.order]
    if len(first_line):
        first_line = np.minimum.reduceat(first_line, judged.starts)
    parts = {
        "dossier_id": np.repeat(np.array([*rows.ids, None], dtype=object)[clean], sizes),
        "at": rows.at[keep],
        "line": lines[keep],
        "first": np.repeat(first_line[clean], sizes),
    }
    for name in _fastread._DOSSIER_LEVEL:
        values = rows.dossier[name].objects()
        if name == "channel":
            values = _fastread._objects([None if v is None else v.value for v in values])
        elif name == "difficult_area":
            values = np.array([bool(v) for v in values], dtype=bool)
        parts[name] = np.repeat(values[judged.value[name][clean]], sizes)
    return parts


@st.composite
def read_rows(draw: st.DrawFn) -> Any:
    """Rows as ``_read_rows`` gives them: dossiers numbered by first row (some rows naming
    none), in runs or interleaved, times with ties, codes with empty and unreadable cells."""
    n = draw(st.integers(0, 30))
    rng = random.Random(draw(st.integers(0, 2**32)))
    dossiers = draw(st.integers(1, 6))
    runs = draw(st.booleans())
    raw = (
        sorted(rng.randrange(dossiers) for _ in range(n))
        if runs
        else [rng.randrange(dossiers) for _ in range(n)]
    )
    raw = [-1 if rng.random() < draw(st.sampled_from([0, 0.1])) else d for d in raw]
    numbers: dict[int, int] = {}
    g = np.array([-1 if d < 0 else numbers.setdefault(d, len(numbers)) for d in raw], np.int64)
    ordered_times = draw(st.booleans())
    at = np.array(
        sorted(rng.randrange(6) for _ in range(n))
        if ordered_times
        else [rng.randrange(6) for _ in range(n)],
        dtype=np.int64,
    )
    bad = draw(st.sampled_from([0.0, 0.05]))

    def codes(count: int, empty: float) -> Any:
        out = [rng.randrange(count) if count and rng.random() >= empty else -1 for _ in range(n)]
        out = [_fastread._BAD if rng.random() < bad else c for c in out]
        return np.array(out, dtype=_fastread._code_type(count))

    def mapped(values: list[Any], empty: float, same: bool = False) -> Any:
        if rng.random() < 0.1:  # no cell of the column reads (or none is there)
            values = []
        out = codes(len(values), empty)
        if same and len(values):  # one value per dossier, as in a clean file
            per = [rng.randrange(len(values)) for _ in range(len(numbers))]
            pairs = zip(out, g, strict=True)  # a row naming no dossier (-1) keeps its code
            out = np.array([c if c < 0 or d < 0 else per[d] for c, d in pairs], out.dtype)
        return _fastread._Mapped(out, values)

    kind = np.array([rng.randrange(len(_fastread._KINDS)) for _ in range(n)], dtype=np.int64)
    kind[rng.random() < 0.1] = -1  # (a whole column at times: no event kind read)
    due_values: list[Any] = [datetime(2026, 11, 6, 17)]
    if draw(st.booleans()):
        due_values.append(date(2026, 11, 9))  # a date alone: objects
    due = [rng.randrange(len(due_values)) if k == _fastread._RESCHEDULED else -1 for k in kind]
    due = [_fastread._BAD if rng.random() < bad else c for c in due]
    same = draw(st.booleans())
    return _fastread._Rows(
        g,
        np.zeros(n, dtype=bool),
        [f"HS-{k}" for k in range(len(numbers))],
        at,
        np.array([rng.random() >= bad for _ in range(n)], dtype=bool),
        kind,
        _fastread._Mapped(np.array(due, dtype=np.int8), due_values),
        {
            "step": mapped(["Thẩm định", "Ký"], 0.3),
            "unit": mapped(["Phòng A"], 0.5),
            "note": mapped([], 1.0),
        },
        {
            "procedure": mapped(sorted(PROCS), draw(st.sampled_from([0.0, 0.2])), same),
            "agency": mapped(["UBND xã A", "UBND xã B"], 0.2, same),
            "level": mapped(["Cấp xã"], 0.0, same),
            "field": mapped(["Hộ tịch", "Đất đai"], 0.5, same),
            "channel": mapped([Channel.ONLINE, Channel.DIRECT], 0.3, same),
            "difficult_area": mapped([True, False], 0.9, same),
        },
    )


@SETTINGS
@given(read_rows())
def test_dossiers_are_judged_and_laid_out_as_by_per_dossier_reductions(rows: Any) -> None:
    judged = _fastread._judge(rows)
    order, identity, starts, clean, value = _reference_judge(rows)
    assert judged.order.tolist() == order.tolist()
    assert judged.identity == identity
    assert judged.starts.tolist() == starts.tolist()
    assert judged.clean.tolist() == clean.tolist()
    for name, high in value.items():
        assert judged.value[name].tolist() == high.tolist(), name
    sizes = np.diff(np.r_[judged.starts, len(judged.order)])
    row_clean = np.repeat(judged.clean, sizes)
    everything = judged.identity and bool(judged.clean.all())
    keep = slice(None) if everything else judged.order[row_clean]
    lines = np.arange(len(rows.g), dtype=np.int64) * 2 + 2
    got = _fastread._clean_parts(rows, judged, keep, lines)
    want = _reference_parts(rows, judged, keep, lines)
    for name, values in want.items():
        # the texts come as categoricals: compared as their values, None where missing
        column = _fastread._plain(got[name])
        assert column.dtype == values.dtype, name
        assert column.tolist() == values.tolist(), name
        if name in _fastread._CODED:
            assert isinstance(got[name], pd.Categorical), name
    for name in ("step", "unit", "note"):
        mapped = rows.texts[name]
        assert _fastread._plain(got[name]).tolist() == [
            ([*mapped.values, None])[c] for c in mapped.codes[keep]
        ]
    kinds = [_fastread._KINDS[k].value for k in rows.kind[keep]]
    assert _fastread._plain(got["kind"]).tolist() == kinds
    assert got["new_due"].tolist() == _fastread._due_parts(rows.new_due, keep).tolist()


# --------------------------------------------------------------------------- a whole file


def _record(rng: random.Random, dossier: str, k: int) -> list[str]:
    kinds = [k.value for k in EventKind if k is not EventKind.RESCHEDULED]
    day = rng.choice(["2026-10-05", "2026-10-06", "2026-02-28", "2026-02-30", "2028-02-29"])
    at = f"{day}T{8 + k:02d}:{rng.choice(['00', '30', '60'])}"
    if rng.random() < 0.1:
        at = rng.choice(["05/10/2026 09:00", " 2026-10-05T09:00", "2026-10-05", ""])
    kind = rng.choice(kinds) if rng.random() < 0.3 else ("received" if k == 0 else "resolved")
    step = "Thẩm định" if kind.startswith("step") or rng.random() < 0.1 else ""
    procedure = rng.choice([*sorted(PROCS)[:2], "9.999"] if rng.random() < 0.05 else sorted(PROCS))
    agency = (
        rng.choice(["UBND xã A", "UBND xã A", "UBND xã B"]) if rng.random() < 0.1 else "UBND xã A"
    )
    channel = rng.choice(["online", "direct", "Trực tuyến", ""])
    return [dossier, procedure, at, kind, step, "", agency, "Cấp xã", "Hộ tịch", channel]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2**32), st.booleans(), st.sampled_from(["\n", "\r\n"]), st.booleans())
def test_a_file_read_in_small_chunks_reads_as_the_scalar_reader(
    seed: int, interleaved: bool, newline: str, blank_lines: bool
) -> None:
    rng = random.Random(seed)
    ids = [f"HS-{i:05d}" if rng.random() < 0.9 else f" HS-{i:05d}" for i in range(40)]
    records = [_record(rng, d, k) for d in ids for k in range(rng.randrange(1, 5))]
    if interleaved:
        rng.shuffle(records)
    header = "dossier_id,procedure,at,kind,step,unit,agency,level,field,channel"
    lines = [header]
    for r in records:
        lines.append(",".join(r))
        if blank_lines and rng.random() < 0.05:
            lines.append("")
    text = newline.join(lines) + newline * rng.randrange(3)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "events.csv"
        path.write_bytes(text.encode("utf-8"))
        want = _tables.read_dossiers(path, PROCS, skip_bad=True)
        oracle = _fastread._from_dossier_table(want, "oracle")
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(_fastread, "_BLOCK", 1024, raising=False)  # many pyarrow chunks
            mp.setattr(_fastread, "_TIME_ROWS", 7)
            mp.setattr(_fastread, "_CHUNK_ROWS", 0)
            mp.setattr(_fastread, "_SCAN", 64)
            got = _fastread.read_events_frame(path, PROCS, skip_bad=True)
    assert got.fallback is None
    # (the text columns' categories list the values in another order: compared as values)
    pd.testing.assert_frame_equal(got.events, oracle.events, check_categorical=False)
    assert got.lines.tolist() == oracle.lines.tolist()
    assert [(s.dossier_id, s.lines, s.reason) for s in got.set_aside] == [
        (s.dossier_id, s.lines, s.reason) for s in oracle.set_aside
    ]
    assert (got.rows_read, got.dossiers) == (oracle.rows_read, oracle.dossiers)


# --------------------------------------------------------------------------- the calendar


def _reference_compile(ix: Index, b: int) -> tuple[Any, ...]:
    """A block compiled day by day."""
    first = ix.base + b * BLOCK
    last = min(first + BLOCK - 1, ix.last)
    exceptions = ix._exceptions(first, last)
    work, rank, wd, shape, cum = bytearray(), [], [], bytearray(), [0]
    off_named, work_named = [], []
    count = 0
    for o in range(first, last + 1):
        weekday = (o + 6) % 7
        exc = exceptions.get(o)
        working = ix.weekly[weekday] if exc is None else exc[0]
        if working:
            s = weekday if ix.weekly[weekday] else _MAKEUP_SHAPE
            count += 1
            wd.append(o)
            shape.append(s)
            cum.append(cum[-1] + ix.shapes[s].total)
            if exc is not None and not ix.weekly[weekday]:
                work_named.append((o, exc[1], exc[2]))
        elif exc is not None:
            off_named.append((o, exc[1], exc[2]))
        work.append(1 if working else 0)
        rank.append(count)
    return first, work, rank, wd, shape, cum, off_named, work_named


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.booleans(), min_size=7, max_size=7),
    st.integers(0, 6),
    st.lists(st.tuples(st.integers(0, 9000), st.booleans(), st.integers(0, 2)), max_size=40),
    st.integers(1, 9000),
)
def test_blocks_compile_as_day_by_day(
    weekly: list[bool], start: int, changes: list[tuple[int, bool, int]], span: int
) -> None:
    morning = _DayShape.of(((time(7, 30), time(11, 30)), (time(13), time(16, 30))))
    off = _DayShape.of(())
    shapes = (*(morning if w else off for w in weekly), morning)
    first = date(2020, 1, 1) + timedelta(days=start)
    last = first + timedelta(days=span)
    holidays = {first + timedelta(days=d): ("nghỉ", "off") for d, _, layer in changes if layer == 0}

    def statutory(years: Any) -> dict[date, tuple[str, str]]:
        wanted = set(years)
        return {d: r for d, r in holidays.items() if d.year in wanted}

    layers = tuple(
        tuple(
            DayOverride(
                first + timedelta(days=d),
                DayKind.WORKDAY if works else DayKind.DAY_OFF,
                f"lý do {d}",
                f"reason {d}",
            )
            for d, works, at in changes
            if at == layer
        )
        for layer in (1, 2)
    )
    ix = Index(first, last, shapes, statutory, layers)
    for b in range(len(ix.blocks)):
        blk = ix._compile(b)
        got = (
            blk.first, blk.work, list(blk.rank), list(blk.wd), blk.shape, list(blk.cum),
            blk.off_named, blk.work_named,
        )  # fmt: skip
        assert got == _reference_compile(ix, b)
        assert type(blk.work) is bytearray
        assert type(blk.shape) is bytearray
        assert (blk.total, blk.total_us) == (len(blk.wd), blk.cum[-1])


# --------------------------------------------------------------------------- the batch table


OBJECTS = ["HS-1", "HS-2", "HS-10", "hs-1", "", None, float("nan"), 1, 1.0, True]


@SETTINGS
@given(
    st.one_of(
        st.lists(st.integers(0, 99), max_size=20).map(
            lambda ns: [f"HS-{n:03d}" for n in sorted(ns)]
        ),
        st.lists(st.sampled_from(OBJECTS), max_size=20),
    ),
    st.lists(st.integers(1, 3), min_size=20, max_size=20),
)
def test_factorize_runs_is_pandas_factorize(values: list[Any], repeats: list[int]) -> None:
    column = np.empty(sum(repeats[: len(values)]), dtype=object)
    column[:] = [v for v, k in zip(values, repeats, strict=False) for _ in range(k)]
    codes, uniques = factorize_runs(column)
    want_codes, want_uniques = pd.factorize(column, sort=False)
    assert codes.tolist() == want_codes.tolist()
    assert [repr(u) for u in uniques] == [repr(u) for u in want_uniques]
    assert type(uniques) is type(want_uniques)
