"""What the evaluation, batch, procedure and command-line modules need of the rules package
beyond its public API: its one package-internal interface (docs/design.md, "Seams").

* ``RulePlan``, ``plan_of``: a rule under a policy, decided once (``rules._plan``).
* ``due``: the one deadline dispatch, from a counted clock start and a plan.
* ``counted_receipt``: the receipt moment a deadline counts from (the after-hours rule).
* ``resolve_rule``: a rule from a ProcessingTime, a spec or the Vietnamese text.
* ``has_spec_form``: whether a text has the form of a short spec ("15wd").
"""

from tthc_sla.rules._deadline import counted_receipt, due, resolve_rule
from tthc_sla.rules._plan import RulePlan, plan_of
from tthc_sla.rules._processing_time import has_spec_form

__all__ = ["RulePlan", "counted_receipt", "due", "has_spec_form", "plan_of", "resolve_rule"]
