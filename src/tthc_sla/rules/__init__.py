"""Processing-time rules, the Vietnamese parser, deadline policies and deadlines."""

from tthc_sla.rules._basis import BASIS, REGIME_CHANGE, Regime, legal_basis, regime_on
from tthc_sla.rules._deadline import Deadline, deadline
from tthc_sla.rules._parser import parse_processing_time
from tthc_sla.rules._policy import DeadlinePolicy
from tthc_sla.rules._processing_time import (
    MAX_AMOUNTS,
    CompositeProcessingTime,
    ExtensionMode,
    ProcessingTime,
    ProcessingTimeKind,
)

__all__ = [
    "BASIS",
    "MAX_AMOUNTS",
    "REGIME_CHANGE",
    "CompositeProcessingTime",
    "Deadline",
    "DeadlinePolicy",
    "ExtensionMode",
    "ProcessingTime",
    "ProcessingTimeKind",
    "Regime",
    "deadline",
    "legal_basis",
    "parse_processing_time",
    "regime_on",
]
