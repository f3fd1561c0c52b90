"""The exception hierarchy: one base class, one subclass per kind of bad input.

Every error carries its facts as attributes and builds its message from them, so that a
caller can both read the message and react in code (the habit of exchange_calendars' errors).
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "CalendarDataError",
    "CalendarRangeError",
    "HistoryError",
    "InputTypeError",
    "PolicyError",
    "RuleParseError",
    "TableError",
    "TimezoneMixError",
    "TthcSlaError",
]


class TthcSlaError(ValueError):
    """Base class of every error raised by tthc_sla for bad input.

    Errors pickle with their message and attributes (so they cross process boundaries, as
    from a worker of ``multiprocessing`` or the command line's ``--jobs``).
    """

    def __reduce__(self) -> tuple[Any, ...]:
        # The subclasses' __init__ takes their facts, not the message in self.args: rebuild
        # without calling it.
        return (_rebuild, (type(self), self.args, self.__dict__))


def _rebuild(cls: type[TthcSlaError], args: tuple[Any, ...], state: dict[str, Any]) -> Any:
    """An error as pickled by ``TthcSlaError.__reduce__``."""
    error = cls.__new__(cls)
    Exception.__init__(error, *args)
    error.__dict__.update(state)
    return error


class CalendarRangeError(TthcSlaError):
    """A date, or a computation, leaves the range a calendar covers.

    Attributes:
        value: the offending date (or the description of the computation).
        first: the first day the calendar covers.
        last: the last day the calendar covers.
    """

    def __init__(
        self, value: Any, first: Any, last: Any, *, what: str = "date", side: str | None = None
    ) -> None:
        self.value = value
        self.first = first
        self.last = last
        if side is None:
            side = "before" if _lt(value, first) else "after"
        super().__init__(
            f"{what} {value} is {side} the calendar's range ({first}..{last}); "
            "build the calendar with a wider years=(first, last)"
        )


def _lt(a: Any, b: Any) -> bool:
    try:
        return bool(a < b)
    except TypeError:
        return False


class RuleParseError(TthcSlaError):
    """A processing-time text or spec states no time that can be read without guessing.

    Attributes:
        text: the offending text.
        reason: why it was refused.
    """

    def __init__(self, text: str, reason: str) -> None:
        self.text = text
        self.reason = reason
        shown = text if len(text) <= 200 else text[:197] + "..."
        super().__init__(f"cannot read a processing time from {shown!r}: {reason}")


class HistoryError(TthcSlaError):
    """A dossier's status history breaks a rule of the state machine.

    Attributes:
        dossier_id: the dossier's id.
        index: the index of the offending event in the history (None for the whole history).
        rule: the rule broken, in words.
    """

    def __init__(self, dossier_id: str, index: int | None, rule: str) -> None:
        self.dossier_id = dossier_id
        self.index = index
        self.rule = rule
        where = f"event {index}" if index is not None else "history"
        super().__init__(f"dossier {dossier_id!r}, {where}: {rule}")


class PolicyError(TthcSlaError):
    """A deadline policy or a rule is used in a way it does not support.

    Attributes:
        value: the offending value.
        expected: what was expected instead.
    """

    def __init__(self, value: Any, expected: str) -> None:
        self.value = value
        self.expected = expected
        super().__init__(f"{value!r}: expected {expected}")


class TimezoneMixError(TthcSlaError):
    """Naive and aware datetimes were mixed in one call.

    Attributes:
        values: the datetimes that were mixed.
    """

    def __init__(self, *values: Any) -> None:
        self.values = values
        shown = ", ".join(repr(v) for v in values)
        super().__init__(
            f"naive and aware datetimes mixed in one call ({shown}); pass all naive "
            "(local Asia/Ho_Chi_Minh wall time) or all aware"
        )


class InputTypeError(TthcSlaError, TypeError):
    """A value of the wrong type was passed (a datetime where a date is expected, ...).

    Attributes:
        value: the offending value.
        expected: the type that was expected, in words.
    """

    def __init__(self, name: str, value: Any, expected: str) -> None:
        self.name = name
        self.value = value
        self.expected = expected
        super().__init__(f"{name}={value!r}: expected {expected}")


class CalendarDataError(TthcSlaError):
    """A calendar data file (official notices) is malformed.

    Attributes:
        path: the file.
        problem: what is wrong, with the offending entry.
    """

    def __init__(self, path: str, problem: str) -> None:
        self.path = path
        self.problem = problem
        super().__init__(f"{path}: {problem}")


class TableError(TthcSlaError):
    """A defect in an input table, found where it is: the file, the line, the column.

    Attributes:
        path: the file (or ``<stream>`` for an open file without a name).
        line: the line (CSV: 1 = the header; JSON Lines: the line; Excel: the sheet's row;
            Parquet: the record's position + 1); 0 when the problem is the file as a whole.
        problem: what is wrong, and how to fix it.
        column: the column's header as written in the file, where one column is at fault.
        dossier_id: the dossier the row belongs to, where known.
    """

    def __init__(
        self,
        path: str,
        line: int,
        problem: str,
        *,
        column: str | None = None,
        dossier_id: str | None = None,
    ) -> None:
        self.path = path
        self.line = line
        self.problem = problem
        self.column = column
        self.dossier_id = dossier_id
        where = f"{path}, line {line}" if line else path
        if column is not None:
            where += f", column '{column}'"
        if dossier_id is not None:
            where += f", dossier '{dossier_id}'"
        super().__init__(f"{where}: {problem}")
