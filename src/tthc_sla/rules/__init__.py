"""Processing-time rules, the Vietnamese parser, deadline policies and deadlines."""

from tthc_sla.rules._deadline import Deadline, deadline
from tthc_sla.rules._parser import parse_processing_time
from tthc_sla.rules._policy import DeadlinePolicy
from tthc_sla.rules._processing_time import (
    MAX_AMOUNTS,
    CompositeProcessingTime,
    ProcessingTime,
    ProcessingTimeKind,
)

__all__ = [
    "MAX_AMOUNTS",
    "CompositeProcessingTime",
    "Deadline",
    "DeadlinePolicy",
    "ProcessingTime",
    "ProcessingTimeKind",
    "deadline",
    "parse_processing_time",
]
