"""CRS and ICANS grades from observed findings, by the ASTCT 2019 consensus.

Source: ASTCT 2019 (Lee et al., BBMT 25:625), "ASTCT Consensus Grading for Cytokine Release
Syndrome and Neurologic Toxicity Associated with Immune Effector Cells", as restated in the
project's clinical rules (docs/clinical-rules.md §3 and §4).

Pure rules: standard library only, no Django, no clock, no database. The caller builds a
`CrsFindings` or `IcansFindings` (construction validates every value and raises `FindingError`
naming the field and what is allowed), then calls `grade_crs` or `grade_icans`. The result keeps
the grade, the grade of every domain, plain-words reasons (the deciding criterion first) and the
rule version, so the Django layer can store the grade together with the inputs it came from.

Decisions on the points the consensus leaves open
==================================================
Each branch that applies a decision says "decision N"; each decision has a test named
`test_decision_11_N_...`. The decisions are restated in docs/clinical-rules.md §3.5 (CRS),
§4.5 (ICANS) and §5.8 (the parts the bedside decides).

1. Masked-fever trigger. The grader takes a flag, `fever_masked_by_treatment`. The Django
   layer derives it from tocilizumab, corticosteroid or antipyretic doses given *after* a CRS
   episode began (the safest literal reading: prophylactic doses before any fever don't mask),
   and decides how long it lasts. The grader never guesses it.
2. Masked fever with no hypotension and no hypoxia: grade 0 ("criteria not met"), not grade 1.
   After anti-cytokine or antipyretic treatment ASTCT grades by hypotension and hypoxia only,
   so with neither there is nothing left to grade. A real fever >= 38.0 °C that is not
   attributable to another cause still gives grade 1: masking only waives the fever gate and
   never lowers a grade.
3. Hypotension threshold: ASTCT gives none (it depends on age). `hypotension` is the caller's
   flag; the Django layer offers an age-dependent systolic-pressure threshold and lets the
   clinician set the flag.
4. Vasopressors are counted by agent, never by dose. Vasopressin alone is one vasopressor
   (grade 3); vasopressin never makes a regimen "multiple" (norepinephrine + vasopressin = 3,
   norepinephrine + phenylephrine = 4). Dopamine counts at any dose. Inotropes (dobutamine,
   milrinone) are not vasopressors and are rejected as values. A running vasopressor implies
   hypotension needing it even if the hypotension flag is False, because the pressure may be
   normal only thanks to the drug. Whether brief use counts is the caller's choice of which
   agents it lists as running.
5. Oxygen: the device decides, except for the nasal cannula, which is graded by flow
   (<= 6 L/min low flow = 2, > 6 L/min = 3). Blow-by is 2 at any flow. High-flow nasal cannula
   is 3 at any flow: it is in the grade-3 row and is not positive pressure despite its PEEP
   effect. Simple face mask, non-rebreather and Venturi mask are 3 at any flow (literal reading:
   they appear in the grade-3 row with no flow qualifier). CPAP, BiPAP and mechanical
   ventilation are 4. Oxygen given for comfort, a home-oxygen baseline, or intubation to protect
   the airway because of ICANS are recorded with `hypoxia_attributable_to_other_cause`.
6. Rounding and units: temperatures and flows are compared exactly (each number goes through
   `Decimal(str(value))`, no rounding), so 37.95 °C is not fever and 6.01 L/min is high flow.
   °F is converted exactly by `fahrenheit_to_celsius`, which returns the exact fraction
   (°F − 32) × 5/9 with no rounding at all, and that exact value is compared with 38.0 °C
   (docs/clinical-rules.md §3.2): 100.4 °F is exactly 38.0 °C and is fever; 100.391 °F is
   37.995 °C and is not, although it shows as 38.00 °C. `celsius_for_display` rounds to
   hundredths (half-even) for storage and display only. The measurement site (oral, axillary,
   tympanic, core) is recorded by the caller; the grader has no site input and treats every
   site alike: no offset is added for axillary readings.
7. Attribution ("not attributable to another cause") is clinician judgement: explicit boolean
   flags that default to False and that the grader never infers.
8. "Awakens spontaneously" is grade 1 whatever the ICE score (literal ASTCT table), so a drowsy
   patient who wakes by themselves with ICE 10 is grade 1.
9. No ICE/CAPD score: the encephalopathy domain is "not assessed" (never scored as 0 or 10).
   The result lists it in `not_assessed`, sets `needs_review`, and grades from the other domains.
10. Paediatric cut-off: CAPD below age 12 ("< 12", ASCO and MDedge), ICE from exactly 12.
    From 12 on, a CAPD score is used when no ICE score is given (developmental delay; CAPD is
    validated to age 21). CAPD 1-8 in a fully alert child is grade 1 (literal ASTCT table).
11. Seizure of exactly 5 minutes is not "> 5 min", so it is grade 3. "Resolves rapidly" means
    anything not prolonged (> 5 min) and not repetitive without return to baseline.
12. Motor: only deep focal weakness (hemiparesis, paraparesis) counts. Mild focal or generalized
    weakness is not an ICANS motor finding and is not a value the grader accepts.
13. Grade 5 (death due to CRS or ICANS) is never computed: it needs physician confirmation.
14-16. ICAHT thresholds, outcome time origins and label-driven durations are outside the
    grader's scope (other modules).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from enum import StrEnum
from fractions import Fraction
from typing import NamedTuple

from tracker.clinical.findings import (
    FindingError,
    check_flag,
    check_number,
    check_score,
    choice,
    choices,
    exact,
)

RULE_VERSION = "ASTCT-2019/1"

# ASTCT 2019 (Lee et al., BBMT 25:625), CRS table, fever row: temperature >= 38.0 °C.
FEVER_THRESHOLD_C = Decimal("38.0")
# ASTCT 2019 (Lee et al., BBMT 25:625), CRS table, hypoxia row: low-flow nasal cannula is
# <= 6 L/min (grade 2), high flow is > 6 L/min (grade 3).
LOW_FLOW_MAX_L_MIN = Decimal("6")
# ASTCT 2019 (Lee et al., BBMT 25:625), ICANS: ICE is not suitable under 12 years, CAPD is used
# instead ("< 12" as ASCO 2021 and MDedge restate it; decision 10).
ICE_MIN_AGE_YEARS = 12

TEMPERATURE_RANGE_C = (Decimal("25.0"), Decimal("45.0"))  # plausibility range for a reading
OXYGEN_FLOW_RANGE_L_MIN = (Decimal("0"), Decimal("80"))
AGE_RANGE_YEARS = (Decimal("0"), Decimal("120"))
ICE_SCORE_RANGE = (0, 10)  # ICE: 10 points, 10 = no impairment
CAPD_SCORE_RANGE = (0, 32)  # CAPD: 8 items scored 0-4
SEIZURE_PROLONGED_AFTER_MINUTES = Decimal("5")  # ICANS seizure row, grade 4: "> 5 min"

# --- Values the caller records ------------------------------------------------------------


class Vasopressor(StrEnum):
    """Vasopressor agents; inotropes (dobutamine, milrinone) are not (decision 4)."""

    NOREPINEPHRINE = "norepinephrine"
    EPINEPHRINE = "epinephrine"
    PHENYLEPHRINE = "phenylephrine"
    DOPAMINE = "dopamine"
    VASOPRESSIN = "vasopressin"


class OxygenDevice(StrEnum):
    NONE = "none"
    NASAL_CANNULA = "nasal_cannula"
    BLOW_BY = "blow_by"
    HIGH_FLOW_NASAL_CANNULA = "high_flow_nasal_cannula"
    SIMPLE_FACE_MASK = "simple_face_mask"
    NON_REBREATHER_MASK = "non_rebreather_mask"
    VENTURI_MASK = "venturi_mask"
    CPAP = "cpap"
    BIPAP = "bipap"
    MECHANICAL_VENTILATION = "mechanical_ventilation"


class LevelOfConsciousness(StrEnum):
    ALERT = "alert"
    AWAKENS_SPONTANEOUSLY = "awakens_spontaneously"
    AWAKENS_TO_VOICE = "awakens_to_voice"
    AWAKENS_ONLY_TO_TACTILE_STIMULUS = "awakens_only_to_tactile_stimulus"
    REQUIRES_VIGOROUS_OR_REPETITIVE_TACTILE_STIMULI = "requires_vigorous_or_repetitive_tactile_stimuli"
    UNAROUSABLE = "unarousable"
    STUPOR = "stupor"
    COMA = "coma"


class Seizure(StrEnum):
    NONE = "none"
    FOCAL_RESOLVED_RAPIDLY = "focal_resolved_rapidly"
    GENERALIZED_RESOLVED_RAPIDLY = "generalized_resolved_rapidly"
    NONCONVULSIVE_ON_EEG_RESOLVED_WITH_INTERVENTION = "nonconvulsive_on_eeg_resolved_with_intervention"
    PROLONGED_OVER_5_MIN = "prolonged_over_5_min"
    REPETITIVE_WITHOUT_RETURN_TO_BASELINE = "repetitive_without_return_to_baseline"


class MotorFinding(StrEnum):
    """Motor findings; only deep focal weakness counts for ICANS (decision 12)."""

    NONE = "none"
    TREMOR = "tremor"
    MYOCLONUS = "myoclonus"
    HEMIPARESIS = "hemiparesis"
    PARAPARESIS = "paraparesis"


class RaisedIcpFinding(StrEnum):
    FOCAL_EDEMA_ON_NEUROIMAGING = "focal_edema_on_neuroimaging"
    DIFFUSE_CEREBRAL_EDEMA_ON_NEUROIMAGING = "diffuse_cerebral_edema_on_neuroimaging"
    DECEREBRATE_POSTURING = "decerebrate_posturing"
    DECORTICATE_POSTURING = "decorticate_posturing"
    CRANIAL_NERVE_VI_PALSY = "cranial_nerve_vi_palsy"
    PAPILLEDEMA = "papilledema"
    CUSHINGS_TRIAD = "cushings_triad"
    INTRACRANIAL_HEMORRHAGE = "intracranial_hemorrhage"


# --- Findings ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CrsFindings:
    """What was observed at one CRS assessment (docs/clinical-rules.md §3).

    `temperature_c` is the highest temperature in the assessment window. Numbers are kept as
    given and compared exactly; a reading taken in °F is passed as the exact `Fraction` that
    `fahrenheit_to_celsius` returns (decision 6). Lists become tuples in a fixed order,
    without duplicates.
    """

    temperature_c: int | float | Decimal | Fraction | None
    fever_attributable_to_other_cause: bool = False
    # Set by the Django layer from treatment given after a CRS episode began (decision 1).
    fever_masked_by_treatment: bool = False
    # The caller's flag; the threshold is age-dependent and not defined by ASTCT (decision 3).
    hypotension: bool = False
    vasopressors: tuple[Vasopressor, ...] = ()
    hypotension_attributable_to_other_cause: bool = False
    oxygen_device: OxygenDevice = OxygenDevice.NONE
    oxygen_flow_l_min: int | float | Decimal | None = None
    hypoxia_attributable_to_other_cause: bool = False

    def __post_init__(self) -> None:
        check_flag("fever_masked_by_treatment", self.fever_masked_by_treatment)
        if self.temperature_c is None:
            # Once fever may be masked, ASTCT grades by hypotension and hypoxia alone, so a
            # missing temperature can still be graded; otherwise fever decides and is required.
            if not self.fever_masked_by_treatment:
                low, high = TEMPERATURE_RANGE_C
                raise FindingError(
                    f"temperature_c is required ({low}–{high} °C) unless fever_masked_by_treatment is True",
                    field="temperature_c",
                )
        elif isinstance(self.temperature_c, Fraction):
            low, high = TEMPERATURE_RANGE_C
            if not low <= self.temperature_c <= high:
                shown = celsius_for_display(self.temperature_c)
                raise FindingError(
                    f"temperature_c must be between {low} and {high} °C, got {shown}", field="temperature_c"
                )
        else:
            check_number("temperature_c", self.temperature_c, *TEMPERATURE_RANGE_C, " °C")
        for flag in (
            "fever_attributable_to_other_cause",
            "fever_masked_by_treatment",
            "hypotension",
            "hypotension_attributable_to_other_cause",
            "hypoxia_attributable_to_other_cause",
        ):
            check_flag(flag, getattr(self, flag))
        vasopressors = choices("vasopressors", Vasopressor, self.vasopressors)
        object.__setattr__(self, "vasopressors", vasopressors)
        device = choice("oxygen_device", OxygenDevice, self.oxygen_device)
        object.__setattr__(self, "oxygen_device", device)
        self._check_oxygen_flow(device, self.oxygen_flow_l_min)

    @staticmethod
    def _check_oxygen_flow(device: OxygenDevice, flow: object) -> None:
        if flow is not None:
            check_number("oxygen_flow_l_min", flow, *OXYGEN_FLOW_RANGE_L_MIN, " L/min")
        if device is OxygenDevice.NONE and flow is not None and exact(flow) != 0:
            raise FindingError(
                f"oxygen_flow_l_min must be empty or 0 when oxygen_device is none, got {flow}",
                field="oxygen_flow_l_min",
            )
        if device is OxygenDevice.NASAL_CANNULA and flow is None:
            # The nasal cannula is the one device graded by flow (decision 5).
            low, high = OXYGEN_FLOW_RANGE_L_MIN
            raise FindingError(
                f"oxygen_flow_l_min is required with nasal_cannula ({low}–{high} L/min)",
                field="oxygen_flow_l_min",
            )


@dataclass(frozen=True)
class IcansFindings:
    """What was observed at one ICANS assessment (docs/clinical-rules.md §4, §1.2).

    `age_years` chooses the encephalopathy tool: ICE from age 12, CAPD below (decision 10).
    A missing score means the test was not performed, never a score of 0 (decision 9).
    """

    age_years: int | float | Decimal
    ice_score: int | None = None
    capd_score: int | None = None
    level_of_consciousness: LevelOfConsciousness = LevelOfConsciousness.ALERT
    consciousness_attributable_to_other_cause: bool = False
    seizure: Seizure = Seizure.NONE
    motor_finding: MotorFinding = MotorFinding.NONE
    raised_icp_findings: tuple[RaisedIcpFinding, ...] = ()

    def __post_init__(self) -> None:
        check_number("age_years", self.age_years, *AGE_RANGE_YEARS, " years")
        if self.ice_score is not None:
            check_score("ice_score", self.ice_score, ICE_SCORE_RANGE)
        if self.capd_score is not None:
            check_score("capd_score", self.capd_score, CAPD_SCORE_RANGE)
        check_flag(
            "consciousness_attributable_to_other_cause",
            self.consciousness_attributable_to_other_cause,
        )
        for field, enum_class in (
            ("level_of_consciousness", LevelOfConsciousness),
            ("seizure", Seizure),
            ("motor_finding", MotorFinding),
        ):
            object.__setattr__(self, field, choice(field, enum_class, getattr(self, field)))
        icp = choices("raised_icp_findings", RaisedIcpFinding, self.raised_icp_findings)
        object.__setattr__(self, "raised_icp_findings", icp)
        if not self.uses_ice and self.ice_score is not None and self.capd_score is None:
            # ICE is not valid under 12 (decision 10); grading it anyway would mislead.
            low, high = CAPD_SCORE_RANGE
            raise FindingError(
                f"ice_score applies from age {ICE_MIN_AGE_YEARS}; "
                f"for age {self.age_years} record capd_score ({low}–{high})",
                field="ice_score",
            )

    @property
    def uses_ice(self) -> bool:
        """True from age 12 exactly: ICE is the encephalopathy tool (decision 10)."""
        return exact(self.age_years) >= ICE_MIN_AGE_YEARS


# --- Result --------------------------------------------------------------------------------


@dataclass(frozen=True)
class GradeResult:
    """A computed grade with its explanation.

    `grade` is 0-4 (0 = criteria not met; grade 5 is never computed, decision 13).
    `reasons[0]` is the criterion that set the grade. `domains` holds the grade of every
    assessed domain; a domain that could not be assessed is left out of `domains` and listed in
    `not_assessed`, and then `needs_review` is True.
    """

    grade: int
    reasons: tuple[str, ...]
    domains: dict[str, int]
    not_assessed: tuple[str, ...] = ()
    needs_review: bool = False
    rule_version: str = RULE_VERSION


class _Domain(NamedTuple):
    """One domain's grade, the finding in plain words, its table row and any side notes."""

    name: str
    grade: int
    finding: str
    row: str
    notes: tuple[str, ...] = ()


def _sentence(text: str) -> str:
    """Capitalise the first letter only ("temperature 37.9 °C" keeps its °C)."""
    return text[:1].upper() + text[1:]


def _worst(domains: Iterable[_Domain]) -> _Domain:
    """The most severe domain; on a tie the first in table order (max keeps the first)."""
    return max(domains, key=lambda domain: domain.grade)


# --- CRS -----------------------------------------------------------------------------------

# ASTCT 2019 (Lee et al., BBMT 25:625), CRS table, hypoxia row, for every device but the nasal
# cannula, which is graded by flow in _hypoxia_domain (decision 5: the device beats the flow).
HYPOXIA_GRADE_BY_DEVICE = {
    OxygenDevice.NONE: 0,
    OxygenDevice.BLOW_BY: 2,  # grade 2: "blow-by"
    OxygenDevice.HIGH_FLOW_NASAL_CANNULA: 3,  # grade 3: high-flow nasal cannula
    OxygenDevice.SIMPLE_FACE_MASK: 3,  # grade 3: "facemask"
    OxygenDevice.NON_REBREATHER_MASK: 3,  # grade 3: "non-rebreather mask"
    OxygenDevice.VENTURI_MASK: 3,  # grade 3: "Venturi mask"
    OxygenDevice.CPAP: 4,  # grade 4: positive pressure (CPAP)
    OxygenDevice.BIPAP: 4,  # grade 4: positive pressure (BiPAP)
    OxygenDevice.MECHANICAL_VENTILATION: 4,  # grade 4: intubation and mechanical ventilation
}

DEVICE_WORDS = {
    OxygenDevice.NASAL_CANNULA: "oxygen by nasal cannula",
    OxygenDevice.BLOW_BY: "blow-by oxygen",
    OxygenDevice.HIGH_FLOW_NASAL_CANNULA: "oxygen by high-flow nasal cannula",
    OxygenDevice.SIMPLE_FACE_MASK: "oxygen by face mask",
    OxygenDevice.NON_REBREATHER_MASK: "oxygen by non-rebreather mask",
    OxygenDevice.VENTURI_MASK: "oxygen by Venturi mask",
    OxygenDevice.CPAP: "CPAP (positive pressure)",
    OxygenDevice.BIPAP: "BiPAP (positive pressure)",
    OxygenDevice.MECHANICAL_VENTILATION: "mechanical ventilation (positive pressure)",
}


def _exact_celsius(temperature: int | float | Decimal | Fraction) -> Decimal | Fraction:
    """The temperature as an exact number: a Fraction (a converted °F reading) stays exact."""
    return temperature if isinstance(temperature, Fraction) else exact(temperature)


# A converted °F reading is shown exactly when its decimals end within this many places.
SHOWN_PLACES = 6


def _shown_celsius(temperature: int | float | Decimal | Fraction) -> str:
    """The temperature for a reason. A converted °F reading is shown exactly when it has few
    decimals (37.995 °C; at least two, 38.00 °C), else to hundredths, unless rounding would put it on the other side of
    38.0 °C: then it is cut to 6 places (37.999944… °C), so a reason never says "38.00 °C, no
    fever" or "37.99 °C, fever"."""
    if not isinstance(temperature, Fraction):
        return f"{exact(temperature)} °C"
    scaled = temperature * 10**SHOWN_PLACES
    if scaled.denominator == 1:
        shown = Decimal(scaled.numerator).scaleb(-SHOWN_PLACES).normalize()
        if shown.as_tuple().exponent > CELSIUS_DISPLAY_PLACES.as_tuple().exponent:
            shown = shown.quantize(CELSIUS_DISPLAY_PLACES)  # 38 → 38.00
        return f"{shown:f} °C"
    rounded = celsius_for_display(temperature)
    if (rounded >= FEVER_THRESHOLD_C) == (temperature >= FEVER_THRESHOLD_C):
        return f"{rounded} °C"
    return f"{Decimal(scaled.numerator // scaled.denominator).scaleb(-SHOWN_PLACES)}… °C"


def _has_fever(findings: CrsFindings) -> bool:
    """Fever counts when >= 38.0 °C exactly and not attributable (CRS table, fever row;
    docs/clinical-rules.md §3.2). A converted °F reading is compared unrounded (decision 6)."""
    if findings.temperature_c is None:
        return False
    above = _exact_celsius(findings.temperature_c) >= FEVER_THRESHOLD_C
    return above and not findings.fever_attributable_to_other_cause


def _fever_domain(findings: CrsFindings) -> _Domain:
    if findings.temperature_c is None:
        return _Domain("fever", 0, "no temperature recorded", "fever")
    temperature = _shown_celsius(findings.temperature_c)
    if _has_fever(findings):
        return _Domain("fever", 1, f"Fever {temperature}", "fever")
    if _exact_celsius(findings.temperature_c) >= FEVER_THRESHOLD_C:
        finding = f"temperature {temperature} attributed to another cause"
        return _Domain("fever", 0, finding, "fever", ("Fever attributed to another cause: not counted",))
    return _Domain("fever", 0, f"temperature {temperature}", "fever")


def _hypotension_domain(findings: CrsFindings) -> _Domain:
    """Hypotension by number of vasopressor agents (CRS table, hypotension row; decision 4)."""
    agents = findings.vasopressors
    counted = [agent for agent in agents if agent is not Vasopressor.VASOPRESSIN]
    names = ", ".join(agents)
    if findings.hypotension_attributable_to_other_cause:
        if not (findings.hypotension or agents):
            return _Domain("hypotension", 0, "no hypotension", "hypotension")
        drugs = f" (vasopressors: {names})" if agents else ""
        note = f"Hypotension attributed to another cause: not counted{drugs}"
        return _Domain("hypotension", 0, "hypotension from another cause", "hypotension", (note,))
    notes = ()
    if agents and not findings.hypotension:
        # decision 4: the pressure may be normal only because the drug is running.
        notes = (
            f"Vasopressor running ({names}) although hypotension was not ticked: counted as hypotension needing it",
        )
    if len(counted) >= 2:
        # Grade 4: "multiple vasopressors (excluding vasopressin)".
        finding = f"hypotension needing multiple vasopressors ({names}; vasopressin not counted)"
        return _Domain("hypotension", 4, finding, "hypotension", notes)
    if agents:
        # Grade 3: "one vasopressor with or without vasopressin"; vasopressin alone is one
        # vasopressor (decision 4).
        if counted and Vasopressor.VASOPRESSIN in agents:
            names = f"{counted[0]} with vasopressin"
        finding = f"hypotension needing one vasopressor ({names})"
        return _Domain("hypotension", 3, finding, "hypotension", notes)
    if findings.hypotension:
        # Grade 2: hypotension "not requiring vasopressors".
        return _Domain("hypotension", 2, "hypotension not needing a vasopressor", "hypotension")
    return _Domain("hypotension", 0, "no hypotension", "hypotension")


def _hypoxia_domain(findings: CrsFindings) -> _Domain:
    """Hypoxia by oxygen device, and by flow on a nasal cannula (CRS table, hypoxia row)."""
    device = findings.oxygen_device
    if device is OxygenDevice.NONE:
        return _Domain("hypoxia", 0, "no oxygen", "hypoxia")
    words = DEVICE_WORDS[device]
    if findings.oxygen_flow_l_min is not None:
        words += f" at {exact(findings.oxygen_flow_l_min)} L/min"
    if findings.hypoxia_attributable_to_other_cause:
        # decisions 5 and 7: comfort oxygen, home-oxygen baseline, intubation for ICANS.
        note = f"Hypoxia attributed to another cause: not counted ({words})"
        return _Domain("hypoxia", 0, "oxygen for another cause", "hypoxia", (note,))
    if device is OxygenDevice.NASAL_CANNULA:
        # Low flow is <= 6 L/min (grade 2), high flow > 6 L/min (grade 3), compared exactly.
        if exact(findings.oxygen_flow_l_min) <= LOW_FLOW_MAX_L_MIN:
            return _Domain("hypoxia", 2, f"{words} (low flow, ≤ 6 L/min)", "hypoxia")
        return _Domain("hypoxia", 3, f"{words} (high flow, > 6 L/min)", "hypoxia")
    return _Domain("hypoxia", HYPOXIA_GRADE_BY_DEVICE[device], words, "hypoxia")


def _crs_reason(domain: _Domain, lead: str) -> str:
    return f"{lead} {domain.finding} → grade {domain.grade} (ASTCT CRS table, {domain.row} row)"


def grade_crs(findings: CrsFindings) -> GradeResult:
    """CRS grade 0-4 by ASTCT 2019 (Lee et al., BBMT 25:625), CRS table (docs/clinical-rules.md §3.1).

    Fever >= 38.0 °C is required unless it may be masked by treatment; then the worst of
    fever (1), hypotension and hypoxia sets the grade. Organ toxicities are graded with CTCAE and
    are not inputs. Grade 5 (death due to CRS) is never returned (decision 13).
    """
    fever = _fever_domain(findings)
    hypotension = _hypotension_domain(findings)
    hypoxia = _hypoxia_domain(findings)
    domains = {domain.name: domain.grade for domain in (fever, hypotension, hypoxia)}
    notes = fever.notes + hypotension.notes + hypoxia.notes
    signs = [domain for domain in (hypotension, hypoxia) if domain.grade > 0]
    masked = findings.fever_masked_by_treatment

    if fever.grade == 0 and not masked:
        # Fever gate (CRS table, fever row): no grade without fever, whatever the other signs.
        first = f"{_sentence(fever.finding)}, so no fever ≥ {FEVER_THRESHOLD_C} °C: CRS criteria not met"
        if signs:
            first += "; hypotension and hypoxia are recorded but don't make CRS without fever"
        first += " (ASTCT CRS table, fever row)"
        others = tuple(f"Recorded, not graded as CRS without fever: {d.finding}" for d in signs)
        notes = hypotension.notes + hypoxia.notes  # the fever note would repeat the first reason
        return GradeResult(0, (first, *others, *notes), domains)

    grade = max(domains.values())
    if grade == 0:
        # decision 2: masked fever with neither hypotension nor hypoxia is grade 0.
        first = (
            "fever may be masked by treatment; no hypotension or hypoxia, so CRS criteria are "
            "not met (after treatment ASTCT grades by hypotension/hypoxia only)"
        )
        return GradeResult(0, (first, *notes), domains)

    deciding = _worst((hypotension, hypoxia, fever))
    if deciding is fever:
        first = f"{fever.finding} without hypotension or hypoxia → grade 1 (ASTCT CRS table, fever row)"
    elif fever.grade == 1:
        first = _crs_reason(deciding, f"{fever.finding} with")
    else:
        # Masking waives the fever gate only (decision 2).
        first = _crs_reason(deciding, "Fever may be masked by treatment, so it is not required:")
    others = tuple(
        f"Also {d.finding} → grade {d.grade} on its own (ASTCT CRS table, {d.row} row)"
        for d in signs
        if d is not deciding
    )
    if masked and fever.grade == 1:
        others += ("Treatment that may mask fever was recorded; the fever still counts",)
    return GradeResult(grade, (first, *others, *notes), domains)


# --- ICANS ---------------------------------------------------------------------------------

# ASTCT 2019 (Lee et al., BBMT 25:625), ICANS table, depressed level of consciousness row; the
# paediatric table uses the same row (docs/clinical-rules.md §4.3).
CONSCIOUSNESS_GRADE = {
    LevelOfConsciousness.ALERT: 0,
    LevelOfConsciousness.AWAKENS_SPONTANEOUSLY: 1,  # grade 1 (decision 8)
    LevelOfConsciousness.AWAKENS_TO_VOICE: 2,  # grade 2
    LevelOfConsciousness.AWAKENS_ONLY_TO_TACTILE_STIMULUS: 3,  # grade 3
    LevelOfConsciousness.REQUIRES_VIGOROUS_OR_REPETITIVE_TACTILE_STIMULI: 4,  # grade 4
    LevelOfConsciousness.UNAROUSABLE: 4,  # grade 4
    LevelOfConsciousness.STUPOR: 4,  # grade 4
    LevelOfConsciousness.COMA: 4,  # grade 4
}

CONSCIOUSNESS_WORDS = {
    LevelOfConsciousness.ALERT: "alert",
    LevelOfConsciousness.AWAKENS_SPONTANEOUSLY: "drowsy, awakens spontaneously",
    LevelOfConsciousness.AWAKENS_TO_VOICE: "awakens only to voice",
    LevelOfConsciousness.AWAKENS_ONLY_TO_TACTILE_STIMULUS: "awakens only to touch",
    LevelOfConsciousness.REQUIRES_VIGOROUS_OR_REPETITIVE_TACTILE_STIMULI: ("needs vigorous or repeated touch to wake"),
    LevelOfConsciousness.UNAROUSABLE: "unarousable",
    LevelOfConsciousness.STUPOR: "stupor",
    LevelOfConsciousness.COMA: "coma",
}

# ASTCT 2019 (Lee et al., BBMT 25:625), ICANS table, seizure row.
SEIZURE_GRADE = {
    Seizure.NONE: 0,
    Seizure.FOCAL_RESOLVED_RAPIDLY: 3,  # grade 3: clinical seizure, focal, resolves rapidly
    Seizure.GENERALIZED_RESOLVED_RAPIDLY: 3,  # grade 3: clinical seizure, generalized, rapid
    Seizure.NONCONVULSIVE_ON_EEG_RESOLVED_WITH_INTERVENTION: 3,  # grade 3: EEG, with intervention
    Seizure.PROLONGED_OVER_5_MIN: 4,  # grade 4: life-threatening prolonged seizure (> 5 min)
    Seizure.REPETITIVE_WITHOUT_RETURN_TO_BASELINE: 4,  # grade 4: repetitive, no baseline between
}

SEIZURE_WORDS = {
    Seizure.FOCAL_RESOLVED_RAPIDLY: "focal seizure that resolved rapidly",
    Seizure.GENERALIZED_RESOLVED_RAPIDLY: "generalized seizure that resolved rapidly",
    Seizure.NONCONVULSIVE_ON_EEG_RESOLVED_WITH_INTERVENTION: (
        "non-convulsive seizures on EEG that resolved with treatment"
    ),
    Seizure.PROLONGED_OVER_5_MIN: "prolonged seizure lasting over 5 minutes",
    Seizure.REPETITIVE_WITHOUT_RETURN_TO_BASELINE: ("repeated seizures without return to baseline between them"),
}

# ASTCT 2019 (Lee et al., BBMT 25:625), ICANS table, motor findings row, and the ICANS rules
# (docs/clinical-rules.md §4.4): tremor and myoclonus are graded with CTCAE v5.0 and never change the ICANS grade.
MOTOR_GRADE = {
    MotorFinding.NONE: 0,
    MotorFinding.TREMOR: 0,  # CTCAE, not ICANS
    MotorFinding.MYOCLONUS: 0,  # CTCAE, not ICANS
    MotorFinding.HEMIPARESIS: 4,  # grade 4: deep focal motor weakness (decision 12)
    MotorFinding.PARAPARESIS: 4,  # grade 4: deep focal motor weakness (decision 12)
}

# ASTCT 2019 (Lee et al., BBMT 25:625), ICANS table, raised ICP / cerebral edema row, and ICANS
# rules (§4.4): intracranial hemorrhage is not an ICANS feature (graded with CTCAE).
RAISED_ICP_GRADE = {
    RaisedIcpFinding.FOCAL_EDEMA_ON_NEUROIMAGING: 3,  # grade 3: focal/local edema
    RaisedIcpFinding.DIFFUSE_CEREBRAL_EDEMA_ON_NEUROIMAGING: 4,  # grade 4: diffuse edema
    RaisedIcpFinding.DECEREBRATE_POSTURING: 4,  # grade 4
    RaisedIcpFinding.DECORTICATE_POSTURING: 4,  # grade 4
    RaisedIcpFinding.CRANIAL_NERVE_VI_PALSY: 4,  # grade 4
    RaisedIcpFinding.PAPILLEDEMA: 4,  # grade 4
    RaisedIcpFinding.CUSHINGS_TRIAD: 4,  # grade 4
    RaisedIcpFinding.INTRACRANIAL_HEMORRHAGE: 0,  # excluded: CTCAE, not ICANS
}

RAISED_ICP_WORDS = {
    RaisedIcpFinding.FOCAL_EDEMA_ON_NEUROIMAGING: "focal edema on brain imaging",
    RaisedIcpFinding.DIFFUSE_CEREBRAL_EDEMA_ON_NEUROIMAGING: "diffuse brain edema on imaging",
    RaisedIcpFinding.DECEREBRATE_POSTURING: "decerebrate posturing",
    RaisedIcpFinding.DECORTICATE_POSTURING: "decorticate posturing",
    RaisedIcpFinding.CRANIAL_NERVE_VI_PALSY: "cranial nerve VI palsy",
    RaisedIcpFinding.PAPILLEDEMA: "papilledema",
    RaisedIcpFinding.CUSHINGS_TRIAD: "Cushing's triad",
    RaisedIcpFinding.INTRACRANIAL_HEMORRHAGE: "intracranial hemorrhage",
}


def _ice_grade(score: int) -> int:
    """ICANS table, ICE score row: 10 → 0, 7-9 → 1, 3-6 → 2, 0-2 → 3.

    ICE 0 in an awake patient with global aphasia is grade 3; the grade-4 "ICE 0 and
    unarousable" comes from the consciousness domain (docs/clinical-rules.md §4.2).
    """
    if score == 10:
        return 0
    if score >= 7:
        return 1
    if score >= 3:
        return 2
    return 3


def _capd_grade(score: int) -> int:
    """Paediatric ICANS table, CAPD row: 0 → 0, 1-8 → 1, >= 9 → 3 (decision 10).

    Grade 2 in children comes from "awakens to voice" and grade 4 from being unarousable, both
    in the consciousness domain.
    """
    if score == 0:
        return 0
    if score <= 8:
        return 1
    return 3


def _encephalopathy_domain(findings: IcansFindings) -> tuple[_Domain | None, tuple[str, ...]]:
    """The ICE or CAPD domain, or None when no score was recorded (decisions 9 and 10)."""
    ice, capd, age = findings.ice_score, findings.capd_score, findings.age_years
    if findings.uses_ice and ice is not None:
        ignored = f"CAPD score ignored: ICE is used from age {ICE_MIN_AGE_YEARS}"
        notes = (ignored,) if capd is not None else ()
        return _Domain("encephalopathy", _ice_grade(ice), f"ICE score {ice}/10", "ICE score"), notes
    if capd is None:
        return None, ()
    if findings.uses_ice:
        notes = (
            f"No ICE score at age {age}: graded with CAPD instead, as for developmental delay "
            "(CAPD is validated up to age 21)",
        )
    elif ice is not None:
        notes = (f"ICE score ignored: under age {ICE_MIN_AGE_YEARS} CAPD is used",)
    else:
        notes = ()
    domain = _Domain("encephalopathy", _capd_grade(capd), f"CAPD score {capd}/32", "CAPD")
    return domain, notes


def _consciousness_domain(findings: IcansFindings) -> _Domain:
    level = findings.level_of_consciousness
    words = f"level of consciousness: {CONSCIOUSNESS_WORDS[level]}"
    row = "depressed level of consciousness"
    if findings.consciousness_attributable_to_other_cause and level is not LevelOfConsciousness.ALERT:
        # ICANS rules (§4.4): depressed consciousness must have no other cause (e.g. sedation).
        note = (
            f"Depressed consciousness ({CONSCIOUSNESS_WORDS[level]}) attributed to another "
            "cause such as sedating drugs: not counted"
        )
        return _Domain("consciousness", 0, f"{words} (another cause)", row, (note,))
    return _Domain("consciousness", CONSCIOUSNESS_GRADE[level], words, row)


def _seizure_domain(findings: IcansFindings) -> _Domain:
    seizure = findings.seizure
    words = SEIZURE_WORDS.get(seizure, "no seizure")
    return _Domain("seizure", SEIZURE_GRADE[seizure], words, "seizure")


def _motor_domain(findings: IcansFindings) -> _Domain:
    motor = findings.motor_finding
    if motor in (MotorFinding.TREMOR, MotorFinding.MYOCLONUS):
        note = f"{motor.value.capitalize()} noted: graded with CTCAE, it never changes ICANS"
        return _Domain("motor", 0, motor.value, "motor findings", (note,))
    if motor is MotorFinding.NONE:
        return _Domain("motor", 0, "no motor findings", "motor findings")
    finding = f"{motor.value} (deep focal motor weakness)"
    return _Domain("motor", MOTOR_GRADE[motor], finding, "motor findings")


def _raised_icp_domain(findings: IcansFindings) -> _Domain:
    row = "raised ICP / cerebral edema"
    hemorrhage = RaisedIcpFinding.INTRACRANIAL_HEMORRHAGE
    counted = [sign for sign in findings.raised_icp_findings if sign is not hemorrhage]
    notes = ()
    if hemorrhage in findings.raised_icp_findings:
        notes = ("Intracranial hemorrhage is graded with CTCAE, not ICANS: not counted",)
    if not counted:
        return _Domain("raised_icp", 0, "no signs of raised intracranial pressure", row, notes)
    # Most severe sign first, so the reason names what set the grade.
    counted.sort(key=lambda finding: -RAISED_ICP_GRADE[finding])
    words = ", ".join(RAISED_ICP_WORDS[finding] for finding in counted)
    return _Domain("raised_icp", RAISED_ICP_GRADE[counted[0]], words, row, notes)


def grade_icans(findings: IcansFindings) -> GradeResult:
    """ICANS grade 0-4 by ASTCT 2019 (Lee et al., BBMT 25:625), ICANS tables (docs/clinical-rules.md §4.2, §4.3).

    The most severe assessed domain wins (ASTCT's example: ICE 3 + generalized seizure = 3).
    Children under 12 are graded with CAPD instead of ICE. Independent of CRS (§4.4).
    Grade 5 (death due to ICANS) is never returned (decision 13).
    """
    encephalopathy, tool_notes = _encephalopathy_domain(findings)
    others = (
        _consciousness_domain(findings),
        _seizure_domain(findings),
        _motor_domain(findings),
        _raised_icp_domain(findings),
    )
    assessed = (encephalopathy, *others) if encephalopathy is not None else others
    domains = {domain.name: domain.grade for domain in assessed}
    notes = tool_notes + tuple(note for domain in assessed for note in domain.notes)
    not_assessed: tuple[str, ...] = ()
    if encephalopathy is None:
        # decision 9: no score means "not assessed", never a score of 0.
        not_assessed = ("encephalopathy",)
        notes = (
            "ICE/CAPD not performed: encephalopathy not assessed, so the grade comes from the "
            "other domains only and needs review",
            *notes,
        )

    deciding = _worst(assessed)
    if deciding.grade == 0:
        summary = "; ".join(domain.finding for domain in assessed)
        scope = " in the domains assessed" if not_assessed else ""
        first = f"No ICANS criteria met{scope} → grade 0 ({summary})"
        return GradeResult(0, (first, *notes), domains, not_assessed, bool(not_assessed))

    first = f"{_sentence(deciding.finding)} → grade {deciding.grade} (ASTCT ICANS table, {deciding.row} row)"
    also = tuple(
        f"Also {d.finding} → grade {d.grade} on its own (ASTCT ICANS table, {d.row} row)"
        for d in assessed
        if d.grade > 0 and d is not deciding
    )
    return GradeResult(deciding.grade, (first, *also, *notes), domains, not_assessed, bool(not_assessed))


# --- Helpers for the recording layer -------------------------------------------------------


def classify_seizure(
    *,
    duration_minutes: int | float | Decimal,
    returned_to_baseline_between: bool | None,
    on_eeg_only: bool,
    focal: bool,
) -> Seizure:
    """The ICANS seizure value for a recorded seizure (ICANS table, seizure row; decision 11).

    `duration_minutes` is the longest seizure. `returned_to_baseline_between` is None for a single
    seizure, True or False for repeated seizures. Exactly 5 minutes is not "> 5 min"; anything not
    prolonged and not repetitive-without-baseline counts as "resolved rapidly" (for EEG-only
    seizures, "resolved with intervention").
    """
    if isinstance(duration_minutes, bool) or not isinstance(duration_minutes, int | float | Decimal):
        raise FindingError(
            f"duration_minutes must be a number of minutes ≥ 0, got {duration_minutes!r}",
            field="duration_minutes",
        )
    duration = exact(duration_minutes)
    if not duration.is_finite() or duration < 0:
        raise FindingError(
            f"duration_minutes must be a number of minutes ≥ 0, got {duration_minutes}",
            field="duration_minutes",
        )
    if returned_to_baseline_between is not None:
        check_flag("returned_to_baseline_between", returned_to_baseline_between)
    check_flag("on_eeg_only", on_eeg_only)
    check_flag("focal", focal)

    if duration > SEIZURE_PROLONGED_AFTER_MINUTES:
        return Seizure.PROLONGED_OVER_5_MIN
    if returned_to_baseline_between is False:
        return Seizure.REPETITIVE_WITHOUT_RETURN_TO_BASELINE
    if on_eeg_only:
        return Seizure.NONCONVULSIVE_ON_EEG_RESOLVED_WITH_INTERVENTION
    if focal:
        return Seizure.FOCAL_RESOLVED_RAPIDLY
    return Seizure.GENERALIZED_RESOLVED_RAPIDLY


def fahrenheit_to_celsius(value: int | float | Decimal) -> Fraction:
    """°C = (°F − 32) × 5/9 (docs/clinical-rules.md §3.2), exactly: a Fraction, never rounded.

    The fever threshold is compared with this exact value (decision 6; docs/clinical-rules.md
    §3.2): 100.4 °F is exactly 38 °C (fever), 100.391 °F is exactly 37.995 °C (not fever, though
    it rounds to 38.00). The °F number is read as written (`Decimal(str(value))`), so 100.4 is
    100.4 and not the binary float nearest to it. Round with `celsius_for_display` to store or
    show it.
    """
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise FindingError(f"temperature_f must be a number, got {value!r}", field="temperature_f")
    fahrenheit = exact(value)
    if not fahrenheit.is_finite():
        raise FindingError(f"temperature_f must be a finite number, got {value}", field="temperature_f")
    return (Fraction(fahrenheit) - 32) * Fraction(5, 9)


CELSIUS_DISPLAY_PLACES = Decimal("0.01")


def celsius_for_display(value: int | float | Decimal | Fraction) -> Decimal:
    """A temperature in °C rounded to hundredths, half-even, for storage and display only
    (never for grading: decision 6). 37.995 → 38.00, 37.125 → 37.12, 37.135 → 37.14.

    A Fraction is rounded exactly, with integer arithmetic, so the only rounding is this one."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | Fraction):
        raise FindingError(f"temperature_c must be a number, got {value!r}", field="temperature_c")
    if not isinstance(value, Fraction):
        return exact(value).quantize(CELSIUS_DISPLAY_PLACES, rounding=ROUND_HALF_EVEN)
    hundredths, remainder = divmod(abs(value.numerator) * 100, value.denominator)
    if 2 * remainder > value.denominator or (2 * remainder == value.denominator and hundredths % 2 == 1):
        hundredths += 1
    sign = -1 if value.numerator < 0 else 1
    return Decimal(sign * hundredths).scaleb(-2)
