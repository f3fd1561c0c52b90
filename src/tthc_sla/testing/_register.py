"""Registration of the strategies for ``st.from_type``, run by hypothesis's entry point."""

from __future__ import annotations

from hypothesis import strategies as st

from tthc_sla.calendar import WorkingCalendar
from tthc_sla.history import Dossier
from tthc_sla.procedure import Procedure
from tthc_sla.rules import ProcessingTime
from tthc_sla.testing._histories import dossiers
from tthc_sla.testing._values import calendars, procedures, processing_times

__all__ = ["register"]


def register() -> None:
    """Register the strategies for ``st.from_type``.

    Run by ``tthc_sla.testing._hypothesis_setup``, declared in pyproject.toml under
    ``[project.entry-points.hypothesis]``. Dossiers from ``st.from_type(Dossier)`` are valid on
    the national calendar ``vietnam_calendar()``.

    Examples:
        >>> from hypothesis import given, settings, strategies as st
        >>> from tthc_sla import Dossier
        >>> register()
        >>> @settings(max_examples=5)
        ... @given(st.from_type(Dossier))
        ... def test(d):
        ...     assert isinstance(d, Dossier)
        >>> test()
    """
    st.register_type_strategy(WorkingCalendar, calendars())
    st.register_type_strategy(ProcessingTime, processing_times())
    st.register_type_strategy(Procedure, procedures())
    st.register_type_strategy(Dossier, dossiers())
