"""Official public-sector notices: day-off swaps, make-up Saturdays and what each year's notices
covered, read from data files.

The data lives in ``tthc_sla/data/vn_notices.toml``; adding next year's notice is a data change,
in that file for a release or, without one, in a user file of the same schema merged on top of
it (``vietnam_calendar(notices=...)``). The schema is described in the shipped file's header and
in ``docs/calendars.md``.
"""

from __future__ import annotations

import enum
import functools
import itertools
import os
import tomllib
from collections.abc import Iterable
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import attrs

from tthc_sla.calendar._horizon import Horizon
from tthc_sla.errors import CalendarDataError

__all__ = [
    "CoveredPeriod",
    "DayKind",
    "DayOverride",
    "NoticeYear",
    "Notices",
    "load_notices",
]


class DayKind(enum.Enum):
    """Whether an override makes a day off or a working day."""

    DAY_OFF = "day_off"
    """Ngày nghỉ: a day off (a holiday, a swapped bridge day, an office closure)."""
    WORKDAY = "workday"
    """Ngày làm bù / ngày làm việc: a working day on a day the weekly schedule rests."""


@attrs.frozen
class DayOverride:
    """One day whose status is set explicitly, with the reason shown to users."""

    date: date
    kind: DayKind
    reason_vi: str
    reason_en: str
    notice: str | None = attrs.field(default=None, kw_only=True)
    source: str | None = attrs.field(default=None, kw_only=True)

    def reason(self, lang: str) -> str:
        return self.reason_en if lang == "en" else self.reason_vi


def _strings(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


@attrs.frozen
class CoveredPeriod:
    """A stretch of days whose public-sector status an announced notice settled.

    A year's notices cover either the whole year, or, while only some of its holidays are
    arranged, the window of each arranged occasion (Tết, Quốc khánh...). A day inside a covered
    period is *confirmed*; a day in no covered period (after the first one) is *provisional*.

    Examples:
        >>> from datetime import date
        >>> from tthc_sla.calendar import vietnam_calendar
        >>> tet = vietnam_calendar().covered_periods(2027)[0]
        >>> tet.first, tet.last, tet.occasion("en")
        (datetime.date(2027, 1, 18), datetime.date(2027, 3, 14), 'Lunar New Year (Đinh Mùi)')
        >>> tet.notices
        ('CV 10065/VPCP-KGVX (02/10/2026)',)
    """

    first: date
    last: date
    occasion_vi: str
    occasion_en: str
    notices: tuple[str, ...] = attrs.field(default=(), kw_only=True, converter=_strings)
    sources: tuple[str, ...] = attrs.field(default=(), kw_only=True, converter=_strings)

    def occasion(self, lang: str = "vi") -> str:
        """What the notices arranged in this period, in Vietnamese or (``"en"``) English."""
        return self.occasion_en if lang == "en" else self.occasion_vi

    def __contains__(self, d: object) -> bool:
        return isinstance(d, date) and self.first <= d <= self.last


_WHOLE_YEAR = ("Cả năm (mọi dịp lễ, Tết)", "The whole year (every holiday)")


@attrs.frozen
class NoticeYear:
    """A year whose public-sector schedule was announced, with the notices that did it.

    ``covers`` is None when the notices covered the whole year, else the windows of the
    occasions they arranged (in date order, inside the year, not overlapping).
    """

    year: int
    notices: tuple[str, ...]
    sources: tuple[str, ...]
    covers: tuple[CoveredPeriod, ...] | None = attrs.field(default=None, kw_only=True)

    @property
    def periods(self) -> tuple[CoveredPeriod, ...]:
        """The covered periods of the year: its windows, or one period for the whole year."""
        if self.covers is not None:
            return self.covers
        first, last = date(self.year, 1, 1), date(self.year, 12, 31)
        return (
            CoveredPeriod(first, last, *_WHOLE_YEAR, notices=self.notices, sources=self.sources),
        )


@attrs.frozen
class Notices:
    """The official notices known to the calendar: the shipped file, plus any user files."""

    years: tuple[NoticeYear, ...]
    days: tuple[DayOverride, ...]

    @property
    def periods(self) -> tuple[CoveredPeriod, ...]:
        """Every covered period of every year, in date order."""
        return tuple(p for y in self.years for p in y.periods)

    @property
    def confirmed_until(self) -> date:
        """The last day of the confirmed stretch that runs without a gap from the first
        announced year (days before it are history): 31 December of the last year announced
        in full, unless an announced window of the next year joins on."""
        until = Horizon.of_periods((p.first, p.last) for p in self.periods).until
        assert until is not None  # of_periods always confirms the days before the first period
        return date.fromordinal(until)


_DEFAULT = "vn_notices.toml"
_SHIPPED = f"tthc_sla/data/{_DEFAULT}"
_TOP_KEYS = frozenset({"schema", "year", "day"})
_YEAR_KEYS = frozenset({"year", "notices", "sources", "covers"})
_COVER_KEYS = frozenset({"first", "last", "occasion_vi", "occasion_en", "notice", "source"})
_DAY_KEYS = frozenset({"date", "kind", "reason_vi", "reason_en", "notice", "source", "override"})

PathArg = str | os.PathLike[str]


def load_notices(*paths: PathArg) -> Notices:
    """The shipped notices, with the user notices files ``paths`` merged on top, in order.

    Each file is validated on its own (schema 1; ``[[year]]`` tables in year order with their
    sources; ``[[year.covers]]`` windows sorted, inside their year and not overlapping;
    ``[[day]]`` entries in date order, each with its reasons, notice and source; no unknown
    keys), then merged onto what the files before it gave:

    * a ``[[year]]`` not known yet is added; one already known adds its windows to that year's
      (a window that overlaps a covered period of an earlier file is an error naming both), and
      its notices and sources;
    * a ``[[day]]`` on a date an earlier file lists is an error naming both files, unless the
      entry says ``override = true``, which replaces the earlier entry (and is an error where
      there is nothing to replace);
    * at the end every ``[[day]]`` must lie in a confirmed stretch: a notice that sets a day
      covers it.

    Raises:
        CalendarDataError: a file cannot be read or breaks a rule; the message names the file
            and the entry.

    Examples:
        >>> notices = load_notices()
        >>> notices.confirmed_until
        datetime.date(2026, 12, 31)
        >>> [y.year for y in notices.years][-2:]
        [2026, 2027]
    """
    files = [_shipped()]
    for p in paths:
        files.append(_read(p))
    return _merged(tuple(files))


@functools.cache
def _shipped() -> _File:
    data = resources.files("tthc_sla.data").joinpath(_DEFAULT).read_bytes()
    return _parse(data, _SHIPPED, shipped=True)


def _read(path: PathArg) -> _File:
    """A user file, read and parsed on every call (so an edited file is never stale)."""
    if not isinstance(path, str | os.PathLike):
        raise CalendarDataError(repr(path), "a notices file must be a path (str or os.PathLike)")
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise CalendarDataError(str(p), f"cannot be read ({exc.strerror or exc})") from None
    return _parse(raw, str(p), shipped=False)


# ------------------------------------------------------------------------------- one file


@attrs.frozen
class _Day:
    day: DayOverride
    override: bool


@attrs.frozen
class _File:
    """One parsed, validated file, before merging."""

    where: str
    years: tuple[NoticeYear, ...]
    days: tuple[_Day, ...]


def _parse(raw: bytes, where: str, *, shipped: bool) -> _File:
    try:
        doc = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CalendarDataError(where, f"not valid UTF-8 TOML ({exc})") from None
    _known_keys(where, "the top level", doc, _TOP_KEYS)
    if doc.get("schema") != 1:
        raise CalendarDataError(where, f"schema = {doc.get('schema')!r}, expected 1")
    year_entries = _array(where, doc, "year")
    day_entries = _array(where, doc, "day")
    years = tuple(_year(where, i, y) for i, y in enumerate(year_entries))
    if shipped and not years:
        raise CalendarDataError(where, "no [[year]] entries")
    if not years and not day_entries:
        raise CalendarDataError(where, "no [[year]] and no [[day]] entries: nothing to add")
    for before, after in itertools.pairwise(years):
        if after.year <= before.year:
            problem = "is listed twice" if after.year == before.year else "comes after a later year"
            raise CalendarDataError(
                where, f"[[year]] {after.year} {problem}: keep the [[year]] tables in year order"
            )
    days = tuple(_day(where, i, d) for i, d in enumerate(day_entries))
    for before_day, after_day in itertools.pairwise(days):
        a, b = before_day.day.date, after_day.day.date
        if b <= a:
            problem = "is listed twice" if a == b else f"comes after [[day]] {a}"
            raise CalendarDataError(
                where,
                f"[[day]] {b} {problem}: [[day]] entries must be sorted by date with no repeats",
            )
    return _File(where, years, days)


def _array(where: str, doc: dict[str, Any], key: str) -> list[Any]:
    value = doc.get(key, [])
    if not isinstance(value, list):
        raise CalendarDataError(where, f"'{key}' must be an array of tables: write [[{key}]]")
    return value


def _known_keys(where: str, entry: str, table: dict[str, Any], allowed: frozenset[str]) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise CalendarDataError(
            where, f"{entry}: unknown key {unknown[0]!r} (allowed: {', '.join(sorted(allowed))})"
        )


def _text(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _year(where: str, i: int, entry: Any) -> NoticeYear:
    if not isinstance(entry, dict) or type(entry.get("year")) is not int:
        raise CalendarDataError(where, f"[[year]] #{i + 1}: {entry!r} has no integer 'year'")
    y: int = entry["year"]
    name = f"[[year]] {y}"
    _known_keys(where, name, entry, _YEAR_KEYS)
    if not 1 <= y <= 9999:
        raise CalendarDataError(where, f"{name}: year out of range")
    notices = entry.get("notices", [])
    if not isinstance(notices, list) or not all(_text(s) for s in notices):
        raise CalendarDataError(where, f"{name}: notices must be a list of non-empty strings")
    sources = entry.get("sources")
    if not isinstance(sources, list) or not sources or not all(_text(s) for s in sources):
        raise CalendarDataError(
            where, f"{name}: sources is required: a non-empty list of the URLs you read"
        )
    covers = None
    if "covers" in entry:
        covers = _covers(where, name, y, entry["covers"], tuple(notices), tuple(sources))
    return NoticeYear(y, tuple(notices), tuple(sources), covers=covers)


def _covers(
    where: str,
    name: str,
    year: int,
    value: Any,
    notices: tuple[str, ...],
    sources: tuple[str, ...],
) -> tuple[CoveredPeriod, ...]:
    if not isinstance(value, list) or not value:
        raise CalendarDataError(
            where,
            f"{name}: covers must be one or more [[year.covers]] tables; "
            "leave it out when the notices cover the whole year",
        )
    out: list[CoveredPeriod] = []
    for i, entry in enumerate(value):
        label = f"{name} covers #{i + 1}"
        if not isinstance(entry, dict):
            raise CalendarDataError(where, f"{label}: {entry!r} is not a table")
        _known_keys(where, label, entry, _COVER_KEYS)
        first, last = entry.get("first"), entry.get("last")
        if type(first) is not date or type(last) is not date:
            raise CalendarDataError(
                where, f"{label}: first and last must be TOML local dates (2027-01-18, no quotes)"
            )
        label = f"{name} covers {first}..{last}"
        if last < first:
            raise CalendarDataError(where, f"{label}: last is before first")
        if first.year != year or last.year != year:
            raise CalendarDataError(where, f"{label}: a window must lie inside {year}")
        if not (_text(entry.get("occasion_vi")) and _text(entry.get("occasion_en"))):
            raise CalendarDataError(where, f"{label}: occasion_vi and occasion_en are required")
        notice = entry.get("notice")
        if not _text(notice) or notice not in notices:
            raise CalendarDataError(
                where,
                f"{label}: notice = {notice!r} must be one of the year's notices {list(notices)}",
            )
        source = entry.get("source")
        if source is not None and not _text(source):
            raise CalendarDataError(where, f"{label}: source must be a non-empty string")
        if out and first <= out[-1].last:
            prev = out[-1]
            problem = (
                f"overlaps {prev.first}..{prev.last}"
                if first >= prev.first
                else f"comes before {prev.first}..{prev.last}"
            )
            raise CalendarDataError(
                where, f"{label} {problem}: windows must be in date order, not overlapping"
            )
        out.append(
            CoveredPeriod(
                first,
                last,
                entry["occasion_vi"],
                entry["occasion_en"],
                notices=(notice,),
                sources=(source,) if source is not None else sources,
            )
        )
    return tuple(out)


def _day(where: str, i: int, entry: Any) -> _Day:
    if not isinstance(entry, dict):
        raise CalendarDataError(where, f"[[day]] #{i + 1}: {entry!r} is not a table")
    when = entry.get("date")
    if type(when) is not date:
        raise CalendarDataError(
            where, f"[[day]] #{i + 1}: date = {when!r}, expected a TOML local date"
        )
    name = f"[[day]] {when}"
    _known_keys(where, name, entry, _DAY_KEYS)
    try:
        kind = DayKind(entry.get("kind"))
    except ValueError:
        raise CalendarDataError(
            where, f"{name}: kind = {entry.get('kind')!r}, expected 'day_off' or 'workday'"
        ) from None
    for key in ("reason_vi", "reason_en", "notice", "source"):
        if not _text(entry.get(key)):
            raise CalendarDataError(
                where, f"{name}: {key} is required (reason_vi, reason_en, notice, source)"
            )
    override = entry.get("override", False)
    if type(override) is not bool:
        raise CalendarDataError(where, f"{name}: override = {override!r}, expected true or false")
    day = DayOverride(
        when,
        kind,
        entry["reason_vi"],
        entry["reason_en"],
        notice=entry["notice"],
        source=entry["source"],
    )
    return _Day(day, override)


# ------------------------------------------------------------------------------- merging


def _describe(p: CoveredPeriod) -> str:
    if (p.first.month, p.first.day, p.last.month, p.last.day) == (1, 1, 12, 31):
        return f"the whole year {p.first.year}"
    return f"{p.first}..{p.last} ({p.occasion_en})"


@functools.lru_cache(maxsize=32)
def _merged(files: tuple[_File, ...]) -> Notices:
    years: dict[int, NoticeYear] = {}
    # where each covered period and each day came from, for the messages
    period_from: dict[CoveredPeriod, str] = {}
    days: dict[date, tuple[DayOverride, str]] = {}
    for f in files:
        for ny in f.years:
            if years and ny.year < min(years):
                raise CalendarDataError(
                    f.where,
                    f"[[year]] {ny.year} is before the first notice year {min(years)} of "
                    f"{files[0].where}: earlier days count as history; list a correction as "
                    "[[day]] entries only",
                )
            old = years.get(ny.year)
            for p in ny.periods:
                period_from.setdefault(p, f.where)
            if old is None:
                years[ny.year] = ny
                continue
            for p in ny.periods:
                for q in old.periods:
                    if p.first <= q.last and q.first <= p.last:
                        raise CalendarDataError(
                            f.where,
                            f"[[year]] {ny.year} covers {_describe(p)}, which overlaps "
                            f"{_describe(q)} covered by {period_from[q]}: a file may only add "
                            "windows the earlier files do not cover",
                        )
            periods = tuple(sorted((*old.periods, *ny.periods), key=lambda p: p.first))
            years[ny.year] = NoticeYear(
                ny.year,
                _union(old.notices, ny.notices),
                _union(old.sources, ny.sources),
                covers=periods,
            )
        for entry in f.days:
            d = entry.day
            earlier = days.get(d.date)
            if earlier is not None and not entry.override:
                other, other_where = earlier
                raise CalendarDataError(
                    f.where,
                    f"[[day]] {d.date} ({d.kind.value}, {d.notice}) conflicts with the entry of "
                    f"{other_where} ({other.kind.value}, {other.notice}); add override = true "
                    "to this entry to replace it",
                )
            if earlier is None and entry.override:
                raise CalendarDataError(
                    f.where,
                    f"[[day]] {d.date}: override = true, but no earlier file lists that date; "
                    "remove override",
                )
            days[d.date] = (d, f.where)
    ordered_years = tuple(years[y] for y in sorted(years))
    notices = Notices(ordered_years, tuple(days[d][0] for d in sorted(days)))
    horizon = Horizon.of_periods((p.first, p.last) for p in notices.periods)
    for when, (_, where) in sorted(days.items()):
        if not horizon.confirmed(when.toordinal()):
            raise CalendarDataError(
                where,
                f"[[day]] {when} lies outside every covered period: add a [[year.covers]] "
                f"window for the notice that sets it to the [[year]] {when.year} (or a "
                f"[[year]] {when.year} without windows, if its notices cover the whole year)",
            )
    return notices


def _union(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[str, ...]:
    return a + tuple(x for x in b if x not in a)
