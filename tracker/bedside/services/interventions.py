"""Treatments and actions for CRS and ICANS (docs/clinical-rules.md §5.6): drug, dose, time,
indication and who gave them. Tocilizumab doses are checked against the dose limits; the
warnings are kept with the dose, which is recorded as given. Corrections are amendments."""

from datetime import datetime
from decimal import Decimal

from django.db import transaction

from tracker.bedside.services.common import check_when, to_decimal
from tracker.clinical import toxicity
from tracker.core.audit import amendment_target, save_recorded
from tracker.core.clock import as_utc, local_date
from tracker.core.errors import Refusal
from tracker.core.guards import lock, require_perm
from tracker.models import Intervention, TreatmentCourse

INTERVENTION_FIELDS = ["kind", "agent", "dose_value", "dose_unit", "route", "indication", "given_by", "notes"]


def _dose_mg(dose_value: Decimal, dose_unit: str, weight_kg: Decimal) -> Decimal | None:
    return {
        Intervention.DoseUnit.MG: dose_value,
        Intervention.DoseUnit.G: dose_value * 1000,
        Intervention.DoseUnit.MG_PER_KG: dose_value * weight_kg,
    }.get(dose_unit)


def build_intervention(
    course: TreatmentCourse, by, given_at: datetime, values: dict, *, excluding=None
) -> Intervention:
    unknown = set(values) - set(INTERVENTION_FIELDS)
    if unknown:
        raise Refusal({field: "is not an intervention field." for field in unknown})
    values = {"given_by": by, **values}
    values["dose_value"] = to_decimal(values.get("dose_value"), "dose_value")
    kind = values.get("kind")
    if kind not in Intervention.Kind.values:
        raise Refusal(f"choose one of {', '.join(Intervention.Kind.values)}.", field="kind")
    needs_dose = kind not in (Intervention.Kind.ICU_TRANSFER, Intervention.Kind.OTHER)
    if needs_dose and (values["dose_value"] is None or not values.get("dose_unit")):
        raise Refusal({"dose_value": f"give the dose and its unit for {Intervention.Kind(kind).label}."})
    intervention = Intervention(course=course, given_at=given_at, **values)
    if kind == Intervention.Kind.TOCILIZUMAB:
        dose = _dose_mg(values["dose_value"], values["dose_unit"], course.patient.weight_kg)
        if dose is None:
            raise Refusal({"dose_unit": "give tocilizumab in mg, g or mg/kg."})
        earlier = (
            course.interventions.current()
            .filter(kind=Intervention.Kind.TOCILIZUMAB, given_at__lt=given_at)
            .exclude(pk=excluding)
            .values_list("given_at", flat=True)
        )
        intervention.warnings = toxicity.tocilizumab_warnings(
            dose_mg=dose,
            weight_kg=course.patient.weight_kg,
            age_years=course.patient.age_on(local_date(given_at)),
            given_at=given_at,
            earlier_doses_at=list(earlier),
        )
    return intervention


@transaction.atomic
def record_intervention(*, course: TreatmentCourse, by, given_at: datetime, **values) -> Intervention:
    """Record a treatment for CRS/ICANS. Tocilizumab, steroids, anakinra, siltuximab and
    antipyretics given during a CRS episode make later fever count as masked (docs/clinical-rules.md §5.3)."""
    require_perm(by, "tracker.add_intervention", "record interventions")
    given_at = as_utc(given_at)
    course = lock(course)
    check_when(course, given_at, "given_at")
    return save_recorded(build_intervention(course, by, given_at, values), by=by)


@transaction.atomic
def amend_intervention(
    *, original: Intervention, by, reason: str, given_at: datetime | None = None, **values
) -> Intervention:
    require_perm(by, "tracker.add_intervention", "correct interventions")
    course = lock(original.course)
    original = amendment_target(Intervention, original, reason)
    given_at = as_utc(given_at or original.given_at)
    check_when(course, given_at, "given_at")
    intervention = build_intervention(course, by, given_at, values, excluding=original.pk)
    return save_recorded(intervention, by=by, amends=original, reason=reason)
