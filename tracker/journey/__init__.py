"""The treatment journey: the stage table and its guards (``rules``), the writes along it
(``services``) and the reads the pages and the API share (``selectors``)."""

# Migration 0001 refers to these two enums as tracker.journey.Stage and tracker.journey.RunStatus.
from tracker.journey.rules import RunStatus, Stage

__all__ = ["RunStatus", "Stage"]
