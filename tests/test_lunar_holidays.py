"""Lunar holidays (Tết, Giỗ Tổ Hùng Vương) checked against an independent astronomical oracle.

``tests/_lunar.py`` recomputes the Vietnamese (UTC+7) lunisolar calendar from Meeus' new-moon
and solar-longitude formulas; it never consults the ``holidays`` package the library uses.
"""

from __future__ import annotations

import datetime
import importlib.util
import sys
import unicodedata
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ONE_DAY = datetime.timedelta(days=1)


def _load_oracle() -> ModuleType:
    # --import-mode=importlib keeps tests/ off sys.path, so load the helper by file path.
    name = "tthc_sla_tests_lunar_oracle"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name("_lunar.py"))
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


lunar = _load_oracle()

# --------------------------------------------------------------------------------------------
# 1. The oracle against published dates (transcribed by hand).
# --------------------------------------------------------------------------------------------

# Tết (lunar 1/1) 2015-2030 as announced in the annual Tết holiday notices of the Ministry of
# Labour, Invalids and Social Affairs (Bộ LĐ-TB&XH) and printed in the Vietnamese lunar
# calendar of the Institute of Geophysics (Viện Vật lý Địa cầu, VAST), which compiles it.
PUBLISHED_TET = {
    2015: datetime.date(2015, 2, 19),
    2016: datetime.date(2016, 2, 8),
    2017: datetime.date(2017, 1, 28),
    2018: datetime.date(2018, 2, 16),
    2019: datetime.date(2019, 2, 5),
    2020: datetime.date(2020, 1, 25),
    2021: datetime.date(2021, 2, 12),
    2022: datetime.date(2022, 2, 1),
    2023: datetime.date(2023, 1, 22),
    2024: datetime.date(2024, 2, 10),
    2025: datetime.date(2025, 1, 29),
    2026: datetime.date(2026, 2, 17),
    2027: datetime.date(2027, 2, 6),
    2028: datetime.date(2028, 1, 26),
    2029: datetime.date(2029, 2, 13),
}

# Years since the 1967 switch to UTC+7 in which Tết differs from the Chinese (UTC+8) new year:
# (Vietnam, China). Source: the Vietnamese calendar office's list as reported by Viet-jo,
# 2006-07-06 (1968, 1969, "1984" = Tết Ất Sửu, which Vietnam celebrated on 21 Jan 1985,
# 2007, and in future 2030 and 2053), and Wikipedia "Vietnamese calendar" (Tết 1968: 29 Jan
# in the North vs 30 Jan; Tết 1985: 21 Jan vs 20 Feb, a whole month, because the 1984 winter
# solstice fell on 21 Dec in Hanoi but 22 Dec in Beijing; Tết 2007: 17 Feb vs 18 Feb).
TET_VIETNAM_VS_CHINA = {
    1968: (datetime.date(1968, 1, 29), datetime.date(1968, 1, 30)),
    1969: (datetime.date(1969, 2, 16), datetime.date(1969, 2, 17)),
    1985: (datetime.date(1985, 1, 21), datetime.date(1985, 2, 20)),
    2007: (datetime.date(2007, 2, 17), datetime.date(2007, 2, 18)),
    2030: (datetime.date(2030, 2, 2), datetime.date(2030, 2, 3)),
    2053: (datetime.date(2053, 2, 18), datetime.date(2053, 2, 19)),
}

# Giỗ Tổ Hùng Vương (lunar 10/3) from the annual Bộ LĐ-TB&XH holiday notices (the weekend
# ones were compensated on the Monday: 18/4/2016, 15/4/2019, 11/4/2022, 27/4/2026; Saturday
# 29/4/2023 opened the 29/4-3/5 block).
PUBLISHED_HUNG_KINGS = {
    2015: datetime.date(2015, 4, 28),
    2016: datetime.date(2016, 4, 16),
    2017: datetime.date(2017, 4, 6),
    2018: datetime.date(2018, 4, 25),
    2019: datetime.date(2019, 4, 14),
    2020: datetime.date(2020, 4, 2),
    2021: datetime.date(2021, 4, 21),
    2022: datetime.date(2022, 4, 10),
    2023: datetime.date(2023, 4, 29),
    2024: datetime.date(2024, 4, 18),
    2025: datetime.date(2025, 4, 7),
    2026: datetime.date(2026, 4, 26),
}

# First day of recent intercalary months (tháng nhuận), Vietnamese lunar calendar of the
# Institute of Geophysics: leap 4th of Canh Tý, leap 2nd of Quý Mão, leap 6th of Ất Tỵ, and
# the leap 11th of Quý Sửu (the "2033 problem").
PUBLISHED_LEAP_MONTHS = {
    (2020, 4): datetime.date(2020, 5, 23),
    (2023, 2): datetime.date(2023, 3, 22),
    (2025, 6): datetime.date(2025, 7, 25),
    (2033, 11): datetime.date(2033, 12, 22),
}


@pytest.mark.parametrize(("year", "expected"), sorted(PUBLISHED_TET.items()))
def test_oracle_tet_matches_published(year: int, expected: datetime.date) -> None:
    assert lunar.tet(year) == expected


@pytest.mark.parametrize(("year", "dates"), sorted(TET_VIETNAM_VS_CHINA.items()))
def test_oracle_reproduces_vietnam_china_tet_differences(
    year: int, dates: tuple[datetime.date, datetime.date]
) -> None:
    vietnam, china = dates
    assert lunar.tet(year) == vietnam
    assert lunar.tet(year, utc_offset=8) == china


def test_oracle_tet_differs_from_china_only_in_the_known_years() -> None:
    differing = {y for y in range(1968, 2061) if lunar.tet(y) != lunar.tet(y, utc_offset=8)}
    assert differing == set(TET_VIETNAM_VS_CHINA)


@pytest.mark.parametrize(("year", "expected"), sorted(PUBLISHED_HUNG_KINGS.items()))
def test_oracle_hung_kings_matches_published(year: int, expected: datetime.date) -> None:
    assert lunar.hung_kings(year) == expected


@pytest.mark.parametrize(("year_month", "expected"), sorted(PUBLISHED_LEAP_MONTHS.items()))
def test_oracle_leap_months_match_published(
    year_month: tuple[int, int], expected: datetime.date
) -> None:
    year, month = year_month
    assert lunar.lunar_to_solar(year, month, 1, leap=True) == expected


# --------------------------------------------------------------------------------------------
# 2. The library's calendar against the oracle, 2027-2060.
# --------------------------------------------------------------------------------------------

CROSS_CHECK_YEARS = range(2027, 2061)


@pytest.fixture(scope="module")
def cal() -> Any:
    from tthc_sla import vietnam_calendar

    return vietnam_calendar()


@pytest.fixture(scope="module")
def days_off_by_year(cal: Any) -> dict[int, dict[datetime.date, str]]:
    return {year: dict(cal.days_off(year, lang="vi")) for year in CROSS_CHECK_YEARS}


@pytest.mark.parametrize("year", CROSS_CHECK_YEARS)
def test_tet_days_are_off(
    year: int, cal: Any, days_off_by_year: dict[int, dict[datetime.date, str]]
) -> None:
    new_year = lunar.tet(year)
    # Giao thừa (the last day of the old year) and mùng 1-4.
    expected = [new_year + offset * ONE_DAY for offset in range(-1, 4)]
    missing = [d for d in expected if d not in days_off_by_year[d.year]]
    assert not missing, (
        f"oracle Tết {year} = {new_year}; not in days_off: {missing}; library's days off "
        f"around it: {sorted(d for d in days_off_by_year[year] if d.month <= 3)}"
    )
    working = [d for d in expected if cal.is_working_day(d)]
    assert not working, f"oracle Tết {year} = {new_year}; working days: {working}"


@pytest.mark.parametrize("year", CROSS_CHECK_YEARS)
def test_hung_kings_day_is_off(
    year: int, cal: Any, days_off_by_year: dict[int, dict[datetime.date, str]]
) -> None:
    day = lunar.hung_kings(year)
    assert day in days_off_by_year[year], (
        f"oracle Giỗ Tổ {year} = {day} ({day:%a}); library's days off Mar-May: "
        f"{sorted(d for d in days_off_by_year[year] if 3 <= d.month <= 5)}"
    )
    assert not cal.is_working_day(day)
    reason = unicodedata.normalize("NFC", days_off_by_year[year][day]).casefold()
    assert "hùng vương" in reason, f"{day} is off, but for {days_off_by_year[year][day]!r}"
    if day.weekday() >= 5:
        # Labour Code 2019 art. 111(3): a holiday on the weekly rest day is compensated on the
        # next working day(s); only require that some weekday shortly after it is off.
        following = [day + offset * ONE_DAY for offset in range(1, 4)]
        weekdays_off = [d for d in following if d.weekday() < 5 and d in days_off_by_year[d.year]]
        assert weekdays_off, f"Giỗ Tổ {year} = {day} ({day:%a}) has no compensatory weekday off"
        assert not any(cal.is_working_day(d) for d in weekdays_off)
