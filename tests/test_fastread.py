"""The columnar reader against the scalar one: the same answers, file by file (STYLE §21, §25).

``read_events_frame`` must give what ``read_dossiers`` gives for the same file: the same
refusals (type and message), the same accounting, the same dossiers set aside with the same
errors (file, line, column, dossier, problem), and a frame holding exactly the dossiers read
(their values, their events in order, the lines of their rows), which ``batch.evaluate_frame``
evaluates to the scalar ``evaluate``'s answers. The expected values always come from the scalar
reader, never from the code under test; the corpus's own hand-counted manifest is checked by
``test_exports_corpus.py``.
"""

from __future__ import annotations

import codecs
import csv
import functools
import io
import random
import tempfile
import tomllib
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

np = pytest.importorskip("numpy")
pd = pytest.importorskip("pandas")
pa = pytest.importorskip("pyarrow")

from tthc_sla import (  # noqa: E402
    Dossier,
    HistoryError,
    TableError,
    _fastread,
    _tables,
    evaluate,
    read_dossiers,
    read_procedures,
    vietnam_calendar,
)
from tthc_sla._fastread import FRAME_COLUMNS, FrameTable, read_events_frame  # noqa: E402
from tthc_sla._vocab import CHANNEL_WORDS, KIND_WORDS  # noqa: E402
from tthc_sla.batch import evaluate_frame  # noqa: E402
from tthc_sla.testing import dossiers  # noqa: E402

ROOT = Path(__file__).parent.parent
EXPORTS = ROOT / "tests" / "data" / "exports"
EVENTS = ROOT / "examples" / "events.csv"
PROCS = read_procedures(ROOT / "examples" / "procedures.csv")
CAL = vietnam_calendar()
AS_OF = datetime(2026, 10, 31, 23, 59)
CASES: list[dict[str, Any]] = tomllib.loads((EXPORTS / "cases.toml").read_text("utf-8"))["case"]

# The files pyarrow does not read (the rest of the corpus it must: the fast path is tested).
WHOLE_FILE_FALLBACKS = {
    "utf16le_bom.csv": "encoding",
    "utf16be_bom.csv": "encoding",
    "utf16le_then_bad.csv": "encoding",
    "cp1258.csv": "encoding",
    "events.jsonl": "jsonl",
    "jsonl_broken_line.jsonl": "jsonl",
    "jsonl_not_object.jsonl": "jsonl",
    "cells_too_many.csv": "pyarrow",  # a record with another number of cells
    "cells_too_few.csv": "pyarrow",
    "output_cell_carriage_return.csv": "carriage return",  # one that ends no line
}


# --------------------------------------------------------------------------- what a reading gives


def _error(e: BaseException) -> tuple[Any, ...]:
    if isinstance(e, TableError):
        return (type(e), str(e), e.path, e.line, e.column, e.dossier_id, e.problem)
    return (type(e), str(e))


def _aside(table: Any) -> list[tuple[Any, ...]]:
    return [(s.dossier_id, s.lines, [_error(e) for e in s.errors]) for s in table.set_aside]


def _accounting(table: Any) -> tuple[Any, ...]:
    return (
        table.source,
        table.format,
        table.rows_read,
        table.rows_accepted,
        table.rows_set_aside,
        len(table),
        tuple(table.ignored_columns),
    )


def _dossier_facts(d: Dossier, lines: Sequence[int]) -> tuple[Any, ...]:
    events = tuple((e.at, e.kind.value, e.step, e.unit, e.new_due, e.note) for e in d.events)
    channel = None if d.channel is None else d.channel.value
    meta = (d.procedure.code, d.agency, d.level, d.field, channel, d.difficult_area)
    return (d.id, meta, events, tuple(lines))


def _py(value: Any) -> Any:
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, np.generic):
        return value.item()
    return value


def _frame_facts(table: FrameTable) -> list[tuple[Any, ...]]:
    """The dossiers of a frame, as ``_dossier_facts`` gives those of read_dossiers."""
    frame = table.events
    assert list(frame.columns) == list(FRAME_COLUMNS)
    assert str(frame["at"].dtype) == "datetime64[us]"
    assert frame["difficult_area"].dtype == bool
    # the texts as categoricals (each distinct value once), by either reader
    coded = ("procedure", "kind", "step", "unit", "note", "agency", "level", "field", "channel")
    categorical = [c for c in FRAME_COLUMNS if isinstance(frame[c].dtype, pd.CategoricalDtype)]
    assert categorical == list(coded)
    assert len(table.lines) == len(frame)
    columns = {c: [_py(v) for v in frame[c].to_numpy(dtype=object)] for c in FRAME_COLUMNS}
    out: list[tuple[Any, ...]] = []
    rows: list[int] = []
    for i, dossier_id in enumerate([*columns["dossier_id"], None]):
        if rows and (dossier_id != columns["dossier_id"][rows[0]]):
            first = rows[0]
            meta = tuple(
                columns[c][first]
                for c in ("procedure", "agency", "level", "field", "channel", "difficult_area")
            )
            for r in rows:  # the dossier's values on each of its rows
                assert tuple(columns[c][r] for c in ("procedure", "agency", "level")) == meta[:3]
            events = tuple(
                tuple(columns[c][r] for c in ("at", "kind", "step", "unit", "new_due", "note"))
                for r in rows
            )
            lines = tuple(int(table.lines[r]) for r in rows)
            out.append((columns["dossier_id"][first], meta, events, lines))
            rows = []
        rows.append(i)
    return out


def scalar_reading(path: Path, **options: Any) -> tuple[Any, ...]:
    try:
        table = read_dossiers(path, PROCS, **options)
    except Exception as e:
        return ("raised", _error(e))
    facts = [_dossier_facts(d, table.lines[d.id]) for d in table.dossiers]
    return ("read", _accounting(table), _aside(table), facts)


def frame_reading(path: Path, **options: Any) -> tuple[Any, ...]:
    try:
        table = read_events_frame(path, PROCS, **options)
    except Exception as e:
        return ("raised", _error(e))
    assert table.rows_read == table.rows_accepted + table.rows_set_aside
    assert table.dossier_lines() == {f[0]: f[3] for f in _frame_facts(table)}
    return ("read", _accounting(table), _aside(table), _frame_facts(table))


def check_same(path: Path, **options: Any) -> None:
    for skip_bad in (True, False):
        want = scalar_reading(path, skip_bad=skip_bad, **options)
        got = frame_reading(path, skip_bad=skip_bad, **options)
        assert got == want, (path.name, skip_bad)


# --------------------------------------------------------------------------- the corpus


def _options(case: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    options = case.get("options", [])
    for name, value in zip(options[::2], options[1::2], strict=True):
        if name == "--encoding":
            out["encoding"] = value
        elif name == "--delimiter":
            out["delimiter"] = value
        elif name == "--columns":
            out["columns"] = tomllib.loads((EXPORTS / value).read_text("utf-8"))["columns"]
        else:
            raise AssertionError(name)
    return out


@pytest.mark.parametrize("case", [pytest.param(c, id=c["file"]) for c in CASES])
def test_the_corpus_reads_as_the_scalar_reader_reads_it(case: dict[str, Any]) -> None:
    check_same(EXPORTS / case["file"], **_options(case))


@pytest.mark.parametrize(
    "case", [pytest.param(c, id=c["file"]) for c in CASES if c["expect"] != "refused"]
)
def test_the_corpus_is_read_by_pyarrow_unless_unusual(case: dict[str, Any]) -> None:
    table = read_events_frame(EXPORTS / case["file"], PROCS, skip_bad=True, **_options(case))
    why = WHOLE_FILE_FALLBACKS.get(case["file"])
    if why is None:
        assert table.fallback is None, table.fallback
        # Only the rows of the dossiers set aside (and of rows naming none) took the scalar
        # path; a dossier found broken by the evaluation reads clean.
        assert table.scalar_rows == table.rows_set_aside
    else:
        assert table.fallback is not None
        assert why in table.fallback
        assert table.scalar_rows == table.rows_read


def _evaluated(frame_table: FrameTable) -> dict[str, tuple[Any, ...]]:
    result = evaluate_frame(frame_table.events, PROCS, CAL, as_of=AS_OF, strict=False)
    return {
        r["dossier_id"]: (
            r["outcome"],
            _py(r["due_at"]),
            _py(r["completed_at"]),
            int(r["late_working_days"]),
        )
        for r in result.to_dict("records")
    }


@pytest.mark.parametrize(
    "case", [pytest.param(c, id=c["file"]) for c in CASES if c["expect"] != "refused"]
)
def test_the_corpus_frame_evaluates_as_the_scalar_dossiers(case: dict[str, Any]) -> None:
    path = EXPORTS / case["file"]
    table = read_dossiers(path, PROCS, skip_bad=True, **_options(case))
    want = {}
    for d in table.dossiers:
        e = evaluate(d, CAL, as_of=AS_OF, strict=False)
        late = e.late_working_days
        want[d.id] = (e.outcome.value, e.due_at, e.completed_at, late)
    got = _evaluated(read_events_frame(path, PROCS, skip_bad=True, **_options(case)))
    assert got == want


def test_a_broken_history_is_named_by_the_line_of_its_row() -> None:
    # HS-003's "resumed" (line 18) follows no pause: evaluate() names the event's index, and
    # both tables map it to the same line.
    path = EXPORTS / "history_resumed_without_paused.csv"
    table = read_dossiers(path, PROCS)
    frame = read_events_frame(path, PROCS)
    (dossier,) = [d for d in table.dossiers if d.id == "HS-003"]
    with pytest.raises(HistoryError) as info:
        evaluate(dossier, CAL, as_of=AS_OF)
    assert table.line_of("HS-003", info.value.index) == 18
    assert frame.line_of("HS-003", info.value.index) == 18
    assert frame.line_of("HS-003", None) == table.line_of("HS-003", None) == 16
    assert frame.dossier_lines() == table.lines
    with pytest.raises(KeyError):
        frame.line_of("HS-999", 0)


# --------------------------------------------------------------------------- other files


def test_a_stream_and_other_options_read_as_the_scalar_reader(tmp_path: Path) -> None:
    with EVENTS.open("rb") as f:
        table = read_events_frame(f, PROCS)
    assert table.fallback == "an open file, not a path"
    assert _frame_facts(table) == scalar_reading(EVENTS)[3]
    narrow = tmp_path / "events.csv"
    narrow.write_bytes(EVENTS.read_bytes())
    for years in ((2026, 2026), (2025, 2025), (1995, 2100)):
        check_same(narrow, years=years)
    with pytest.raises(TableError, match="expected a mapping"):
        read_events_frame(EVENTS, [], skip_bad=True)  # type: ignore[arg-type]
    with pytest.raises(TableError, match="the map sends"):
        read_events_frame(EVENTS, PROCS, columns={"x": "nothing"})


def _clean_frame() -> Any:
    with EVENTS.open(encoding="utf-8", newline="") as f:
        header, *rows = csv.reader(f)
    return pd.DataFrame([[v or None for v in r] for r in rows], columns=header)


def test_parquet_of_text_and_of_timestamps_reads_as_the_scalar_reader(tmp_path: Path) -> None:
    frame = _clean_frame()
    text = tmp_path / "text.parquet"
    frame.to_parquet(text, engine="pyarrow", index=False)
    check_same(text)
    assert read_events_frame(text, PROCS).fallback is None
    stamped = frame.copy()
    stamped["at"] = pd.to_datetime(stamped["at"]).astype("datetime64[ms]")
    stamped["new_due"] = pd.to_datetime(stamped["new_due"]).astype("datetime64[us]")
    naive = tmp_path / "naive.parquet"
    stamped.to_parquet(naive, engine="pyarrow", index=False)
    check_same(naive)
    assert read_events_frame(naive, PROCS).fallback is None
    aware = stamped.copy()
    aware["at"] = aware["at"].dt.tz_localize("Asia/Ho_Chi_Minh").dt.tz_convert("UTC")
    utc = tmp_path / "utc.parquet"
    aware.to_parquet(utc, engine="pyarrow", index=False)
    check_same(utc)
    nano = stamped.copy()
    nano["at"] = nano["at"].astype("datetime64[ns]") + pd.Timedelta(1, "ns")
    nanos = tmp_path / "nanos.parquet"
    nano.to_parquet(nanos, engine="pyarrow", index=False)
    check_same(nanos)  # refused, by the scalar reader's own words
    numbers = frame.copy()
    numbers["difficult_area"] = [i % 2 == 0 for i in range(len(numbers))]
    numbers.loc[3, "kind"] = None
    mixed = tmp_path / "mixed.parquet"
    numbers.to_parquet(mixed, engine="pyarrow", index=False)
    check_same(mixed)


def test_csv_quirks_read_as_the_scalar_reader(tmp_path: Path) -> None:
    text = EVENTS.read_text("utf-8")
    header, first, *rest = text.splitlines(keepends=True)
    variants = {
        "crlf_blank.csv": text.replace("\n", "\r\n").replace("HS-004", "\r\nHS-004", 1),
        "blank_first.csv": "\n" + text,
        "blank_record.csv": header + first + ",,,,,,,,,,,\n" + "".join(rest),
        "blank_id_spaces.csv": header + first + " ,,,,,,,,,,,\n" + "".join(rest),
        "lone_cr.csv": text.replace("HS-004", "HS\r004", 1),
        "nul.csv": text.replace("HS-004", "HS\x00004", 1),
        "quote_junk.csv": text.replace(",Cấp xã", ',"Cấp" xã', 1),
        "quote_inside.csv": text.replace(",Cấp xã", ',Cấp "xã"', 1),
        "quoted_break.csv": text.replace(",Cấp xã", ',"Cấp\nxã"', 1),
        "bom_utf8.csv": "\ufeff" + text,
        "nbsp.csv": text.replace("HS-002,", "\u00a0HS-002\u3000,"),
        "nfd_ids.csv": text.replace("HS-002", unicodedata.normalize("NFD", "HS-Đỗ-002")),
        "header_only_crlf.csv": header.replace("\n", "\r\n"),
        "no_final_newline.csv": text.rstrip("\n"),
        "many_final_newlines.csv": text + "\n\n\r\n",
        "header_break.csv": header.rstrip("\n")
        + ',"Người\nxử lý"\n'
        + "".join(line.rstrip("\n") + ',"a\n\nb"\n' for line in (first, *rest)),
        "tab_quoted.csv": text.replace(",", "\t").replace("\tCấp xã", '\t"Cấp\txã"', 1),
    }
    for name, content in variants.items():
        path = tmp_path / name
        path.write_bytes(content.encode("utf-8"))
        check_same(path)
    # Bytes that are not UTF-8 (overlong, surrogate, beyond U+10FFFF, cut short) and some that
    # are: pyarrow's check and Python's decoder agree, so the file is refused or read alike.
    for i, raw in enumerate((b"\xc0\x80", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xe2\x82",
                             b"\xef\xbf\xbe", b"\xf0\x9f\x98\x80")):  # fmt: skip
        path = tmp_path / f"bytes_{i}.csv"
        path.write_bytes(text.encode("utf-8").replace("chờ".encode(), raw, 1))
        check_same(path)
        check_same(path, encoding="utf-8")
    pyarrow_read = ("crlf_blank.csv", "blank_record.csv", "quoted_break.csv", "nfd_ids.csv")
    for name in (*pyarrow_read, "header_break.csv", "tab_quoted.csv", "many_final_newlines.csv"):
        assert read_events_frame(tmp_path / name, PROCS, skip_bad=True).fallback is None, name


# --------------------------------------------------------------------------- generated exports

VI_HEADERS = _tables.EVENT_HEADERS
WORDS_OF_KIND: dict[str, list[str]] = {}
for word, value in KIND_WORDS.items():
    WORDS_OF_KIND.setdefault(value, []).append(word)
WORDS_OF_CHANNEL: dict[str, list[str]] = {}
for word, value in CHANNEL_WORDS.items():
    WORDS_OF_CHANNEL.setdefault(value, []).append(word)
FLAGS = {True: ("có", "true", "1", "Yes", "CÓ"), False: ("không", "false", "0", "no", "FALSE")}
AGENCIES = ("UBND xã Hòa Vang", "Sở Tư pháp", "=HYPERLINK(1)", "Chi nhánh, VPĐK")
DEFECTS = (
    "kind_bad", "at_bad_date", "at_date_only", "at_empty", "at_hour_only", "at_no_colon",
    "at_spaces", "at_year_out", "at_offset_24", "id_empty", "id_spaced", "duplicate",
    "agency_conflict", "agency_nfd", "procedure_unknown", "channel_bad", "flag_bad",
    "blank_record", "step_missing", "new_due_extra", "note_quotes", "channel_word",
)  # fmt: skip


def _iso(t: datetime, sep: str) -> str:
    text = t.strftime(f"%Y-%m-%d{sep}%H:%M")
    if t.second or t.microsecond:
        text += t.strftime(":%S")
    if t.microsecond:
        text += f".{t.microsecond // 1000:03d}" if t.microsecond % 1000 == 0 else f".{t:%f}"
    return text


def _moment(t: datetime, style: str) -> str:
    if style == "dmy" and not t.microsecond:
        return t.strftime("%d/%m/%Y %H:%M") + (t.strftime(":%S") if t.second else "")
    if style == "utc_z":
        return _iso(t - timedelta(hours=7), "T") + "Z"
    if style == "plus_0900":
        return _iso(t + timedelta(hours=2), "T") + "+09:00"
    if style == "minus_0530":
        return _iso(t - timedelta(hours=12, minutes=30), " ") + "-05:30"
    if style == "plus_0700":
        return _iso(t, "T") + "+07:00"
    return _iso(t, " " if style == "iso_space" else "T")


def _new_due(value: date | datetime, style: str, rng: random.Random) -> str:
    if isinstance(value, datetime):
        return _moment(value, style)
    return value.strftime(rng.choice(("%Y-%m-%d", "%d/%m/%Y")))


def _records(
    ds: Sequence[Dossier], style: dict[str, Any], rng: random.Random
) -> list[dict[str, str]]:
    """One record per event, the dossier's values on its first row or on every row."""
    out = []
    for i, d in enumerate(ds):
        agency = AGENCIES[i % len(AGENCIES)]
        flag = rng.choice((None, True, False))
        for k, e in enumerate(d.events):
            kind = e.kind.value
            if style["kinds"] == "vi" and kind in WORDS_OF_KIND:
                kind = rng.choice(WORDS_OF_KIND[kind])
            elif style["kinds"] == "upper":
                kind = kind.upper()
            stated = k == 0 or style["every_row"]
            channel = (d.channel.value if d.channel else "") if stated else ""
            record = {
                "dossier_id": f"HS-{i:03d}",
                "procedure": d.procedure.code if stated or rng.random() < 0.3 else "",
                "at": _moment(e.at, style["times"]),
                "kind": kind,
                "step": e.step or "",
                "unit": e.unit or "",
                "new_due": "" if e.new_due is None else _new_due(e.new_due, style["times"], rng),
                "note": rng.choice(("", "", "chờ ý kiến, bổ sung", 'ghi "chú"', "a\nb")),
                "agency": agency if stated else "",
                "level": "Cấp xã" if stated else "",
                "field": "Hộ tịch" if stated else "",
                "channel": channel,
                "difficult_area": rng.choice(FLAGS[flag]) if stated and flag is not None else "",
            }
            out.append(record)
    return out


def _defect(records: list[dict[str, str]], defect: str, rng: random.Random) -> None:
    """One defect (or oddity the scalar reader reads) in a drawn row."""
    i = rng.randrange(len(records))
    r = records[i]
    changes: dict[str, Callable[[], None]] = {
        "kind_bad": lambda: r.update(kind="xem xét"),
        "at_bad_date": lambda: r.update(at="2026-02-30T08:00"),
        "at_date_only": lambda: r.update(at=r["at"][:10]),
        "at_empty": lambda: r.update(at=" "),
        "at_hour_only": lambda: r.update(at="2026-09-21T09"),
        "at_no_colon": lambda: r.update(at="2026-09-21T09:00+0700"),
        "at_spaces": lambda: r.update(at=f"\u00a0 {r['at']}\t"),
        "at_year_out": lambda: r.update(at="2200-01-01 09:00"),
        "at_offset_24": lambda: r.update(at="2026-09-21T09:00+24:00"),
        "id_empty": lambda: r.update(dossier_id=""),
        "id_spaced": lambda: r.update(dossier_id=f" {r['dossier_id']} "),
        "duplicate": lambda: records.insert(i, dict(r)),
        "agency_conflict": lambda: r.update(agency="UBND phường Hải Châu"),
        "agency_nfd": lambda: r.update(agency=unicodedata.normalize("NFD", r["agency"])),
        "procedure_unknown": lambda: r.update(procedure="9.999"),
        "channel_bad": lambda: r.update(channel="fax"),
        "flag_bad": lambda: r.update(difficult_area="maybe"),
        "blank_record": lambda: records.insert(i, dict.fromkeys(r, "")),
        "step_missing": lambda: r.update(step=""),
        "new_due_extra": lambda: r.update(new_due="2026-11-06"),
        "note_quotes": lambda: r.update(note='"quoted", then "more"\r\nand a line'),
        "channel_word": lambda: r.update(channel=rng.choice(list(CHANNEL_WORDS)).upper()),
    }
    changes[defect]()


def _write(path: Path, records: list[dict[str, str]], style: dict[str, Any]) -> None:
    columns = [c for c in (*FRAME_COLUMNS, "difficult_area") if c in records[0]]
    columns = list(dict.fromkeys(columns))
    headers = []
    for c in columns:
        names = (c, *VI_HEADERS[c]) if style["vi_headers"] else (c,)
        name = names[style["seed"] % len(names)]
        headers.append(name.upper() if style["upper_headers"] else name)
    buf = io.StringIO()
    quoting = csv.QUOTE_ALL if style["quote_all"] else csv.QUOTE_MINIMAL
    writer = csv.writer(
        buf, delimiter=style["delimiter"], lineterminator=style["newline"], quoting=quoting
    )
    writer.writerow(headers)
    rng = random.Random(style["seed"])
    for r in records:
        writer.writerow([r[c] for c in columns])
        if style["blank_lines"] and rng.random() < 0.1:
            buf.write(style["newline"])
    text = buf.getvalue()
    path.write_bytes((codecs.BOM_UTF8 if style["bom"] else b"") + text.encode("utf-8"))


STYLES = st.fixed_dictionaries(
    {
        "seed": st.integers(0, 2**16),
        "delimiter": st.sampled_from([",", ";", "\t"]),
        "times": st.sampled_from(
            ["iso_t", "iso_space", "dmy", "utc_z", "plus_0700", "plus_0900", "minus_0530"]
        ),
        "kinds": st.sampled_from(["value", "vi", "upper"]),
        "vi_headers": st.booleans(),
        "upper_headers": st.booleans(),
        "every_row": st.booleans(),
        "quote_all": st.booleans(),
        "newline": st.sampled_from(["\n", "\r\n"]),
        "bom": st.booleans(),
        "blank_lines": st.booleans(),
        "shuffle": st.booleans(),
        "defects": st.lists(st.sampled_from(DEFECTS), max_size=3),
        "years": st.sampled_from([(1995, 2100), (2025, 2026)]),
    }
)
DOSSIERS = st.lists(
    dossiers(
        calendar=CAL,
        procedures=st.sampled_from(sorted(PROCS.values(), key=lambda p: p.code)),
        min_date=date(2025, 1, 1),
        max_date=date(2026, 12, 31),
        max_events=8,
    ),
    min_size=1,
    max_size=5,
)


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(ds=DOSSIERS, style=STYLES)
def test_generated_exports_read_as_the_scalar_reader(
    ds: list[Dossier], style: dict[str, Any]
) -> None:
    rng = random.Random(style["seed"])
    records = _records(ds, style, rng)
    for defect in style["defects"]:
        _defect(records, defect, rng)
    if style["shuffle"]:
        rng.shuffle(records)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "events.csv"
        _write(path, records, style)
        check_same(path, years=style["years"])
        if not style["defects"] and style["years"] == (1995, 2100):
            table = read_events_frame(path, PROCS, skip_bad=True)
            assert table.fallback is None
            assert table.scalar_rows == table.rows_set_aside  # only the dossiers set aside


# --------------------------------------------------------------------------- the parts


def test_space_is_what_str_strip_removes() -> None:
    spaces = "".join(c for c in map(chr, range(0x110000)) if c.isspace())
    assert spaces == _fastread.SPACE


def _python_records(text: str) -> list[tuple[int, list[str]]]:
    """The records of the csv module as ``_formats`` reads them, with their first lines."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    out, start = [], 1
    for cells in reader:
        if cells:
            out.append((start, cells))
        start = reader.line_num + 1
    return out


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(["a", ",", '"', "\n", "\r\n", "é"]), max_size=40).map("".join))
def test_quotes_and_lines_are_found_as_the_csv_module_finds_them(text: str) -> None:
    data = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)
    quotes = _fastread.quoted_spans(data, ord(","))
    try:
        records = _python_records(text)
    except csv.Error:
        assert quotes is None
        return
    assert quotes is not None
    try:
        lines, breaks = _fastread.record_lines(data, quotes)
    except _fastread._Unusual:
        assert not records or records[0][0] != 1  # a blank first line
        return
    assert [line for line, _ in records[1:]] == lines.tolist()
    assert breaks == any("\n" in c for _, cells in records for c in cells)
    widths = {len(cells) for _, cells in records}
    if len(widths) == 1 and len(records) > 1 and len(set(records[0][1])) == len(records[0][1]):
        pv = pytest.importorskip("pyarrow.csv")
        table = pv.read_csv(
            pa.py_buffer(text.encode("utf-8")),
            parse_options=pv.ParseOptions(newlines_in_values=breaks),
            convert_options=pv.ConvertOptions(
                column_types=dict.fromkeys(records[0][1], pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
        assert [list(r.values()) for r in table.to_pylist()] == [c for _, c in records[1:]]


PIECES = st.fixed_dictionaries(
    {
        "year": st.sampled_from(["0000", "0001", "1975", "1976", "2026", "2100", "2200", "9999"]),
        "month": st.sampled_from(["00", "01", "02", "09", "12", "13", "1"]),
        "day": st.sampled_from(["00", "01", "09", "28", "29", "30", "31", "32", "7"]),
        "hour": st.sampled_from(["00", "09", "23", "24", "9"]),
        "minute": st.sampled_from(["00", "30", "59", "60"]),
        "second": st.sampled_from(["", ":00", ":59", ":60", ":5"]),
        "fraction": st.sampled_from(["", ".1", ".123", ".123456", ".1234567", ",123"]),
        "zone": st.sampled_from(
            ["", "", "Z", "z", "+07:00", "-05:30", "+23:59", "+24:00", "+0700", "+07", "-00:00"]
        ),
        "sep": st.sampled_from(["T", " ", "t", "  ", "_"]),
        "dmy": st.booleans(),
        "pad": st.sampled_from(["", " ", "\u00a0", "\t"]),
    }
)


def _written(p: dict[str, str]) -> str:
    if p["dmy"]:
        text = f"{p['day']}/{p['month']}/{p['year']}{p['sep']}{p['hour']}:{p['minute']}"
        text += p["second"] + p["zone"]
    else:
        text = f"{p['year']}-{p['month']}-{p['day']}{p['sep']}{p['hour']}:{p['minute']}"
        text += p["second"] + (p["fraction"] if p["second"] else "") + p["zone"]
    return p["pad"] + text + p["pad"]


def _usual(p: dict[str, str]) -> bool:
    """A form the vectorised parser must read itself (not send to the scalar path)."""
    usual = p["sep"] in "T " and len(p["sep"]) == 1 and p["zone"] in ("", "Z", "+07:00", "-05:30")
    usual &= len(p["month"]) == len(p["day"]) == len(p["hour"]) == 2 and p["second"] != ":5"
    usual &= p["fraction"] in ("", ".123", ".123456") and not (p["dmy"] and p["zone"])
    return usual and (not p["zone"] or int(p["year"]) >= 1976)  # earlier: not always UTC+7


@settings(max_examples=150, deadline=None)
@given(st.lists(PIECES, min_size=1, max_size=40), st.sampled_from([(1995, 2100), (1, 9999)]))
def test_times_read_over_arrays_only_as_the_scalar_reader_reads_them(
    pieces: list[dict[str, str]], years: tuple[int, int]
) -> None:
    texts = [_written(p) for p in pieces]
    at, ok = _fastread._moments(pa.chunked_array([texts]), years)
    for i, (p, text) in enumerate(zip(pieces, texts, strict=True)):
        try:
            want = _tables._moment(text, "at", years, date_ok=False)
        except (_tables._RowError, OverflowError):  # OverflowError: 9999-12-31T23:00Z
            assert not ok[i], text
            continue
        assert isinstance(want, datetime)
        if ok[i]:
            assert at[i] == (want - datetime(1970, 1, 1)) // timedelta(microseconds=1), text
        if _usual(p):
            assert ok[i], text


@functools.cache
def _all_forms() -> list[str]:
    return [f.template for f in _fastread._FORMS]


def test_every_form_is_one_the_scalar_reader_reads() -> None:
    t = datetime(2026, 2, 28, 23, 59, 58, 123456)
    for template in _all_forms():
        base = template.removesuffix("Sdd:dd")
        digits = iter(f"{t:%d%m%Y%H%M%S}" if template.startswith("dd/") else f"{t:%Y%m%d%H%M%S%f}")
        text = "".join(next(digits) if c == "d" else "T" if c == "X" else c for c in base)
        text += "-05:30" if base != template else ""
        at, ok = _fastread._moments(pa.chunked_array([[text]]), (1995, 2100))
        assert ok[0], text
        want = _tables._moment(text, "at", (1995, 2100), date_ok=False)
        assert isinstance(want, datetime)
        assert at[0] == (want - datetime(1970, 1, 1)) // timedelta(microseconds=1), text
