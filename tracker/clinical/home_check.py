"""What a patient's home check-in means (the rule's text and sources are drafted in
docs/drafts/9.md for docs/clinical-rules.md): after CAR-T cells, a temperature of 38.0 °C or
more (the CRS fever threshold, docs/clinical-rules.md §3.2) or any neurological symptom means
calling the treating centre at once, day or night. Chills and shortness of breath call too
(decision in the draft): at home nobody can grade them, and a call costs less than a missed
CRS."""

from dataclasses import dataclass
from decimal import Decimal

FEVER_C = Decimal("38.0")

NEUROLOGICAL = {
    "confusion": "confusion or feeling muddled",
    "speech_trouble": "trouble speaking or writing",
    "dizziness": "dizziness",
}
OTHER = {
    "chills": "chills or shaking",
    "breathless": "shortness of breath",
}
SYMPTOMS = {**NEUROLOGICAL, **OTHER}


@dataclass(frozen=True)
class HomeAdvice:
    call_now: bool
    reasons: tuple[str, ...]
    neurological: bool
    fever: bool


def home_advice(*, temperature_c: Decimal | None, symptoms: set[str]) -> HomeAdvice:
    """Whether the patient must call the centre now, and why, in the patient's words."""
    unknown = symptoms - set(SYMPTOMS)
    if unknown:
        raise ValueError(f"unknown symptoms: {', '.join(sorted(unknown))}")
    fever = temperature_c is not None and temperature_c >= FEVER_C
    reasons = []
    if fever:
        reasons.append(f"a temperature of {temperature_c} °C (38.0 °C or more)")
    reasons += [SYMPTOMS[name] for name in SYMPTOMS if name in symptoms]
    neurological = any(name in symptoms for name in NEUROLOGICAL)
    return HomeAdvice(call_now=bool(reasons), reasons=tuple(reasons), neurological=neurological, fever=fever)
