"""Time-zone handling: naive means local Asia/Ho_Chi_Minh wall time; aware is converted."""

from __future__ import annotations

from datetime import date, datetime, tzinfo
from zoneinfo import ZoneInfo

from tthc_sla.errors import InputTypeError, TimezoneMixError

__all__ = ["VN_TZ", "check_date", "from_local", "is_aware", "naive", "same_style", "to_local"]

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def is_aware(dt: datetime) -> bool:
    return dt.tzinfo is not None and dt.utcoffset() is not None


def to_local(dt: object, name: str = "at") -> tuple[datetime, tzinfo | None]:
    """Return the local wall time of ``dt`` and the tzinfo to give results back in (None: naive)."""
    if not isinstance(dt, datetime):
        raise InputTypeError(name, dt, "a datetime.datetime")
    if dt.tzinfo is None:
        return dt, None
    if dt.utcoffset() is None:
        return naive(dt), None
    return naive(dt.astimezone(VN_TZ)), dt.tzinfo


def from_local(local: datetime, tz: tzinfo | None) -> datetime:
    """Give a local wall time back in the caller's style."""
    if tz is None:
        return local
    return datetime.combine(local, local.time(), VN_TZ).astimezone(tz)


def naive(dt: datetime) -> datetime:
    """``dt`` without its tzinfo (wall time kept, fold too).

    The same as ``dt.replace(tzinfo=None)``, at a fifth of the cost on CPython 3.11, where
    ``replace`` with a keyword costs a microsecond.
    """
    return datetime.combine(dt, dt.time())


def same_style(*values: datetime) -> None:
    """Raise TimezoneMixError if naive and aware datetimes are mixed."""
    first = values[0].tzinfo is None
    for v in values:
        if (v.tzinfo is None) != first:
            if {is_aware(v) for v in values} == {True, False}:
                raise TimezoneMixError(*values)
            return


def check_date(d: object, name: str = "date") -> date:
    """Accept a date (not a datetime: the time of day would be dropped silently)."""
    if isinstance(d, datetime):
        raise InputTypeError(name, d, "a datetime.date, not a datetime (use .date())")
    if not isinstance(d, date):
        raise InputTypeError(name, d, "a datetime.date")
    return d
