"""Evaluation: a dossier's history replayed on a calendar, judged against its deadline.

``_result`` holds the values (Evaluation, StepResult, Outcome), ``_judge`` the outcome rules
(shared with the columnar engine), ``_replay`` the scalar replay, ``_flat`` the flat layout of
an evaluation used by the command line and the columnar engine.
"""

from tthc_sla.evaluation._replay import evaluate
from tthc_sla.evaluation._result import Evaluation, Outcome, StepResult

__all__ = ["Evaluation", "Outcome", "StepResult", "evaluate"]
