"""Procedures (thủ tục hành chính) and their steps."""

from __future__ import annotations

from typing import Any

import attrs

from tthc_sla.errors import InputTypeError, PolicyError
from tthc_sla.rules import CompositeProcessingTime, ProcessingTime
from tthc_sla.rules._seam import resolve_rule

__all__ = ["Procedure", "Step"]

_SUPPLEMENT = ("restart", "pause")


_RULE_EXPECTED = "a ProcessingTime, a spec like '15wd' or Vietnamese text"


def _rule_of(value: Any, name: str) -> ProcessingTime:
    if isinstance(value, ProcessingTime | CompositeProcessingTime | str):
        return resolve_rule(value)
    raise InputTypeError(name, value, _RULE_EXPECTED)


def _to_rule(value: Any) -> ProcessingTime:
    return _rule_of(value, "rule")


def _to_allotment(value: Any) -> ProcessingTime:
    return _rule_of(value, "allotment")


def _non_empty(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str):
        raise InputTypeError(attribute.name, value, "a non-empty string")
    if not value.strip():
        raise PolicyError(value, f"{attribute.name}: a non-empty string")


@attrs.frozen(cache_hash=True)
class Step:
    """A step of a procedure (bước xử lý), handled by one unit within its allotted time.

    In an inter-agency procedure (liên thông) the transfer slip states each body's task and time
    limit (``legal_basis("steps", received)``: 61/2018 art. 19(5)-(7) before 1/7/2025); a
    step's deadline runs from its actual start.

    Examples:
        >>> Step("Thẩm định", "Phòng Tài nguyên và Môi trường", "5wd").allotment.amount
        5
    """

    name: str = attrs.field(validator=_non_empty)
    unit: str = attrs.field(validator=_non_empty)
    allotment: ProcessingTime = attrs.field(converter=_to_allotment)


def _to_steps(value: Any) -> tuple[Step, ...]:
    if isinstance(value, str | bytes) or not hasattr(value, "__iter__"):
        raise InputTypeError("steps", value, "a sequence of Step")
    steps = tuple(value)
    for i, s in enumerate(steps):
        if not isinstance(s, Step):
            raise InputTypeError(f"steps[{i}]", s, "a Step")
    names = [s.name for s in steps]
    if len(set(names)) != len(names):
        raise PolicyError(names, "steps with distinct names")
    return steps


@attrs.frozen(cache_hash=True)
class Procedure:
    """An administrative procedure: its code, name, processing time and steps.

    Attributes:
        code: the national code (mã thủ tục), e.g. ``"1.000178"``.
        name: the procedure's name.
        rule: the processing time (a ProcessingTime, a spec or the Vietnamese text).
        steps: the steps with their units and allotments (optional).
        supplement: what a supplement request during processing does to the clock:
            ``"restart"`` (default: the time runs again from zero when the complete dossier comes
            back: 61/2018 art. 19(4) as amended before 1/7/2025; under 118/2025 not established,
            Decree 297/2025 art. 6(4)(a) restarts; ``legal_basis("supplement_restart", ...)``)
            or ``"pause"`` (the waiting time is excluded, as specialised laws provide for some
            procedures).
        extra_days_difficult_area: extra time, in the rule's unit, for communes in mountainous,
            island or disadvantaged areas (land procedures: 10); a dossier switches it on.

    Steps' allotments of the rule's own kind may add up to at most the rule's amount.

    Examples:
        >>> p = Procedure("1.000178", "Đăng ký khai sinh", "Trong ngày")
        >>> p.rule.kind.value
        'same_day'
    """

    code: str = attrs.field(validator=_non_empty)
    name: str
    rule: ProcessingTime = attrs.field(converter=_to_rule)
    steps: tuple[Step, ...] = attrs.field(default=(), converter=_to_steps)
    supplement: str = attrs.field(default="restart", kw_only=True)
    extra_days_difficult_area: int | float = attrs.field(default=0, kw_only=True)

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.supplement, str):
            raise InputTypeError("supplement", self.supplement, "'restart' or 'pause'")
        if self.supplement not in _SUPPLEMENT:
            raise PolicyError(self.supplement, "supplement='restart' or 'pause'")
        extra = self.extra_days_difficult_area
        if isinstance(extra, bool) or not isinstance(extra, int | float):
            raise InputTypeError("extra_days_difficult_area", extra, "a number >= 0")
        if extra < 0:
            raise PolicyError(extra, "extra_days_difficult_area: a number >= 0")
        if extra and self.rule.amount is None:
            raise PolicyError(extra, f"no difficult-area extra for a {self.rule.kind.value} rule")
        if extra:
            object.__setattr__(self, "rule", attrs.evolve(self.rule, difficult_area_extra=extra))
        same = [s.allotment.amount for s in self.steps if s.allotment.kind is self.rule.kind]
        if self.rule.amount is not None and same:
            total = sum(a for a in same if a is not None)
            if total > self.rule.amount:
                raise PolicyError(
                    total, f"step allotments adding up to at most the rule's {self.rule}"
                )

    def step(self, name: str) -> Step:
        """The step called ``name``."""
        for s in self.steps:
            if s.name == name:
                return s
        raise PolicyError(name, f"one of the steps {[s.name for s in self.steps]}")
