"""Writes after infusion. Each is one transaction, checks permission, the course lock and the
dates, is audited, and never edits a record in place: corrections are amendments."""

from tracker.follow_up.services.events import amend_event, record_event
from tracker.follow_up.services.late_effects import (
    amend_infection,
    amend_lab_result,
    amend_late_diagnosis,
    record_infection,
    record_lab_result,
    record_late_diagnosis,
)
from tracker.follow_up.services.response import (
    amend_response_assessment,
    record_response_assessment,
    release_response,
)

__all__ = [
    "amend_event",
    "amend_infection",
    "amend_lab_result",
    "amend_late_diagnosis",
    "amend_response_assessment",
    "record_event",
    "record_infection",
    "record_lab_result",
    "record_late_diagnosis",
    "record_response_assessment",
    "release_response",
]
