"""Dossiers (hồ sơ) and their status histories, with the state machine that validates them."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

import attrs

from tthc_sla._vocab import CHANNEL_WORDS, FLAG_WORDS, KIND_WORDS, fold, word_of
from tthc_sla.errors import InputTypeError, PolicyError
from tthc_sla.procedure import Procedure

__all__ = [
    "EFFECT",
    "TRANSITIONS",
    "Channel",
    "Dossier",
    "Effect",
    "Event",
    "EventKind",
    "State",
    "to_channel",
    "to_flag",
    "to_kind",
    "transition",
]


class EventKind(enum.Enum):
    """What happened to a dossier."""

    __hash__ = object.__hash__  # identity hashing: members are singletons, and it is faster

    SUBMITTED = "submitted"
    """Nộp hồ sơ: filed (online or at the counter), not yet accepted; the clock does not run."""
    RECEIVED = "received"
    """Tiếp nhận: the complete, valid dossier is accepted; the clock starts."""
    STEP_STARTED = "step_started"
    """Bắt đầu bước xử lý: a unit starts a step (chuyển xử lý)."""
    STEP_FINISHED = "step_finished"
    """Kết thúc bước xử lý: the unit finishes its step."""
    SUPPLEMENT_REQUESTED = "supplement_requested"
    """Yêu cầu bổ sung, hoàn thiện hồ sơ: the applicant is asked to complete the dossier."""
    SUPPLEMENT_RECEIVED = "supplement_received"
    """Nhận hồ sơ bổ sung: the completed dossier comes back (the clock restarts or resumes)."""
    PAUSED = "paused"
    """Tạm dừng: excluded time starts (financial obligations, expert assessment...)."""
    RESUMED = "resumed"
    """Tiếp tục: excluded time ends."""
    RESCHEDULED = "rescheduled"
    """Xin lỗi và hẹn lại ngày trả kết quả: apology and a new appointment (once)."""
    RESOLVED = "resolved"
    """Có kết quả: the result is ready."""
    REJECTED = "rejected"
    """Từ chối giải quyết: refused after appraisal; a resolution, judged like one."""
    RETURNED = "returned"
    """Trả kết quả: the result is handed over."""
    WITHDRAWN = "withdrawn"
    """Rút hồ sơ: withdrawn by the applicant; excluded from rates."""
    CANCELLED = "cancelled"
    """Hủy hồ sơ: cancelled; excluded from rates."""


class Channel(enum.Enum):
    """How a dossier was submitted (the report's received columns)."""

    ONLINE = "online"
    """Trực tuyến: through a public-service portal."""
    DIRECT = "direct"
    """Trực tiếp: at the one-stop counter."""
    POSTAL = "postal"
    """Dịch vụ bưu chính: by post."""


class State(enum.Enum):
    """Where a dossier stands in its history."""

    __hash__ = object.__hash__

    NEW = "new"
    OPEN = "open"
    SUPPLEMENT = "supplement"
    PAUSED = "paused"
    RESOLVED = "resolved"
    RETURNED = "returned"
    ENDED = "ended"


_K = EventKind
_S = State
_ENDS = {_K.WITHDRAWN: _S.ENDED, _K.CANCELLED: _S.ENDED}
TRANSITIONS: dict[State, dict[EventKind, State]] = {
    _S.NEW: {_K.SUBMITTED: _S.NEW, _K.RECEIVED: _S.OPEN, **_ENDS},
    _S.OPEN: {
        _K.STEP_STARTED: _S.OPEN,
        _K.STEP_FINISHED: _S.OPEN,
        _K.RESCHEDULED: _S.OPEN,
        _K.SUPPLEMENT_REQUESTED: _S.SUPPLEMENT,
        _K.PAUSED: _S.PAUSED,
        _K.RESOLVED: _S.RESOLVED,
        _K.REJECTED: _S.RESOLVED,
        **_ENDS,
    },
    _S.SUPPLEMENT: {_K.SUPPLEMENT_RECEIVED: _S.OPEN, _K.REJECTED: _S.RESOLVED, **_ENDS},
    _S.PAUSED: {_K.RESUMED: _S.OPEN, **_ENDS},
    _S.RESOLVED: {_K.RETURNED: _S.RETURNED},
    _S.RETURNED: {},
    _S.ENDED: {},
}
"""The state machine (DESIGN §5): the state after each event allowed in a state. Both engines
validate histories with it (the columnar one pairwise, see ``tthc_sla.batch._replay``)."""
_NEEDS_RECEIPT = frozenset(TRANSITIONS[_S.OPEN]) - {_K.WITHDRAWN, _K.CANCELLED}


class Effect(enum.Enum):
    """What an event does to the clock: the one table both engines dispatch on (``EFFECT``)."""

    __hash__ = object.__hash__

    NONE = "none"
    """Nothing (a submission before receipt)."""
    START = "start"
    """The clock starts: the deadline is computed from this moment."""
    RESTART = "restart"
    """The clock restarts from zero (a supplement received; ``legal_basis("supplement_restart")``);
    for a procedure with ``supplement="pause"`` it resumes instead (``RESUME``)."""
    PAUSE = "pause"
    """The clock stops: excluded time starts (a pause, a supplement requested)."""
    RESUME = "resume"
    """The clock runs again: the deadline moves by the excluded time."""
    FINISH = "finish"
    """A resolution (result ready, or refused): the finish, under ``finish="resolved"``."""
    HAND_OVER = "hand_over"
    """The result is handed over: the finish, under ``finish="returned"``."""
    END = "end"
    """Withdrawn or cancelled: excluded from rates."""
    RESCHEDULE = "reschedule"
    """An apology and a new appointment; the legal deadline does not move."""
    STEP_START = "step_start"
    """A step starts: its own deadline runs from here."""
    STEP_FINISH = "step_finish"
    """A step finishes: it is judged against its own deadline."""


EFFECT: dict[EventKind, Effect] = {
    _K.SUBMITTED: Effect.NONE,
    _K.RECEIVED: Effect.START,
    _K.STEP_STARTED: Effect.STEP_START,
    _K.STEP_FINISHED: Effect.STEP_FINISH,
    _K.SUPPLEMENT_REQUESTED: Effect.PAUSE,
    _K.SUPPLEMENT_RECEIVED: Effect.RESTART,
    _K.PAUSED: Effect.PAUSE,
    _K.RESUMED: Effect.RESUME,
    _K.RESCHEDULED: Effect.RESCHEDULE,
    _K.RESOLVED: Effect.FINISH,
    _K.REJECTED: Effect.FINISH,
    _K.RETURNED: Effect.HAND_OVER,
    _K.WITHDRAWN: Effect.END,
    _K.CANCELLED: Effect.END,
}
"""What each event kind does to the clock (DESIGN §5); a new kind needs a row here and one in
``TRANSITIONS``."""


def transition(state: State, kind: EventKind) -> tuple[State | None, str]:
    """The state after an event, or (None, the rule broken)."""
    nxt = TRANSITIONS[state].get(kind)
    if nxt is not None:
        return nxt, ""
    name = kind.name
    if kind is _K.RECEIVED:
        return None, "a second receipt (RECEIVED); a dossier is received once"
    if state in (_S.RESOLVED, _S.RETURNED, _S.ENDED):
        return None, f"{name} after the dossier was {state.value} (no event may follow)"
    if state is _S.NEW and kind in _NEEDS_RECEIPT | {
        _K.RESUMED,
        _K.SUPPLEMENT_RECEIVED,
        _K.RETURNED,
    }:
        return None, f"{name} before the dossier was received (no RECEIVED event before it)"
    if kind is _K.RESUMED:
        return None, "RESUMED without a PAUSED before it"
    if kind is _K.SUPPLEMENT_RECEIVED:
        return None, "SUPPLEMENT_RECEIVED without a SUPPLEMENT_REQUESTED before it"
    if state is _S.PAUSED:
        return None, f"{name} while the clock is paused (expected RESUMED first)"
    if state is _S.SUPPLEMENT:
        return None, f"{name} while waiting for the applicant's supplement"
    return None, f"{name} is not allowed when the dossier is {state.value}"


_KIND_VALUES = frozenset(k.value for k in EventKind)
_CHANNEL_VALUES = frozenset(c.value for c in Channel)


def to_kind(value: Any) -> EventKind:
    """An event kind from a member, its value or a Vietnamese word (``_vocab.KIND_WORDS``)."""
    if isinstance(value, EventKind):
        return value
    if isinstance(value, str):
        word = word_of(value, KIND_WORDS, _KIND_VALUES)
        if word is not None:
            return EventKind(word)
    kinds = ", ".join(k.value for k in EventKind)
    raise PolicyError(
        value, f"an event kind: one of {kinds}, or a Vietnamese word such as 'tiếp nhận'"
    )


def _check_at(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, datetime):
        raise InputTypeError(attribute.name, value, "a datetime.datetime")


def _optional_str(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and not isinstance(value, str):
        raise InputTypeError(attribute.name, value, "a string or None")


def _check_new_due(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and not isinstance(value, date):
        raise InputTypeError(attribute.name, value, "a datetime.datetime, a datetime.date or None")


@attrs.frozen
class Event:
    """One event of a dossier's history.

    ``step`` (and optionally ``unit``) name the step of ``STEP_STARTED`` / ``STEP_FINISHED``;
    ``new_due`` is the new appointment of ``RESCHEDULED``: a moment, or a date (the close of
    that working day).

    Examples:
        >>> from datetime import datetime
        >>> Event(datetime(2026, 11, 20, 9), "received").kind
        <EventKind.RECEIVED: 'received'>
    """

    at: datetime = attrs.field(validator=_check_at)
    kind: EventKind = attrs.field(converter=to_kind)
    step: str | None = attrs.field(default=None, kw_only=True, validator=_optional_str)
    unit: str | None = attrs.field(default=None, kw_only=True, validator=_optional_str)
    new_due: datetime | date | None = attrs.field(
        default=None, kw_only=True, validator=_check_new_due
    )
    note: str | None = attrs.field(default=None, kw_only=True, validator=_optional_str)

    def __attrs_post_init__(self) -> None:
        if self.kind in (_K.STEP_STARTED, _K.STEP_FINISHED) and not self.step:
            raise PolicyError(self, f"{self.kind.name} with step= the step's name")
        if self.kind is _K.RESCHEDULED and self.new_due is None:
            raise PolicyError(self.new_due, "RESCHEDULED with new_due= a datetime or a date")
        if self.new_due is not None and self.kind is not _K.RESCHEDULED:
            raise PolicyError(self.new_due, "new_due only on a RESCHEDULED event")


def _to_events(value: Any) -> tuple[Event, ...]:
    if isinstance(value, str | bytes) or not hasattr(value, "__iter__"):
        raise InputTypeError("events", value, "a sequence of Event")
    events = tuple(value)
    for i, e in enumerate(events):
        if not isinstance(e, Event):
            raise InputTypeError(f"events[{i}]", e, "an Event")
    return events


def to_channel(value: Any) -> Channel | None:
    """A channel from a member, its value or a Vietnamese word (``_vocab.CHANNEL_WORDS``)."""
    if value is None or isinstance(value, Channel):
        return value
    if isinstance(value, str):
        word = word_of(value, CHANNEL_WORDS, _CHANNEL_VALUES)
        if word is not None:
            return Channel(word)
    raise PolicyError(
        value, "channel='online', 'direct' or 'postal' (or trực tuyến, trực tiếp, bưu chính)"
    )


def to_flag(value: Any) -> bool:
    """A yes/no flag, strictly: a bool, 0 or 1, or a word of ``_vocab.FLAG_WORDS``; None is no."""
    if value is None or value is False or value is True:
        return bool(value)
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        flag = FLAG_WORDS.get(fold(value))
        if flag is not None:
            return flag
    raise PolicyError(value, "a yes/no flag: true/false, 1/0, có/không or yes/no")


def _check_id(_: Any, __: Any, value: Any) -> None:
    if not isinstance(value, str):
        raise InputTypeError("id", value, "a dossier id: a non-empty string")
    if not value:
        raise PolicyError(value, "a dossier id: a non-empty string")


def _check_procedure(_: Any, __: Any, value: Any) -> None:
    if not isinstance(value, Procedure):
        raise InputTypeError("procedure", value, "a Procedure")


@attrs.frozen
class Dossier:
    """A dossier: its id, procedure, ordered events, and what reports group it by.

    Attributes:
        id: the dossier code (mã hồ sơ).
        procedure: the procedure it follows.
        events: its history, in order.
        channel: how it was submitted (online, direct, postal).
        agency: the agency that handles it (cơ quan); ``level`` (cấp) and ``field`` (lĩnh vực).
        difficult_area: the applicant's commune is in a mountainous, island or disadvantaged
            area, so the procedure's extra time applies.
    """

    id: str = attrs.field(validator=_check_id)
    procedure: Procedure = attrs.field(validator=_check_procedure)
    events: tuple[Event, ...] = attrs.field(converter=_to_events)
    channel: Channel | None = attrs.field(default=None, kw_only=True, converter=to_channel)
    agency: str | None = attrs.field(default=None, kw_only=True, validator=_optional_str)
    level: str | None = attrs.field(default=None, kw_only=True, validator=_optional_str)
    field: str | None = attrs.field(default=None, kw_only=True, validator=_optional_str)
    difficult_area: bool = attrs.field(default=False, kw_only=True, converter=to_flag)
