"""Independent Vietnamese lunar-calendar oracle, computed from astronomy (test helper only).

The library takes its lunar holidays from the precomputed tables of the ``holidays`` package;
this module recomputes the Vietnamese lunisolar calendar from first principles so that the
tests never compare the library against its own data source.

Formulas used (Jean Meeus, *Astronomical Algorithms*, 2nd ed., 1998):

- Ch. 7: Julian Day of a Gregorian date (via ``date.toordinal`` + 1721424.5, same count).
- Ch. 10 + Espenak & Meeus (NASA, 2006): polynomial Delta T = TT - UT, 1961-2150.
- Ch. 25, "low accuracy": the Sun's apparent longitude (eq. 25.2-25.5, with the 25.8 term).
- Ch. 49: true new moon, k-series JDE (49.1), E (47.6), M, M', F, Omega (49.4-49.7),
  the 25 periodic terms for the new moon and the 14 planetary arguments A1..A14.

Calendar rules (the Vietnamese civil convention since 1968, meridian 105 degrees E = UTC+7):

- A month begins on the local civil day (UTC+7) of the true new moon.
- Month 11 is the month containing the local day of the December solstice (longitude 270).
- If 13 months start between two consecutive month-11s, the first month after month 11
  that contains no major solar term (trung khi: longitude a multiple of 30) is intercalary
  and takes the number of the month before it.

The same rules at UTC+8 give the Chinese calendar, which is how the famous differences
(Tet 1985, 2007) can be reproduced: pass ``utc_offset=8``.

>>> round(_new_moon_jde(-283), 5)  # Meeus example 49.a: 1977 Feb 18, 3h37m42s TD
2443192.65118
>>> round(_sun_apparent_longitude(2448908.5), 4)  # Meeus example 25.a: 199.90895 (low acc.)
199.9089
>>> tet(2024), hung_kings(2024)
(datetime.date(2024, 2, 10), datetime.date(2024, 4, 18))
"""

from __future__ import annotations

import datetime
import math
from functools import lru_cache

__all__ = ["hung_kings", "lunar_to_solar", "tet"]

VIETNAM_UTC_OFFSET = 7.0
_SYNODIC_MONTH = 29.530588861
_JD_ORDINAL_OFFSET = 1721424.5  # JD of 0001-01-01 00:00 UT is 1721425.5; ordinal 1 -> +1
_SOLSTICE_LONGITUDE = 270.0


def _sin(degrees: float) -> float:
    return math.sin(math.radians(degrees))


def _delta_t_days(jd: float) -> float:
    """Delta T = TT - UT in days (Espenak & Meeus 2006 polynomials, valid 1961-2150)."""
    year = 2000.0 + (jd - 2451544.5) / 365.2425
    if year < 1986:
        t = year - 1975
        seconds = 45.45 + 1.067 * t - t**2 / 260 - t**3 / 718
    elif year < 2005:
        t = year - 2000
        seconds = (
            63.86
            + 0.3345 * t
            - 0.060374 * t**2
            + 0.0017275 * t**3
            + 0.000651814 * t**4
            + 0.00002373599 * t**5
        )
    elif year < 2050:
        t = year - 2000
        seconds = 62.92 + 0.32217 * t + 0.005589 * t**2
    else:
        u = (year - 1820) / 100
        seconds = -20 + 32 * u**2 - 0.5628 * (2150 - year)
    return seconds / 86400.0


def _new_moon_jde(k: int) -> float:
    """JDE (TT) of the true new moon number ``k`` (k = 0: 2000 Jan 6), Meeus ch. 49."""
    t = k / 1236.85
    jde = (
        2451550.09766
        + 29.530588861 * k
        + 0.00015437 * t**2
        - 0.000000150 * t**3
        + 0.00000000073 * t**4
    )
    e = 1 - 0.002516 * t - 0.0000074 * t**2
    m = 2.5534 + 29.10535670 * k - 0.0000014 * t**2 - 0.00000011 * t**3
    mp = 201.5643 + 385.81693528 * k + 0.0107582 * t**2 + 0.00001238 * t**3 - 0.000000058 * t**4
    f = 160.7108 + 390.67050284 * k - 0.0016118 * t**2 - 0.00000227 * t**3 + 0.000000011 * t**4
    om = 124.7746 - 1.56375588 * k + 0.0020672 * t**2 + 0.00000215 * t**3

    correction = (
        -0.40720 * _sin(mp)
        + 0.17241 * e * _sin(m)
        + 0.01608 * _sin(2 * mp)
        + 0.01039 * _sin(2 * f)
        + 0.00739 * e * _sin(mp - m)
        - 0.00514 * e * _sin(mp + m)
        + 0.00208 * e * e * _sin(2 * m)
        - 0.00111 * _sin(mp - 2 * f)
        - 0.00057 * _sin(mp + 2 * f)
        + 0.00056 * e * _sin(2 * mp + m)
        - 0.00042 * _sin(3 * mp)
        + 0.00042 * e * _sin(m + 2 * f)
        + 0.00038 * e * _sin(m - 2 * f)
        - 0.00024 * e * _sin(2 * mp - m)
        - 0.00017 * _sin(om)
        - 0.00007 * _sin(mp + 2 * m)
        + 0.00004 * _sin(2 * mp - 2 * f)
        + 0.00004 * _sin(3 * m)
        + 0.00003 * _sin(mp + m - 2 * f)
        + 0.00003 * _sin(2 * mp + 2 * f)
        - 0.00003 * _sin(mp + m + 2 * f)
        + 0.00003 * _sin(mp - m + 2 * f)
        - 0.00002 * _sin(mp - m - 2 * f)
        - 0.00002 * _sin(3 * mp + m)
        + 0.00002 * _sin(4 * mp)
    )

    planetary_arguments = (
        (0.000325, 299.77 + 0.107408 * k - 0.009173 * t**2),
        (0.000165, 251.88 + 0.016321 * k),
        (0.000164, 251.83 + 26.651886 * k),
        (0.000126, 349.42 + 36.412478 * k),
        (0.000110, 84.66 + 18.206239 * k),
        (0.000062, 141.74 + 53.303771 * k),
        (0.000060, 207.14 + 2.453732 * k),
        (0.000056, 154.84 + 7.306860 * k),
        (0.000047, 34.52 + 27.261239 * k),
        (0.000042, 207.19 + 0.121824 * k),
        (0.000040, 291.34 + 1.844379 * k),
        (0.000037, 161.72 + 24.198154 * k),
        (0.000035, 239.56 + 25.513099 * k),
        (0.000023, 331.55 + 3.592518 * k),
    )
    correction += sum(coefficient * _sin(angle) for coefficient, angle in planetary_arguments)
    return jde + correction


def _sun_apparent_longitude(jde: float) -> float:
    """Apparent geocentric longitude of the Sun in degrees [0, 360), Meeus ch. 25 (low accuracy)."""
    t = (jde - 2451545.0) / 36525
    mean_longitude = 280.46646 + 36000.76983 * t + 0.0003032 * t**2
    mean_anomaly = 357.52911 + 35999.05029 * t - 0.0001537 * t**2
    centre = (
        (1.914602 - 0.004817 * t - 0.000014 * t**2) * _sin(mean_anomaly)
        + (0.019993 - 0.000101 * t) * _sin(2 * mean_anomaly)
        + 0.000289 * _sin(3 * mean_anomaly)
    )
    omega = 125.04 - 1934.136 * t
    return (mean_longitude + centre - 0.00569 - 0.00478 * _sin(omega)) % 360.0


def _jd_to_date(jd_ut: float, utc_offset: float) -> datetime.date:
    """Local civil date (at ``utc_offset`` hours) of a Julian Day in UT."""
    return datetime.date.fromordinal(math.floor(jd_ut + utc_offset / 24 - _JD_ORDINAL_OFFSET))


def _local_midnight_jde(day: datetime.date, utc_offset: float) -> float:
    """JDE (TT) of 00:00 local time (``utc_offset`` hours east of UT) starting ``day``."""
    jd_ut = day.toordinal() + _JD_ORDINAL_OFFSET - utc_offset / 24
    return jd_ut + _delta_t_days(jd_ut)


@lru_cache(maxsize=4096)
def _new_moon_day(k: int, utc_offset: float) -> datetime.date:
    """Local civil day of new moon ``k``."""
    jde = _new_moon_jde(k)
    return _jd_to_date(jde - _delta_t_days(jde), utc_offset)


def _longitude_at_start_of(day: datetime.date, utc_offset: float) -> float:
    return _sun_apparent_longitude(_local_midnight_jde(day, utc_offset))


def _month_11_k(gregorian_year: int, utc_offset: float) -> int:
    """New-moon number starting month 11: the month containing the December solstice day.

    The solstice falls on local day D >= start iff the Sun has not reached 270 degrees at
    local midnight starting that day; so month 11 begins with the last new-moon day of the
    year at whose start the Sun's longitude is still below 270 degrees.
    """
    december_1 = datetime.date(gregorian_year, 12, 1)
    k = round((december_1.toordinal() + _JD_ORDINAL_OFFSET - 2451550.09766) / _SYNODIC_MONTH)
    # Move to the first new moon whose day starts at or after the solstice, then back one.
    while _longitude_at_start_of(_new_moon_day(k, utc_offset), utc_offset) < _SOLSTICE_LONGITUDE:
        k += 1
    while _longitude_at_start_of(_new_moon_day(k - 1, utc_offset), utc_offset) >= (
        _SOLSTICE_LONGITUDE
    ):
        k -= 1
    return k - 1


def _has_major_term(k: int, utc_offset: float) -> bool:
    """Whether the month beginning at new moon ``k`` contains a major solar term (trung khi)."""
    start = _longitude_at_start_of(_new_moon_day(k, utc_offset), utc_offset)
    end = _longitude_at_start_of(_new_moon_day(k + 1, utc_offset), utc_offset)
    return math.floor(start / 30) != math.floor(end / 30)


@lru_cache(maxsize=512)
def _sui(gregorian_year: int, utc_offset: float) -> tuple[tuple[int, bool, datetime.date], ...]:
    """Months from month 11 of Dec ``gregorian_year - 1`` up to (excluding) the next month 11.

    Each item is ``(month_number, is_leap, first_day)``. Months 11 and 12 belong to lunar year
    ``gregorian_year - 1``, months 1..10 to lunar year ``gregorian_year``.
    """
    first = _month_11_k(gregorian_year - 1, utc_offset)
    following = _month_11_k(gregorian_year, utc_offset)
    count = following - first
    if count not in (12, 13):  # pragma: no cover - astronomical impossibility
        raise AssertionError(f"{count} lunar months between solstices {gregorian_year}")
    leap_index = None
    if count == 13:
        leap_index = next(i for i in range(1, 13) if not _has_major_term(first + i, utc_offset))
    months: list[tuple[int, bool, datetime.date]] = []
    number = 10  # the month before month 11
    for i in range(count):
        is_leap = i == leap_index
        if not is_leap:
            number = number % 12 + 1
        months.append((number, is_leap, _new_moon_day(first + i, utc_offset)))
    return tuple(months)


def lunar_to_solar(
    lunar_year: int,
    lunar_month: int,
    lunar_day: int,
    leap: bool = False,
    *,
    utc_offset: float = VIETNAM_UTC_OFFSET,
) -> datetime.date:
    """Gregorian date of a Vietnamese lunar date (``utc_offset=8`` gives the Chinese calendar).

    >>> lunar_to_solar(2025, 1, 1)
    datetime.date(2025, 1, 29)
    >>> lunar_to_solar(2025, 6, 1, leap=True)  # Ất Tỵ has a leap 6th month
    datetime.date(2025, 7, 25)
    """
    if not 1 <= lunar_month <= 12:
        raise ValueError(f"lunar month out of range: {lunar_month}")
    sui_year = lunar_year + 1 if lunar_month >= 11 else lunar_year
    months = _sui(sui_year, utc_offset)
    for index, (number, is_leap, first_day) in enumerate(months):
        if number == lunar_month and is_leap == leap:
            if index + 1 < len(months):
                next_first = months[index + 1][2]
            else:
                next_first = _sui(sui_year + 1, utc_offset)[0][2]
            length = (next_first - first_day).days
            if not 1 <= lunar_day <= length:
                raise ValueError(f"lunar day {lunar_day} out of range (month has {length})")
            return first_day + datetime.timedelta(days=lunar_day - 1)
    kind = "leap month" if leap else "month"
    raise ValueError(f"lunar year {lunar_year} has no {kind} {lunar_month}")


def tet(year: int, *, utc_offset: float = VIETNAM_UTC_OFFSET) -> datetime.date:
    """Tết Nguyên Đán: lunar 1/1 of the lunar year beginning in Gregorian ``year``."""
    return lunar_to_solar(year, 1, 1, utc_offset=utc_offset)


def hung_kings(year: int, *, utc_offset: float = VIETNAM_UTC_OFFSET) -> datetime.date:
    """Giỗ Tổ Hùng Vương: lunar 10/3 of lunar ``year``."""
    return lunar_to_solar(year, 3, 10, utc_offset=utc_offset)
