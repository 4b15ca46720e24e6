"""Every bedside write: ``vitals`` (CRS), ``neuro`` (ICANS), ``interventions``, ``review``,
with ``episodes`` and ``events`` derived from them and ``common`` shared by all. The names
below are the public face of the package, used by pages, the API, tasks and the demo."""

from tracker.bedside.services.common import Recorded
from tracker.bedside.services.episodes import rebuild_episodes
from tracker.bedside.services.interventions import INTERVENTION_FIELDS, amend_intervention, record_intervention
from tracker.bedside.services.neuro import (
    NEURO_FIELDS,
    amend_neuro_assessment,
    preview_neuro_assessment,
    record_neuro_assessment,
)
from tracker.bedside.services.review import review_assessment
from tracker.bedside.services.vitals import VITAL_FIELDS, amend_vital_signs, preview_vital_signs, record_vital_signs

__all__ = [
    "INTERVENTION_FIELDS",
    "NEURO_FIELDS",
    "VITAL_FIELDS",
    "Recorded",
    "amend_intervention",
    "amend_neuro_assessment",
    "amend_vital_signs",
    "preview_neuro_assessment",
    "preview_vital_signs",
    "rebuild_episodes",
    "record_intervention",
    "record_neuro_assessment",
    "record_vital_signs",
    "review_assessment",
]
