"""Official public-sector notices: day-off swaps and make-up Saturdays, read from a data file.

The data lives in ``tthc_sla/data/vn_notices.toml``; adding next year's notice is a data change.
"""

from __future__ import annotations

import enum
import functools
import tomllib
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import attrs

from tthc_sla.errors import CalendarDataError

__all__ = ["DayKind", "DayOverride", "NoticeYear", "Notices", "load_notices"]


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


@attrs.frozen
class NoticeYear:
    """A year whose public-sector schedule was announced, with the notices that did it."""

    year: int
    notices: tuple[str, ...]
    sources: tuple[str, ...]


@attrs.frozen
class Notices:
    """The official notices known to this version of the library."""

    years: tuple[NoticeYear, ...]
    days: tuple[DayOverride, ...]

    @property
    def confirmed_until(self) -> date:
        """The last day of the last announced year."""
        return date(max(y.year for y in self.years), 12, 31)


_DEFAULT = "vn_notices.toml"


def load_notices(path: str | Path | None = None) -> Notices:
    """Load and validate a notices file (the shipped one by default).

    Raises:
        CalendarDataError: the file is malformed; the message names the entry.
    """
    if path is None:
        return _load_default()
    p = Path(path)
    return _parse(p.read_bytes(), str(p))


@functools.cache
def _load_default() -> Notices:
    data = resources.files("tthc_sla.data").joinpath(_DEFAULT).read_bytes()
    return _parse(data, f"tthc_sla/data/{_DEFAULT}")


def _parse(raw: bytes, where: str) -> Notices:
    try:
        doc = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CalendarDataError(where, f"not valid UTF-8 TOML ({exc})") from None
    if doc.get("schema") != 1:
        raise CalendarDataError(where, f"schema = {doc.get('schema')!r}, expected 1")
    years = tuple(_year(where, i, y) for i, y in enumerate(doc.get("year", [])))
    if not years:
        raise CalendarDataError(where, "no [[year]] entries")
    numbers = [y.year for y in years]
    if len(set(numbers)) != len(numbers):
        raise CalendarDataError(where, f"a [[year]] is listed twice: {numbers}")
    days = tuple(_day(where, i, d) for i, d in enumerate(doc.get("day", [])))
    dates = [d.date for d in days]
    if dates != sorted(dates) or len(set(dates)) != len(dates):
        raise CalendarDataError(where, "[[day]] entries must be sorted by date with no repeats")
    return Notices(tuple(sorted(years, key=lambda y: y.year)), days)


def _year(where: str, i: int, entry: Any) -> NoticeYear:
    if not isinstance(entry, dict) or not isinstance(entry.get("year"), int):
        raise CalendarDataError(where, f"[[year]] #{i}: {entry!r} has no integer 'year'")
    notices = entry.get("notices", [])
    sources = entry.get("sources", [])
    if not all(isinstance(s, str) for s in [*notices, *sources]):
        raise CalendarDataError(where, f"[[year]] {entry['year']}: notices/sources must be strings")
    return NoticeYear(entry["year"], tuple(notices), tuple(sources))


def _day(where: str, i: int, entry: Any) -> DayOverride:
    if not isinstance(entry, dict):
        raise CalendarDataError(where, f"[[day]] #{i}: {entry!r} is not a table")
    when = entry.get("date")
    if type(when) is not date:
        raise CalendarDataError(where, f"[[day]] #{i}: date = {when!r}, expected a TOML local date")
    try:
        kind = DayKind(entry.get("kind"))
    except ValueError:
        raise CalendarDataError(
            where, f"[[day]] {when}: kind = {entry.get('kind')!r}, expected 'day_off' or 'workday'"
        ) from None
    texts = [entry.get(k) for k in ("reason_vi", "reason_en")]
    if not all(isinstance(t, str) and t.strip() for t in texts):
        raise CalendarDataError(where, f"[[day]] {when}: reason_vi and reason_en are required")
    return DayOverride(
        when,
        kind,
        entry["reason_vi"],
        entry["reason_en"],
        notice=entry.get("notice"),
        source=entry.get("source"),
    )
