"""A patient's home check-in: stored with the advice it gave, and, when the advice is to call
the centre now, a threshold event that the next sweep turns into an urgent alert to the care
team on the usual escalation ladder (``dispatch.raise_threshold_alerts``)."""

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from tracker.clinical import home_check, ranges
from tracker.clinical.toxicity import EventKind
from tracker.core.audit import create_audited
from tracker.core.errors import Refusal
from tracker.models import HomeCheckIn, Syndrome, ThresholdEvent, TreatmentCourse


@transaction.atomic
def record_home_check_in(*, course: TreatmentCourse, by, temperature_c=None, symptoms=()) -> HomeCheckIn:
    """Record what the patient reports; only the patient's own login may report."""
    if course.patient.user_id is None or course.patient.user_id != by.pk:
        raise Refusal("only the patient can send their own home check-in.")
    temperature = None
    if temperature_c not in (None, ""):
        try:
            temperature = Decimal(str(temperature_c)).quantize(Decimal("0.1"))
        except InvalidOperation:
            raise Refusal("give the temperature in °C, such as 37.2.", field="temperature_c") from None
        allowed = ranges.PHYSIOLOGICAL_RANGES["temperature_c"]
        if not allowed.contains(temperature):
            raise Refusal(f"temperature must be {allowed.describe()}; got {temperature}", field="temperature_c")
    symptoms = set(symptoms)
    try:
        advice = home_check.home_advice(temperature_c=temperature, symptoms=symptoms)
    except ValueError as error:
        raise Refusal(str(error), field="symptoms") from None
    now = timezone.now()
    event = None
    if advice.call_now:
        patient = course.patient
        event = ThresholdEvent.objects.create(
            course=course,
            kind=EventKind.HOME_REPORT,
            syndrome=Syndrome.ICANS if advice.neurological and not advice.fever else Syndrome.CRS,
            grade=0,
            previous_grade=0,
            occurred_at=now,
            summary=f"{patient.full_name} reported at home: {'; '.join(advice.reasons)}. Told to call the centre now.",
        )
    return create_audited(
        HomeCheckIn,
        by=by,
        course=course,
        reported_by=by,
        reported_at=now,
        temperature_c=temperature,
        call_now=advice.call_now,
        advice_reasons=list(advice.reasons),
        threshold_event=event,
        **{name: name in symptoms for name in home_check.SYMPTOMS},
    )
