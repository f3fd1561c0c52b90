"""The table readers: headers, values, order, identity and accounting, on small hand-made tables.

The dirty-export corpus (tests/data/exports/, test_exports_corpus.py) holds whole files; these
tests pin each rule of docs/reports.md on a table of a few rows whose answer is read off by eye.
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tthc_sla import (
    Channel,
    DossierTable,
    EventKind,
    Procedure,
    TableError,
    _tables,
    read_dossiers,
    read_procedures,
)
from tthc_sla._tables import evaluate_table
from tthc_sla.calendar import vietnam_calendar
from tthc_sla.evaluation import evaluate

PROCS = {
    "1.001": Procedure("1.001", "Cấp phép", "5wd"),
    "2.002": Procedure("2.002", "Chứng thực", "Trong ngày"),
}


def read(text: str, **options: object) -> DossierTable:
    return read_dossiers(io.StringIO(text), PROCS, **options)  # type: ignore[arg-type]


def test_vietnamese_headers_words_and_times() -> None:
    table = read(
        "Mã hồ sơ;MÃ THỦ TỤC; Thời điểm ;Trạng thái;Kênh nộp;Vùng khó khăn\n"
        "A;1.001;20/11/2026 09:30;Tiếp nhận;Trực tuyến;không\n"
        "A;1.001;27/11/2026 10:00:05;Đã giải quyết;;\n"
    )
    (d,) = table.dossiers
    assert [e.kind for e in d.events] == [EventKind.RECEIVED, EventKind.RESOLVED]
    assert d.events[0].at == datetime(2026, 11, 20, 9, 30)
    assert d.events[1].at == datetime(2026, 11, 27, 10, 0, 5)
    assert d.channel is Channel.ONLINE
    assert d.difficult_area is False
    assert (table.rows_read, table.rows_accepted, table.rows_set_aside) == (2, 2, 0)
    assert table.lines == {"A": (2, 3)}


def test_offsets_become_local_wall_time() -> None:
    # 02:30Z is 09:30 in Hà Nội (UTC+7); +07:00 is kept as it is; a naive time is local already.
    table = read(
        "dossier_id,procedure,at,kind\n"
        "A,1.001,2026-11-20T02:30Z,received\n"
        "A,1.001,2026-11-23 10:00+07:00,resolved\n"
        ",,,\n"
        "A,1.001,2026-11-23T11:00,returned\n"
    )
    (d,) = table.dossiers
    assert [e.at for e in d.events] == [
        datetime(2026, 11, 20, 9, 30),
        datetime(2026, 11, 23, 10, 0),
        datetime(2026, 11, 23, 11, 0),
    ]
    assert table.lines["A"] == (2, 3, 5)  # the blank record on line 4 is no row


def test_rows_are_ordered_by_time_stably() -> None:
    # Newest first in the file; the two events at 10:00 keep their file order (submitted is
    # above received in the file, so it stays first).
    table = read(
        "dossier_id,procedure,at,kind\n"
        "A,1.001,2026-11-27T10:00,resolved\n"
        "A,1.001,2026-11-20T10:00,submitted\n"
        "A,1.001,2026-11-20T10:00,received\n"
    )
    (d,) = table.dossiers
    assert [e.kind.value for e in d.events] == ["submitted", "received", "resolved"]
    assert table.lines["A"] == (3, 4, 2)
    assert table.line_of("A", 2) == 2


def test_date_only_at_is_refused_and_new_due_date_accepted() -> None:
    with pytest.raises(TableError) as info:
        read("dossier_id,procedure,at,kind\nA,1.001,2026-11-20,received\n")
    err = info.value
    assert (err.line, err.column, err.dossier_id) == (2, "at", "A")
    assert "date without a time" in err.problem
    table = read(
        "dossier_id,procedure,at,kind,new_due\n"
        "A,1.001,2026-11-20T09:00,received,\n"
        "A,1.001,2026-11-23T09:00,rescheduled,04/12/2026\n"
    )
    assert table.dossiers[0].events[1].new_due == date(2026, 12, 4)


@pytest.mark.parametrize(
    ("cell", "phrase"),
    [
        ("2200-01-05T09:00", "outside the calendar's years 1995..2100"),
        ("2026-02-30T09:00", "not a real date"),
        ("31/02/2026 09:00", "not a real date"),
        ("hôm qua", "not a date and time"),
        ("20/11/26 09:00", "not a date and time"),
    ],
)
def test_bad_times_name_row_and_column(cell: str, phrase: str) -> None:
    with pytest.raises(TableError, match=phrase) as info:
        read(f"dossier_id,procedure,at,kind\nA,1.001,{cell},received\n")
    assert (info.value.line, info.value.column) == (2, "at")


def test_years_widen_the_range() -> None:
    table = read("dossier_id,procedure,at,kind\nA,1.001,2150-01-05T09:00,received\n",
                 years=(1995, 2200))  # fmt: skip
    assert table.dossiers[0].events[0].at.year == 2150


def test_a_bad_row_sets_its_whole_dossier_aside() -> None:
    table = read(
        "dossier_id,procedure,at,kind\n"
        "A,1.001,2026-11-20T09:00,received\n"
        "B,1.001,2026-11-20T09:00,received\n"
        "A,1.001,2026-11-24T09:00,đã xong\n"
        "B,1.001,2026-11-24T09:00,resolved\n"
        ",1.001,2026-11-24T09:00,resolved\n",
        skip_bad=True,
    )
    assert [d.id for d in table.dossiers] == ["B"]
    a, loose = table.set_aside
    assert (a.dossier_id, a.lines) == ("A", (2, 4))
    assert (a.errors[0].line, a.errors[0].column) == (4, "kind")
    assert "is not an event kind" in a.errors[0].problem
    assert (loose.dossier_id, loose.lines) == (None, (6,))
    assert (table.rows_read, table.rows_accepted, table.rows_set_aside) == (5, 2, 3)


@pytest.mark.parametrize(
    ("second", "phrase"),
    [
        ("A,2.002,2026-11-21T09:00,step_started,Thẩm định,,", "a second procedure"),
        ("A,1.001,2026-11-21T09:00,step_started,Thẩm định,UBND xã B,", "a second agency"),
        ("A,1.001,2026-11-21T09:00,step_started,Thẩm định,,postal", "a second channel"),
        ("A,9.999,2026-11-21T09:00,step_started,Thẩm định,,", "unknown procedure 9.999"),
        ("A,1.001,2026-11-20T09:00,received,,UBND xã A,trực tiếp", "repeats line 2"),
    ],
)
def test_identity_conflicts_name_both_lines(second: str, phrase: str) -> None:
    text = (
        "dossier_id,procedure,at,kind,step,agency,channel\n"
        "A,1.001,2026-11-20T09:00,received,,UBND xã A,direct\n"
        f"{second}\n"
    )
    with pytest.raises(TableError, match=phrase) as info:
        read(text)
    assert info.value.line == 3
    if "unknown" not in phrase:
        assert "line 2" in info.value.problem  # the other line is named
    table = read(text, skip_bad=True)
    assert table.dossiers == ()
    assert table.set_aside[0].lines == (2, 3)


def test_same_channel_in_two_words_is_no_conflict() -> None:
    table = read(
        "dossier_id,procedure,at,kind,channel\n"
        "A,1.001,2026-11-20T09:00,received,trực tuyến\n"
        "A,1.001,2026-11-24T09:00,resolved,ONLINE\n"
    )
    assert table.dossiers[0].channel is Channel.ONLINE


def test_headers_twice_or_missing() -> None:
    with pytest.raises(TableError, match="'Mã hồ sơ' and 'Số hồ sơ' both name dossier_id"):
        read("Mã hồ sơ,Số hồ sơ,procedure,at,kind\nA,A,1.001,2026-11-20T09:00,received\n")
    with pytest.raises(TableError, match="'at' and 'AT' both name at"):
        read("dossier_id,procedure,at,kind,AT\nA,1.001,2026-11-20T09:00,received,x\n")
    with pytest.raises(TableError) as info:
        read("dossier_id;procedure;at;kind\nA;1.001;2026-11-20T09:00;received\n", delimiter=",")
    message = str(info.value)
    assert "no column for dossier_id, procedure, at, kind" in message
    assert "Found: 'dossier_id;procedure;at;kind'" in message
    assert "looks ';'-separated" in message


def test_user_column_map() -> None:
    text = "Mã hồ sơ gốc,procedure,at,kind,Họ tên\nA,1.001,2026-11-20T09:00,received,Nguyễn A\n"
    with pytest.raises(TableError, match="no column for dossier_id"):
        read(text)
    table = read(text, columns={"mã hồ sơ gốc": "dossier_id"})
    assert table.dossiers[0].id == "A"
    assert table.ignored_columns == ("Họ tên",)
    with pytest.raises(TableError, match="expected one of dossier_id"):
        read(text, columns={"Mã hồ sơ gốc": "id"})


def test_cell_count_and_broken_json_lines() -> None:
    table = read(
        "dossier_id,procedure,at,kind\n"
        "A,1.001,2026-11-20T09:00,received\n"
        "A,1.001,2026-11-24T09:00,resolved,extra\n"
        "B,1.001,2026-11-20T09:00,received\n",
        skip_bad=True,
    )
    assert [d.id for d in table] == ["B"]
    assert table.set_aside[0].dossier_id == "A"
    assert "5 cells, but the header has 4 columns" in table.set_aside[0].reason
    jsonl = (
        '{"dossier_id": "A", "procedure": "1.001", "at": "2026-11-20T09:00", "kind": "received"}\n'
        "{not json\n"
        '{"Mã hồ sơ": "B", "Mã TTHC": "1.001", "Thời điểm": "20/11/2026 09:00", '
        '"Sự kiện": "tiếp nhận"}\n'
    )
    table = read_dossiers(io.BytesIO(jsonl.encode()), PROCS, skip_bad=True)
    assert [d.id for d in table] == ["A", "B"]
    assert table.set_aside[0].dossier_id is None
    assert table.set_aside[0].lines == (2,)
    assert table.rows_read == 3


def test_difficult_area_is_strict() -> None:
    ok = read("dossier_id,procedure,at,kind,difficult_area\nA,1.001,2026-11-20T09:00,received,Có\n")
    assert ok.dossiers[0].difficult_area is True
    with pytest.raises(TableError, match="not a yes/no value") as info:
        read("dossier_id,procedure,at,kind,difficult_area\nA,1.001,2026-11-20T09:00,received,x\n")
    assert info.value.column == "difficult_area"


def test_history_errors_are_named_by_line() -> None:
    # B's history: received (line 3), resumed without a pause (line 5) -> event 1 is line 5.
    table = read(
        "dossier_id,procedure,at,kind\n"
        "A,1.001,2026-11-20T09:00,received\n"
        "B,1.001,2026-11-20T09:00,received\n"
        "A,1.001,2026-11-24T09:00,resolved\n"
        "B,1.001,2026-11-24T09:00,resumed\n"
    )
    cal = vietnam_calendar()

    def one(d: object) -> object:
        return evaluate(d, cal, as_of=datetime(2026, 11, 30))  # type: ignore[arg-type]

    with pytest.raises(TableError, match="RESUMED without a PAUSED") as info:
        evaluate_table(table, one, skip_bad=False)  # type: ignore[arg-type]
    assert (info.value.line, info.value.dossier_id) == (5, "B")
    done, aside = evaluate_table(table, one, skip_bad=True)  # type: ignore[arg-type]
    assert [e.dossier.id for e in done] == ["A"]
    assert (aside[0].dossier_id, aside[0].lines) == ("B", (3, 5))


def test_procedures_with_vietnamese_headers() -> None:
    procs = read_procedures(
        io.StringIO(
            "Mã TTHC;Tên thủ tục;Thời hạn giải quyết\n"
            "1.001;Cấp phép;15 ngày làm việc\n"
            "2.002;Chứng thực;Trong ngày\n"
        )
    )
    assert sorted(procs) == ["1.001", "2.002"]
    assert procs["1.001"].rule.amount == 15
    with pytest.raises(TableError, match="listed twice") as info:
        read_procedures(io.StringIO("code,name,rule\n1,a,5wd\n1,b,5wd\n"))
    assert info.value.line == 3
    with pytest.raises(TableError) as info:
        read_procedures(io.StringIO("code,name,rule\n1,a,không rõ\n"))
    assert (info.value.line, info.value.problem.startswith("procedure 1:")) == (2, True)


# --------------------------------------------------------------------------- CSV cells


@given(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=True),
        st.decimals(allow_nan=False, allow_infinity=False),
        st.text(),
        st.sampled_from(["=1+2", "+84 912", "-3", "@x", "\t=x", "\r=x", " =x"]),
        st.datetimes(),
        st.datetimes(timezones=st.sampled_from([UTC, timezone(timedelta(hours=7))])),
        st.dates(),
        st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    )
)
def test_a_csv_cell_is_written_as_the_general_rule_writes_it(value: Any) -> None:
    # safe_cell reads the usual cells by their exact type first: the same text as the rule
    # for any value (text starting like a formula gets a quote; dates in ISO 8601).
    assert _tables.safe_cell(value) == _tables._any_cell(value)
    text = _tables.safe_cell(value)
    assert not text.startswith(("=", "+", "-", "@", "\t", "\r")) or isinstance(
        value, int | float | Decimal
    )
