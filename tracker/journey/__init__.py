"""The treatment journey: the writes along it (``services``) and the reads the pages and the API
share (``selectors``). Its rules, the stage table and its guards, are pure and live in
``tracker.clinical.stages``."""

# Migration 0001 refers to these two enums as tracker.journey.Stage and tracker.journey.RunStatus.
from tracker.clinical.stages import RunStatus, Stage

__all__ = ["RunStatus", "Stage"]
