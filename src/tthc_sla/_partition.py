"""Event tables larger than memory: split by dossier into partitions on disk, each partition
read and evaluated alone, the answers put together.

The events of one dossier may be anywhere in an export, so the file is first streamed once:
a run of whole records at a time (``_RUN`` bytes of CSV, or a batch of Parquet rows), each
run's cells read by the column reader's own code (``_fastread.text_cells``: the same checks,
and each row's line in the file), and each row sent to the partition that its dossier id
hashes to (the id as the reader reads it: trimmed, NFC), an Arrow IPC stream in a temporary
directory. Each partition is then read by the column reader as a whole file would be (the
same dossiers, the same set-aside dossiers with the same reasons, named by the lines of the
file), evaluated by the command line's engine, and written to disk as its results; counts are
added up (``Summary`` is additive), lists merged in their own order, and the evaluations merged
back into the file's order of dossiers (``PartResults.tables``).

Memory grows with the run (``_RUN``), the number of partitions, and the largest partition:
about the whole-file peak divided by the number of partitions, plus a fixed part (the
libraries, the calendar, the run). Without ``--skip-bad`` the partitions are evaluated setting
defects aside all the same, and if any was found the rows of what was set aside are read again
as one table (``_stop_at_first``): the run stops at the defect the whole file stops at.

Needs pyarrow, numpy and pandas (the ``parquet`` and ``batch`` extras), imported when called.
"""

from __future__ import annotations

import codecs
import contextlib
import functools
import importlib
import math
import os
import pickle
import queue
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime
from typing import Any, Final, NoReturn

import attrs

from tthc_sla import _engines, _fastread, _tables, _writers
from tthc_sla._fastread import FrameTable
from tthc_sla._tables import SetAside, Source
from tthc_sla.calendar import WorkingCalendar
from tthc_sla.metrics import Summary, group_order
from tthc_sla.procedure import Procedure
from tthc_sla.rules import DeadlinePolicy

__all__ = [
    "PartResults",
    "Split",
    "WorkerError",
    "close_workers",
    "evaluate_parts",
    "jobs_for",
    "parts_for",
    "split_events",
    "start_workers",
]

NDArray = Any

_RUN: Final = 32 << 20  # bytes of CSV read, checked and dealt out at a time
_BATCH: Final = 500_000  # Parquet rows read at a time
_ROWS: Final = 100_000  # output rows merged at a time (about)
_ROW_BYTES: Final = 450  # peak memory per event row of the whole-file path (measured, 1M)
_CSV_ROW: Final = 60  # the fewest bytes an export's CSV row takes (to count rows by size)
MOST_PARTS: Final = 4096  # as --partitions allows
_PARALLEL_ROWS: Final = 1_000_000  # the rows from which partitions are evaluated in parallel


def _splitmix(n: int) -> tuple[int, ...]:
    """n well-mixed 64-bit numbers, the same everywhere (SplitMix64 from 0)."""
    out, state, mask = [], 0, (1 << 64) - 1
    for _ in range(n):
        state = (state + 0x9E3779B97F4A7C15) & mask
        z = ((state ^ (state >> 30)) * 0xBF58476D1CE4E5B9) & mask
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
        out.append(z ^ (z >> 31))
    return tuple(out)


_WEIGHTS: Final = _splitmix(64)  # per byte place in an id


# --------------------------------------------------------------------------- how many


def available_memory() -> int | None:
    """The memory this process can still take, in bytes: the system's available memory,
    what is left of its address-space limit when it has one (``ulimit -v``), and the
    control group's limit when there is one (a container); None when unknown."""
    found: list[int] = []
    try:
        with open(_MEMINFO, encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    found.append(int(line.split()[1]) * 1024)
    except (OSError, ValueError, IndexError):
        pass
    room = _address_space_room()
    if room is not None:
        found.append(room)
    for limit_file, usage_file in _CGROUP_FILES:  # v2, then v1 ("max" or a huge number: none)
        try:
            with open(limit_file, encoding="ascii") as f:
                limit = f.read().strip()
            with open(usage_file, encoding="ascii") as f:
                used = int(f.read().strip())
            if limit != "max":
                found.append(int(limit) - used)
            break
        except (OSError, ValueError):
            continue
    return min(found) if found else None


def address_space_limit() -> int | None:
    """This process's address-space limit (``ulimit -v``, RLIMIT_AS) in bytes; None: none."""
    try:
        import resource
    except ImportError:  # (Windows: no such limit)
        return None
    soft = resource.getrlimit(resource.RLIMIT_AS)[0]
    return None if soft == resource.RLIM_INFINITY else int(soft)


def _address_space_room() -> int | None:
    """Under an address-space limit, what is left of it for a table's evaluation: the limit
    less what this process has mapped already and a reserve for what is still to come (the
    libraries, thread stacks, malloc's arenas); None without a limit."""
    limit = address_space_limit()
    if limit is None:
        return None
    mapped = 0
    try:
        with open(_STATUS, encoding="ascii") as f:
            for line in f:
                if line.startswith("VmSize:"):
                    mapped = int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return max(0, limit - mapped - _AS_RESERVE)


_MEMINFO: Final = "/proc/meminfo"
_STATUS: Final = "/proc/self/status"
# The address space a whole-file evaluation maps beyond its data, measured with Arrow's
# system pool (the program's choice under a limit): about 560 MB, then 345 bytes per event row.
_AS_RESERVE: Final = 600 << 20
_CGROUP_FILES: Final = (
    ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current"),
    ("/sys/fs/cgroup/memory/memory.limit_in_bytes", "/sys/fs/cgroup/memory/memory.usage_in_bytes"),
)


def parts_for(path: str, memory: int | None = None) -> int:
    """How many partitions a table needs so that each one's evaluation takes at most a
    quarter of the available memory (1: read it whole, when the whole takes at most half)."""
    memory = available_memory() if memory is None else memory
    need = _need(path)
    if memory is None or need is None or need <= memory // 2:
        return 1
    return min(MOST_PARTS, max(2, math.ceil(need / max(1, memory // 4))))


def jobs_for(path: str, parts: int, memory: int | None = None, cpus: int | None = None) -> int:
    """How many partitions to evaluate at a time, each in its own process: the CPUs this
    process may use, at most the partitions, and as many as fit in half the available memory
    (each takes about the whole table's need divided by the partitions); 1 for a table of
    less than about a million rows."""
    need = _need(path)
    if parts <= 1 or need is None or need < _PARALLEL_ROWS * _ROW_BYTES:
        return 1  # a worker takes a second to start: for a small table, one at a time
    cpus = usable_cpus() if cpus is None else cpus
    memory = available_memory() if memory is None else memory
    fit = parts if memory is None else (memory // 2) // max(1, need // parts)
    return max(1, min(cpus, parts, fit))


def _need(path: str) -> int | None:
    """The peak memory of evaluating a table whole (estimated from its rows); None: unknown."""
    if not os.path.isfile(path):
        return None
    if path.lower().endswith(".parquet"):
        try:
            pq = importlib.import_module("pyarrow.parquet")
            rows = int(pq.ParquetFile(path).metadata.num_rows)
        except Exception:  # the reader names what is wrong with the file
            return None
    else:
        rows = os.path.getsize(path) // _CSV_ROW
    return rows * _ROW_BYTES


def usable_cpus() -> int:
    """The CPUs this process may run on: its affinity, and the control group's quota when
    there is one (a container given 2 CPUs of a 64-CPU host)."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    for quota_file, period_file in _CPU_FILES:  # v2 ("max 100000"), then v1 (-1: none)
        try:
            with open(quota_file, encoding="ascii") as f:
                fields = f.read().split()
            if period_file:
                with open(period_file, encoding="ascii") as f:
                    fields.append(f.read().strip())
            quota, period = fields[0], int(fields[1])
            if quota not in ("max", "-1") and period > 0:
                cpus = min(cpus, max(1, math.ceil(int(quota) / period)))
            break
        except (OSError, ValueError, IndexError):
            continue
    return max(1, cpus)


_CPU_FILES: Final = (
    ("/sys/fs/cgroup/cpu.max", ""),
    ("/sys/fs/cgroup/cpu/cpu.cfs_quota_us", "/sys/fs/cgroup/cpu/cpu.cfs_period_us"),
)


# --------------------------------------------------------------------------- the split


@attrs.define
class Split:
    """An event table dealt into partitions on disk (see the module's notes).

    ``rows_read`` is the rows of the partitions read so far (all of them once evaluated).
    """

    opened: Any  # _fastread._Opened: the file's name, format, header and column map
    paths: tuple[str, ...]  # per partition, its Arrow IPC stream (absent when empty)
    empty_is_none: bool
    dossiers: int = 0  # the dossiers of the partitions read so far
    rows_read: int = 0

    @property
    def source(self) -> str:
        return str(self.opened.raw.name)

    @property
    def ignored_columns(self) -> tuple[str, ...]:
        return tuple(self.opened.cols.ignored)

    def __len__(self) -> int:
        return self.dossiers


def split_events(
    source: Source,
    *,
    parts: int,
    workdir: str,
    columns: Mapping[str, str] | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | None = None,
) -> Split | str:
    """Deal the rows of an event table into ``parts`` partitions by dossier, in ``workdir``;
    or say why this file is read whole (not a UTF-8 CSV or Parquet file, or something the
    column reader hands to the scalar reader). File defects raise as the readers raise them."""
    pa = importlib.import_module("pyarrow")
    user = _tables._user_map(columns, _tables.EVENT_HEADERS)
    try:
        opened = _fastread._open(source, user, encoding, delimiter, sheet)
        if opened.raw.format == "parquet":
            runs, empty_is_none = _parquet_runs(opened), False
        else:
            runs, empty_is_none = _csv_runs(opened), True
        paths = _deal(runs, opened, parts, workdir)
    except _fastread._Unusual as why:
        return str(why)
    except pa.ArrowException as exc:
        return f"pyarrow: {exc}"
    return Split(opened, paths, empty_is_none)


def _csv_runs(opened: Any) -> Iterator[Any]:
    """The cells of a CSV file a run of whole records at a time, with their file lines (the
    file read in pieces, not mapped: its pages are not kept)."""
    raw = opened.raw
    _fastread.check_csv(opened)
    with open(opened.path, "rb") as f:
        pending = f.read(_RUN)
        skip = len(codecs.BOM_UTF8) if pending[:3] == codecs.BOM_UTF8 else 0
        while (end := _last_record_end(pending, raw.delimiter, first=True, start=skip)) < 0:
            more = f.read(_RUN)
            if not more:
                end = len(pending)
                break
            pending += more
        header, pending = pending[skip:end], pending[end:]
        lines = header.count(b"\n")
        before = lines  # the lines before the run
        while True:
            more = f.read(max(_RUN - len(pending), _RUN // 4, 1))
            if not more and not pending:
                break
            run = bytearray(header)
            run += pending
            run += more
            end = _last_record_end(run, raw.delimiter, start=len(header)) if more else len(run)
            if end < 0:  # a record longer than a run
                pending = bytes(run[len(header) :])
                continue
            pending = bytes(run[end:])
            del run[end:]  # in place
            before_run = before
            before += run.count(b"\n", len(header))
            cells = _fastread.text_cells(opened, run, 0)
            yield _fastread._Cells(cells.table, cells.lines + (before_run - lines), True)
            del run, cells


def _last_record_end(
    data: bytes | bytearray, delimiter: str, *, first: bool = False, start: int = 0
) -> int:
    """Where the last (``first``: the first) line of ``data`` from ``start`` (a record's
    start) that ends outside quotes ends, its break included, under the csv module's rules
    (``_fastread.quote_runs``; ``text_cells`` then checks each run whole); -1 when none does."""
    if data.find(b'"', start) < 0:
        br = data.find(b"\n", start) if first else data.rfind(b"\n", start)
        return br + 1 if br >= 0 else -1
    np = importlib.import_module("numpy")
    text = np.frombuffer(data, dtype=np.uint8)[start:]
    quotes, _ = _fastread.quote_runs(text, ord(delimiter))
    breaks = np.flatnonzero(text == 10)
    outside = breaks[~quotes.inside_at(breaks)]
    del text  # no view of a bytearray that the caller resizes
    if not outside.size:
        return -1
    return start + int(outside[0] if first else outside[-1]) + 1


def _parquet_runs(opened: Any) -> Iterator[Any]:
    """The cells of a Parquet file a batch of rows at a time (a row's line: its number + 1)."""
    np = importlib.import_module("numpy")
    pa = importlib.import_module("pyarrow")
    pq = importlib.import_module("pyarrow.parquet")
    pf = pq.ParquetFile(opened.path)
    used = _fastread.parquet_columns(opened, pf)
    first = 2
    for batch in pf.iter_batches(batch_size=_BATCH, columns=used, use_threads=True):
        table = pa.Table.from_batches([batch])
        _fastread.check_parquet_names(table, used)
        lines = np.arange(first, first + table.num_rows, dtype=np.int64)
        first += table.num_rows
        yield _fastread._Cells(table, lines, False)


def _deal(runs: Iterator[Any], opened: Any, parts: int, workdir: str) -> tuple[str, ...]:
    """Each run's rows appended to their partitions' streams; the streams' paths."""
    pa = importlib.import_module("pyarrow")
    ipc = importlib.import_module("pyarrow.ipc")
    np = importlib.import_module("numpy")
    paths = tuple(os.path.join(workdir, f"part-{i:04d}.arrows") for i in range(parts))
    writers: dict[int, Any] = {}
    id_header = opened.cols.header_of.get("dossier_id")
    try:
        for cells in runs:
            table = cells.table.append_column("line", pa.array(cells.lines, pa.int64()))
            part = _part_of(cells.table.column(id_header) if id_header else None, parts,
                            table.num_rows)  # fmt: skip
            order = np.argsort(part, kind="stable")
            bounds = np.searchsorted(part[order], np.arange(parts + 1))
            table = table.take(pa.array(order))  # once; each partition's rows are a slice
            for i in np.flatnonzero(np.diff(bounds)).tolist():
                piece = table.slice(bounds[i], bounds[i + 1] - bounds[i])
                if i not in writers:
                    writers[i] = ipc.new_stream(paths[i], piece.schema)
                writers[i].write_table(piece)
            del table, cells
    finally:
        for w in writers.values():
            w.close()
    return paths


def _part_of(column: Any, parts: int, n: int) -> NDArray:
    """Per row its partition: a hash of its dossier id as the reader reads it."""
    np = importlib.import_module("numpy")
    pa = importlib.import_module("pyarrow")
    pc = importlib.import_module("pyarrow.compute")
    if column is None:
        return np.zeros(n, dtype=np.int64)
    indices, dictionary = _fastread._encoded(column)
    typ = dictionary.type
    if pa.types.is_string(typ) or pa.types.is_large_string(typ):
        plain = pc.and_(
            pc.string_is_ascii(dictionary),
            pc.equal(pc.utf8_trim(dictionary, _fastread.SPACE), dictionary),
        )
        keys = dictionary if pc.all(plain).as_py() is not False else None
    else:
        keys = None
    if keys is None:  # ids to trim or normalise, or not text: as the reader reads them
        keys = pa.array([_id_key(v) for v in dictionary.to_pylist()], pa.string())
    hashed = _hash(keys.cast(pa.large_string()))
    out: NDArray = np.r_[hashed % parts, 0][indices]  # a missing id (-1): partition 0
    return out


def _id_key(value: Any) -> str:
    """A dossier id as the reader reads it ("" for none, or one that does not read)."""
    try:
        return _tables._text(value, "dossier_id") or ""
    except _tables._RowError:
        return ""


def _hash(keys: Any) -> NDArray:
    """A hash of each text of a large_string array (its UTF-8 bytes, each weighed by its
    place), the same in every run and every process."""
    np = importlib.import_module("numpy")
    n = len(keys)
    offsets = np.frombuffer(keys.buffers()[1], dtype=np.int64)[keys.offset : keys.offset + n + 1]
    data = keys.buffers()[2]
    if data is None or not n:
        raw = np.zeros(0, dtype=np.uint8)
    else:
        raw = np.frombuffer(data, dtype=np.uint8)[offsets[0] : offsets[-1]]
    start, size = offsets[:-1] - offsets[0], np.diff(offsets)
    place = np.arange(len(raw)) - np.repeat(start, size)
    weights = np.array(_WEIGHTS, dtype=np.uint64)[place % len(_WEIGHTS)]
    with np.errstate(over="ignore"):
        terms = raw.astype(np.uint64) * weights
        prefix = np.r_[np.zeros(1, dtype=np.uint64), np.cumsum(terms, dtype=np.uint64)]
        summed = prefix[start + size] - prefix[start]
        for multiplier in (0xFF51AFD7ED558CCD, 0xC4CEB9FE1A85EC53):  # a 64-bit finaliser
            summed = (summed ^ (summed >> np.uint64(33))) * np.uint64(multiplier)
    out: NDArray = (summed >> np.uint64(33)).astype(np.int64)
    return out


def read_part(
    split: Split,
    index: int,
    procedures: Mapping[str, Procedure],
    years: tuple[int, int],
    *,
    skip_bad: bool,
    keep: bool = False,
) -> FrameTable | None:
    """One partition read as the column reader reads a file (None: an empty partition); its
    events are then removed from disk, unless ``keep``."""
    np = importlib.import_module("numpy")
    table = _stream_table(split.paths[index])
    if table is None:
        return None
    if not keep:
        os.remove(split.paths[index])
    last = table.num_columns - 1
    lines = np.asarray(table.column(last).to_numpy(), dtype=np.int64)
    table = table.remove_column(last).unify_dictionaries()
    cells = _fastread._Cells(table, lines, split.empty_is_none)
    del table
    return _fastread.frame_of(split.opened, cells, None, procedures, years, skip_bad)


def _stream_table(path: str) -> Any:
    """The rows of a partition's Arrow stream, with their lines (the last column); None when
    the partition is empty."""
    ipc = importlib.import_module("pyarrow.ipc")
    pa = importlib.import_module("pyarrow")
    if not os.path.exists(path):
        return None
    with pa.memory_map(path) as source:
        return ipc.open_stream(source).read_all()


# --------------------------------------------------------------------------- evaluating


def evaluate_parts(
    split: Split,
    calendar: WorkingCalendar,
    *,
    as_of: datetime,
    policy: DeadlinePolicy,
    skip_bad: bool,
    procedures: Mapping[str, Procedure],
    years: tuple[int, int],
    phase: Callable[[str], None] | None = None,
    jobs: int = 1,
) -> tuple[PartResults, list[SetAside]]:
    """Each partition read, evaluated, and its results written beside it; ``jobs`` of them at
    a time, each in a process of its own (1: one after the other, in this process).

    Without ``skip_bad`` the partitions are read and evaluated all the same, their defective
    dossiers set aside and their events kept on disk; if any was found, those dossiers' rows
    are read and evaluated again as one table, in the file's order, without setting aside
    (``_stop_at_first``): the run stops at the defect the whole file stops at."""
    work = functools.partial(
        _evaluate_part, split=split, calendar=calendar, as_of=as_of, policy=policy,
        procedures=procedures, years=years, keep=not skip_bad,
    )  # fmt: skip
    n = len(split.paths)
    aside: list[SetAside] = []
    results = PartResults([])
    at_a_time = f" ({min(jobs, n)} at a time)" if jobs > 1 and n > 1 else ""
    for i, part in enumerate(_each(work, n, jobs)):
        if phase is not None:
            phase(f"partition {i + 1}/{n}: read and evaluated{at_a_time}")
        split.rows_read += part.rows_read
        split.dossiers += part.dossiers
        aside.extend(part.aside)
        if part.path is not None:
            results.paths.append(part.path)
            results.count += part.count
            results.provisional_count += part.provisional
    if aside and not skip_bad:
        _stop_at_first(split, aside, calendar, as_of=as_of, policy=policy,
                       procedures=procedures, years=years)  # fmt: skip
    return results, aside


def _stop_at_first(
    split: Split,
    aside: list[SetAside],
    calendar: WorkingCalendar,
    *,
    as_of: datetime,
    policy: DeadlinePolicy,
    procedures: Mapping[str, Procedure],
    years: tuple[int, int],
) -> NoReturn:
    """Raise the defect that reading the whole file without ``--skip-bad`` stops at.

    Reading the whole file stops at the first row the reader refuses (in file order), else
    at the first dossier the reader refuses, else at the first history that breaks (in the
    order of dossiers): each is a dossier (or row naming none) set aside when defects are set
    aside, and the others do not change which comes first. So the rows of what was set aside,
    every one of its lines, read and evaluated as one table, stop at the same defect.
    """
    np = importlib.import_module("numpy")
    pa = importlib.import_module("pyarrow")
    wanted = np.unique(np.concatenate([np.asarray(s.lines, dtype=np.int64) for s in aside]))
    tables, lines = [], []
    for i in range(len(split.paths)):
        table = _stream_table(split.paths[i])
        if table is None:
            continue
        own = np.asarray(table.column(table.num_columns - 1).to_numpy(), dtype=np.int64)
        mine = np.flatnonzero(np.isin(own, wanted))
        if mine.size:
            tables.append(table.take(pa.array(mine)).remove_column(table.num_columns - 1))
            lines.append(own[mine])
    found = np.concatenate(lines)
    order = np.argsort(found, kind="stable")
    cells = _fastread._Cells(
        pa.concat_tables(tables).unify_dictionaries().take(pa.array(order)),
        found[order],
        split.empty_is_none,
    )
    table = _fastread.frame_of(split.opened, cells, None, procedures, years, skip_bad=False)
    _engines.evaluate_all(
        table, calendar, as_of=as_of, policy=policy, skip_bad=False, procedures=procedures
    )
    raise min(aside, key=lambda s: s.lines[0]).errors[0]  # (not reached: the above raises)


@attrs.frozen
class _Done:
    """What the evaluation of one partition leaves for the whole (its results are on disk)."""

    rows_read: int
    dossiers: int
    aside: list[SetAside]
    count: int
    provisional: int
    path: str | None  # its pickled (Results, first lines); None: an empty partition


def _evaluate_part(
    index: int,
    *,
    split: Split,
    calendar: WorkingCalendar,
    as_of: datetime,
    policy: DeadlinePolicy,
    procedures: Mapping[str, Procedure],
    years: tuple[int, int],
    keep: bool,
) -> _Done:
    """Partition ``index`` read, evaluated (defects set aside) and its results written (in a
    worker, or here); ``keep``: its events stay on disk."""
    table = read_part(split, index, procedures, years, skip_bad=True, keep=keep)
    if table is None:
        return _Done(0, 0, [], 0, 0, None)
    aside = list(table.set_aside)
    done, broken = _engines.evaluate_all(
        table, calendar, as_of=as_of, policy=policy, skip_bad=True, procedures=procedures
    )
    aside.extend(broken)
    firsts = _first_lines(table, done)
    rows_read, dossiers = table.rows_read, table.dossiers
    del table
    path = split.paths[index] + ".results"
    with open(path, "wb") as f:
        pickle.dump((done, firsts), f, protocol=pickle.HIGHEST_PROTOCOL)
    return _Done(rows_read, dossiers, aside, len(done), done.provisional(), path)


def _each(work: Callable[[int], _Done], n: int, jobs: int) -> Iterator[_Done]:
    """``work(i)`` for each partition, in order; with ``jobs`` > 1 in worker processes (the
    next ones run while the caller takes an answer; on an error the rest are cancelled)."""
    workers = None
    if jobs > 1 and n > 1:
        try:
            workers = _Workers.take(min(jobs, n))
        except OSError:  # no interpreter to start (an embedded Python): one at a time, here
            workers = None
    if workers is None:
        for i in range(n):
            yield work(i)
        return
    try:
        with ThreadPoolExecutor(max_workers=min(jobs, n)) as pool:
            futures = [pool.submit(workers.run, work, i) for i in range(n)]
            try:
                for future in futures:
                    yield future.result()
            finally:
                for future in futures:
                    future.cancel()
                workers.stop()
    finally:
        workers.close()


class WorkerError(RuntimeError):
    """A worker process died (killed, out of memory): no partition's answer is lost silently."""


def start_workers(jobs: int) -> None:
    """Start ``jobs`` worker processes now (their imports overlap the caller's split); the
    next evaluation with as many jobs takes them, ``close_workers`` ends them unused."""
    close_workers()
    with contextlib.suppress(OSError):  # (the evaluation tries again, or works alone)
        _AHEAD.append(_Workers.launch(jobs))


def close_workers() -> None:
    """End the workers started ahead and not taken."""
    while _AHEAD:
        _AHEAD.pop().close()


class _Workers:
    """Worker processes that each evaluate the partitions sent to them, one at a time.

    Each is ``python -c`` (nothing of the caller's main module is run again, unlike
    ``multiprocessing``'s spawn, and no thread's lock is inherited, unlike its fork); a
    request is a pickled ``(work, index)`` on its standard input, the answer ``(True, value)``
    or ``(False, error)`` pickled on its standard output.
    """

    def __init__(self, procs: list[subprocess.Popen[bytes]]) -> None:
        self.procs = procs
        self.free: queue.SimpleQueue[subprocess.Popen[bytes]] = queue.SimpleQueue()
        for proc in procs:
            self.free.put(proc)

    @classmethod
    def launch(cls, jobs: int) -> _Workers:
        procs: list[subprocess.Popen[bytes]] = []
        try:
            for _ in range(jobs):
                proc = subprocess.Popen([sys.executable, "-c", _WORKER], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE)  # fmt: skip
                procs.append(proc)
                assert proc.stdin is not None
                pickle.dump(sys.path, proc.stdin)
                proc.stdin.flush()
        except OSError:
            started = cls(procs)
            started.stop()
            started.close()
            raise
        return cls(procs)

    @classmethod
    def take(cls, jobs: int) -> _Workers:
        """The workers started ahead when there are ``jobs`` of them, else new ones."""
        if _AHEAD and len(_AHEAD[0].procs) == jobs:
            return _AHEAD.pop()
        close_workers()
        return cls.launch(jobs)

    def run(self, work: Callable[[int], Any], index: int) -> Any:
        proc = self.free.get()
        assert proc.stdin is not None
        assert proc.stdout is not None
        try:
            pickle.dump((work, index), proc.stdin, protocol=pickle.HIGHEST_PROTOCOL)
            proc.stdin.flush()
            ok, value = pickle.load(proc.stdout)
        except (OSError, EOFError, pickle.UnpicklingError):
            raise WorkerError(
                f"the worker process evaluating partition {index + 1} ended abruptly "
                f"(exit {proc.poll()}; out of memory?): try fewer --jobs or more --partitions"
            ) from None
        self.free.put(proc)
        if not ok:
            raise value
        return value

    def stop(self) -> None:
        """End the workers now (an error: the partitions still running are not needed)."""
        for proc in self.procs:
            if proc.poll() is None:
                proc.kill()

    def close(self) -> None:
        """Let the workers end (their input closes) and wait for them."""
        for proc in self.procs:
            if proc.stdin is not None:
                with contextlib.suppress(OSError):  # a worker that has died
                    proc.stdin.close()
        for proc in self.procs:
            proc.wait()
            if proc.stdout is not None:
                proc.stdout.close()


_AHEAD: Final[list[_Workers]] = []  # workers started ahead by start_workers


_WORKER: Final = (
    "import pickle, sys; sys.path[:] = pickle.load(sys.stdin.buffer); "
    "from tthc_sla._partition import _serve; _serve()"
)


def _serve() -> None:
    """A worker's loop (``_Workers``): answer each request until the input closes."""
    for name in _PRELOAD:  # before the first request: the caller is still splitting
        importlib.import_module(name)
    answers = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything else written to standard output goes to standard error
    requests = sys.stdin.buffer
    while True:
        try:
            work, index = pickle.load(requests)
        except EOFError:
            return
        try:
            answer: tuple[bool, Any] = (True, work(index))
        except Exception as exc:  # handed back to the caller, which raises it
            answer = (False, exc)
        try:
            data = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # an error that does not pickle: its text
            data = pickle.dumps((False, RuntimeError(f"{type(answer[1]).__name__}: {answer[1]}")))
        answers.write(data)
        answers.flush()


# What each worker process needs, imported before its first request.
_PRELOAD: Final = ("numpy", "pandas", "pyarrow", "pyarrow.csv", "pyarrow.ipc", "tthc_sla.batch")


def _first_lines(table: FrameTable, done: _engines.Results) -> list[int]:
    """Per result (in its order), the first file line of its dossier: the whole file's order
    of dossiers (by their first row)."""
    np = importlib.import_module("numpy")
    ids = table.events["dossier_id"].to_numpy()
    first: dict[str, int] = {}
    if len(ids):
        starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])
        lowest = np.minimum.reduceat(table.lines, starts)
        first = dict(zip(ids[starts].tolist(), lowest.tolist(), strict=True))
    if done.evaluations is not None:
        return [first[e.dossier.id] for e in done.evaluations]
    return [first[i] for i in done.frame["dossier_id"].tolist()]


@attrs.define
class PartResults:
    """The results of the partitions, on disk (our own pickles), with ``_engines.Results``'
    methods: counts added up, lists merged in their own order."""

    paths: list[str]
    count: int = 0
    provisional_count: int = 0
    frame: Any = None  # never one frame: see ``parts``

    def __len__(self) -> int:
        return self.count

    def provisional(self) -> int:
        return self.provisional_count

    def parts(self) -> Iterator[_engines.Results]:
        """Each partition's results, one at a time."""
        for path in self.paths:
            yield _load(path)[0]

    def rows(self) -> Iterator[dict[str, Any]]:
        """The flat rows, in the whole file's order of dossiers (as ``Results.rows``)."""
        for table in self.tables():
            yield from table.to_pylist()

    def tables(self) -> Iterator[Any]:
        """The results as Arrow tables of the flat layout (``_writers``' types), in the whole
        file's order of dossiers: each partition's table stored, memory-mapped, with the
        first line of each dossier, and merged a window of lines at a time."""
        pa = importlib.import_module("pyarrow")
        np = importlib.import_module("numpy")
        tables, firsts = [], []
        for path in self.paths:
            table, first = _stored_table(path)
            tables.append(table)
            firsts.append(first)
        top = max((int(f[-1]) for f in firsts if len(f)), default=0)
        step = max(1, -(-(top + 1) // max(1, self.count // _ROWS)))  # lines per window
        for low in range(0, top + 1, step):
            pieces = []
            for table, first in zip(tables, firsts, strict=True):
                a, b = np.searchsorted(first, [low, low + step]).tolist()
                if b > a:
                    pieces.append(table.slice(a, b - a))
            if pieces:
                merged = pa.concat_tables(pieces).unify_dictionaries().combine_chunks()
                order = np.argsort(merged.column("first").to_numpy(), kind="stable")
                yield merged.take(pa.array(order)).drop_columns(["first"])

    def summaries(self, period: tuple[date, date], by: Sequence[str]) -> Any:
        return self.summaries_each([period], by)[0]

    def summaries_each(self, periods: Sequence[tuple[date, date]], by: Sequence[str]) -> list[Any]:
        """:meth:`summaries` of several periods, in one pass over the partitions."""
        if not by:
            sums = [Summary() for _ in periods]
            for part in self.parts():
                sums = [t + s for t, s in zip(sums, part.summaries_each(periods, by), strict=True)]
            return sums
        totals: list[dict[tuple[Any, ...], Summary]] = [{} for _ in periods]
        for part in self.parts():
            for total, found in zip(totals, part.summaries_each(periods, by), strict=True):
                for key, s in found.items():
                    total[key] = total[key] + s if key in total else s
        order = group_order(list(by))
        return [dict(sorted(t.items(), key=lambda kv: order(kv[0]))) for t in totals]

    def late(self, period: tuple[date, date]) -> list[dict[str, Any]]:
        rows = [r for p in self.parts() for r in p.late(period)]
        return sorted(rows, key=_late_order)

    def late_top(self, period: tuple[date, date], most: int) -> tuple[list[dict[str, Any]], int]:
        """The first ``most`` rows of :meth:`late`, and how many it has, holding no more than
        ``most`` rows of each partition."""
        rows: list[dict[str, Any]] = []
        total = 0
        for part in self.parts():
            top, n = part.late_top(period, most)
            rows = sorted([*rows, *top], key=_late_order)[:most]
            total += n
        return rows, total

    def due_soon(self) -> list[dict[str, Any]]:
        rows = [r for p in self.parts() for r in p.due_soon()]
        return sorted(rows, key=lambda r: (r["due_date"] or date.max, r["dossier_id"]))

    def units(self, period: tuple[date, date]) -> dict[str, int]:
        """As ``Results.units``: counted over the merged late list, ties in its order."""
        return _engines.units_of(self.late(period))


def _late_order(row: dict[str, Any]) -> tuple[int, str]:
    """The order of ``late_dossiers``: most working days late first, then by id."""
    return -(row["late_working_days"] or 0), row["dossier_id"]


def _load(path: str) -> tuple[_engines.Results, list[int]]:
    with open(path, "rb") as f:
        out: tuple[_engines.Results, list[int]] = pickle.load(f)  # our own file
    return out


def _stored_table(path: str) -> tuple[Any, NDArray]:
    """A partition's results as a typed Arrow table with each dossier's first line, written
    beside its results and mapped back (its pages are the page cache's, not ours)."""
    pa = importlib.import_module("pyarrow")
    ipc = importlib.import_module("pyarrow.ipc")
    part, firsts = _load(path)
    rows = () if part.frame is not None else part.rows()
    table = _writers._arrow_table(pa, rows, part.frame)
    table = table.append_column("first", pa.array(firsts, pa.int64()))
    with ipc.new_file(path + ".arrow", table.schema) as writer:
        writer.write_table(table)
    del part, table
    mapped = ipc.open_file(pa.memory_map(path + ".arrow")).read_all()
    return mapped, mapped.column("first").to_numpy()
