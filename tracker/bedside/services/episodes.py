"""CRS and ICANS episodes derived from the graded assessments (docs/clinical-rules.md §5.4)."""

from django.utils import timezone

from tracker.clinical import days, toxicity
from tracker.core.clock import local_date
from tracker.models import Syndrome, ToxicityEpisode, TreatmentCourse


def episode_rows(course: TreatmentCourse, syndrome: str, points: list[toxicity.GradePoint]) -> list[ToxicityEpisode]:
    """The course's episodes of one syndrome from its (time, grade) points, as unsaved rows."""
    day_zero = course.day_zero
    return [
        ToxicityEpisode(
            course=course,
            syndrome=syndrome,
            number=number,
            onset_at=episode.onset_at,
            onset_day=days.day_number(day_zero, local_date(episode.onset_at)),
            max_grade=episode.max_grade,
            max_grade_at=episode.max_grade_at,
            last_positive_at=episode.last_positive_at,
            resolved_at=episode.resolved_at,
        )
        for number, episode in enumerate(toxicity.derive_episodes(points), start=1)
    ]


EPISODE_FIELDS = ("onset_at", "onset_day", "max_grade", "max_grade_at", "last_positive_at", "resolved_at")


def rebuild_episodes(course: TreatmentCourse, syndrome: str, *, by=None) -> list[ToxicityEpisode]:
    """Re-derive the course's CRS or ICANS episodes from its current assessments.

    Episodes are versioned, never deleted: episode N is updated in place when its derivation
    changes (a history row keeps the old version, attributed to ``by``), and one that the
    assessments no longer derive is retracted. Unchanged episodes are not written."""
    source = course.vital_signs if syndrome == Syndrome.CRS else course.neuro_assessments
    points = [toxicity.GradePoint(at, grade) for at, grade in source.current().values_list("observed_at", "grade")]
    derived = {row.number: row for row in episode_rows(course, syndrome, points)}
    stored = {row.number: row for row in ToxicityEpisode.all_versions.filter(course=course, syndrome=syndrome)}
    now = timezone.now()
    for number, row in derived.items():
        episode = stored.get(number)
        if episode is None:
            _save(row, by=by, reason="episode derived from the assessments")
            continue
        if episode.retracted_at is None and all(getattr(episode, f) == getattr(row, f) for f in EPISODE_FIELDS):
            continue
        for field in EPISODE_FIELDS:
            setattr(episode, field, getattr(row, field))
        episode.retracted_at = None
        _save(episode, by=by, reason="episode re-derived after a new or amended assessment")
    for number, episode in stored.items():
        if number not in derived and episode.retracted_at is None:
            episode.retracted_at = now
            _save(episode, by=by, reason="episode no longer derived from the current assessments")
    return list(ToxicityEpisode.objects.filter(course=course, syndrome=syndrome).order_by("number"))


def _save(episode: ToxicityEpisode, *, by, reason: str) -> None:
    # Derived rows are not form input: no full_clean, but the history names who and why.
    episode._history_user = by
    episode._change_reason = reason
    episode.save()
