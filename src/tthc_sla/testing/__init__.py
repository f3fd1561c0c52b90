"""Hypothesis strategies for tthc_sla: calendars, rules, procedures and dossier histories.

The same strategies the library's own property tests use, for teams that validate their SLA
logic against tthc_sla. They need the optional ``hypothesis`` dependency (``pip install
tthc_sla[test]``); the core library never imports it. The strategies are also registered for
``st.from_type`` (``st.from_type(Dossier)``...) through the ``hypothesis`` entry point.

Examples:
    >>> from datetime import datetime
    >>> from hypothesis import given, settings, strategies as st
    >>> from tthc_sla import evaluate
    >>> from tthc_sla.testing import calendars, dossiers
    >>> cal = st.shared(calendars(min_year=2026, max_year=2026), key="cal")
    >>> @settings(max_examples=20)
    ... @given(cal, dossiers(calendar=cal, min_date=datetime(2026, 1, 1).date(),
    ...                      max_date=datetime(2026, 12, 31).date()))
    ... def test(calendar, dossier):
    ...     evaluate(dossier, calendar, as_of=datetime(2027, 1, 1))
    >>> test()
"""


def _hypothesis_setup() -> None:
    """Register the strategies for ``st.from_type``; hypothesis calls it when it is imported.

    Defined before any import of hypothesis: importing this package may be what imports
    hypothesis, which then runs its entry points, this one included, while the package is
    still half-initialised.
    """
    from tthc_sla.testing._register import register

    register()


# Imported after _hypothesis_setup on purpose (see above), and hypothesis before the modules
# that use it, so that its entry points run before they are half-imported.
import hypothesis  # noqa: E402, F401

from tthc_sla.testing._boundaries import as_of_moments  # noqa: E402
from tthc_sla.testing._histories import BROKEN_RULES, dossiers, invalid_dossiers  # noqa: E402
from tthc_sla.testing._values import calendars, procedures, processing_times  # noqa: E402

__all__ = [
    "BROKEN_RULES",
    "as_of_moments",
    "calendars",
    "dossiers",
    "invalid_dossiers",
    "procedures",
    "processing_times",
]
