"""CRS and ICANS episodes derived from the graded assessments (docs/clinical-rules.md §5.4)."""

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


def rebuild_episodes(course: TreatmentCourse, syndrome: str) -> list[ToxicityEpisode]:
    """Re-derive the course's CRS or ICANS episodes from its current assessments."""
    source = course.vital_signs if syndrome == Syndrome.CRS else course.neuro_assessments
    points = [toxicity.GradePoint(at, grade) for at, grade in source.current().values_list("observed_at", "grade")]
    rows = episode_rows(course, syndrome, points)
    ToxicityEpisode.objects.filter(course=course, syndrome=syndrome).delete()
    return ToxicityEpisode.objects.bulk_create(rows)
