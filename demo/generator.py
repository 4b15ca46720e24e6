"""The synthetic cohort generator (issue 12 item 8): courses drawn from documented distributions
that resemble published figures, with the truth they were drawn from written beside them.

Each profile is a set of plain parameters (`PROFILES`); `draw_course` turns one random stream
into one course's history row (the columns of `tracker.outcomes.history_import.COLUMNS`), so the
generated cohort goes through the same validation and derivation as an imported file
(`history_import.parse`) and is written in bulk by `history_import.bulk_import_rows`.

The distributions (one infused course per patient; days counted from infusion, day 0):
- infusion date: uniform over the `accrual_years` before the as-of date; leukapheresis 21-42
  days before infusion (uniform); last contact: the as-of date less 0-60 days (uniform), or
  the date of death; age uniform in the profile's range; sex 1:1.
- disease burden: marrow blasts (B-ALL) = 100 × Beta(a, b); LDH (lymphoma, myeloma)
  log-normal. Cell dose per kg: log-uniform in the profile's range.
- CRS maximum grade: an ordinal logistic draw, latent = `crs_burden_per_10` × blasts / 10 +
  Logistic(0, 1), cut at `crs_cuts` (grade 0 below the first cut ... grade 4 above the last);
  the dose has NO effect on the grade (the published observation this profile reproduces).
  ICANS maximum grade likewise, from latent = 0.8 × CRS grade + Logistic, cut at `icans_cuts`.
  Tocilizumab: CRS grade >= 2 with probability 0.9, grade 1 with 0.15. Steroids: ICANS >= 2
  or CRS >= 3 with probability 0.9, otherwise 0.03.
- response at day +28 (also the best response): drawn from `response_probabilities`.
- responders: relapse or progression time exponential with daily hazard `relapse_hazard`;
  a share `transplant_share` of responders is offered a consolidative transplant on a day
  uniform in `transplant_days`, which they receive when still relapse-free and alive then;
  after it the relapse hazard is multiplied by `transplant_hazard_ratio` (1.0: transplant has
  no effect; memorylessness of the exponential makes the redraw exact). Death without relapse:
  exponential with `non_relapse_death_hazard`. After relapse, death exponential with median
  `post_relapse_median_days`. Non-responders: death exponential with median
  `refractory_median_days`.
"""

from __future__ import annotations

import math
import random
from dataclasses import asdict, dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class Profile:
    name: str
    diagnosis: str
    product: str
    target_antigens: tuple[str, ...]
    age_range: tuple[int, int]
    response_probabilities: tuple[tuple[str, float], ...]  # category, probability
    responses: tuple[str, ...]  # categories that count as a response (ORR)
    relapse_hazard: float  # per day, responders
    non_relapse_death_hazard: float  # per day
    post_relapse_median_days: float
    refractory_median_days: float
    transplant_share: float
    transplant_days: tuple[int, int]
    transplant_hazard_ratio: float
    crs_burden_per_10: float  # log-odds per 10 percentage points of marrow blasts
    crs_cuts: tuple[float, float, float, float]
    icans_cuts: tuple[float, float, float, float]
    blasts_beta: tuple[float, float] | None  # marrow blasts % = 100 * Beta(a, b); None: not recorded
    dose_per_kg_range: tuple[float, float]
    accrual_years: int = 4
    source: str = ""


PROFILES = {
    # Paediatric r/r B-ALL, bicistronic CD19/CD22 (343-patient study, docs/clinical-rules.md §10.10 [S56]):
    # 99.1 % CR/CRi, 1-year EFS 75.5 %, OS 93.5 %; CRS follows disease burden, not dose; transplant for a share.
    "peds-ball-cd19cd22": Profile(
        name="peds-ball-cd19cd22",
        diagnosis="b_all",
        product="investigational",
        target_antigens=("CD19", "CD22"),
        age_range=(1, 17),
        response_probabilities=(("CR", 0.85), ("CRi", 0.141), ("NR", 0.009)),
        responses=("CR", "CRi"),
        relapse_hazard=-math.log(0.77) / 365,
        non_relapse_death_hazard=-math.log(0.985) / 365,
        post_relapse_median_days=548,
        refractory_median_days=120,
        transplant_share=0.3,
        transplant_days=(60, 120),
        transplant_hazard_ratio=1.0,
        crs_burden_per_10=0.45,
        crs_cuts=(-1.2, 0.9, 3.0, 4.2),
        icans_cuts=(2.6, 3.6, 4.8, 6.0),
        blasts_beta=(0.7, 1.6),
        dose_per_kg_range=(5e5, 5e6),
        source="docs/clinical-rules.md §10.10 [S56] (paediatric CD19/CD22 bicistronic CAR-T, n = 343)",
    ),
    # Large B-cell lymphoma (axi-cel-like, ZUMA-1 [S30], docs/clinical-rules.md §10.10): ORR ~ 80 %, CR ~ 55 %.
    "lbcl": Profile(
        name="lbcl",
        diagnosis="lbcl",
        product="axi_cel",
        target_antigens=("CD19",),
        age_range=(25, 80),
        response_probabilities=(("CMR", 0.55), ("PMR", 0.25), ("NMR", 0.08), ("PMD", 0.12)),
        responses=("CMR", "PMR"),
        relapse_hazard=-math.log(0.55) / 365,
        non_relapse_death_hazard=-math.log(0.97) / 365,
        post_relapse_median_days=240,
        refractory_median_days=150,
        transplant_share=0.05,
        transplant_days=(90, 180),
        transplant_hazard_ratio=1.0,
        crs_burden_per_10=0.0,
        crs_cuts=(-2.0, 0.3, 2.8, 4.0),
        icans_cuts=(0.8, 1.8, 3.0, 4.5),
        blasts_beta=None,
        dose_per_kg_range=(1e6, 2.2e6),
        source="docs/clinical-rules.md §10.10 [S30] (ZUMA-1 and published LBCL series)",
    ),
    # Multiple myeloma (BCMA, KarMMa-like [S30], [S38], docs/clinical-rules.md §10.10): ORR ~ 78 %, CR/sCR ~ 35 %.
    "myeloma": Profile(
        name="myeloma",
        diagnosis="multiple_myeloma",
        product="ide_cel",
        target_antigens=("BCMA",),
        age_range=(35, 80),
        response_probabilities=(
            ("sCR", 0.2),
            ("CR", 0.13),
            ("VGPR", 0.25),
            ("PR", 0.2),
            ("MR", 0.06),
            ("SD", 0.08),
            ("PD", 0.08),
        ),
        responses=("sCR", "CR", "VGPR", "PR"),
        relapse_hazard=-math.log(0.6) / 365,
        non_relapse_death_hazard=-math.log(0.96) / 365,
        post_relapse_median_days=365,
        refractory_median_days=240,
        transplant_share=0.0,
        transplant_days=(90, 180),
        transplant_hazard_ratio=1.0,
        crs_burden_per_10=0.0,
        crs_cuts=(-2.2, 0.8, 3.5, 4.8),
        icans_cuts=(1.6, 2.8, 4.0, 5.5),
        blasts_beta=None,
        dose_per_kg_range=(1.5e6, 6e6),
        source="docs/clinical-rules.md §10.10 [S30], [S38] (KarMMa and published myeloma series)",
    ),
}


def _logistic(rng: random.Random) -> float:
    u = min(max(rng.random(), 1e-12), 1 - 1e-12)
    return math.log(u / (1 - u))


def _grade(latent: float, cuts: tuple[float, ...]) -> int:
    return sum(latent > cut for cut in cuts)


def _exp_days(rng: random.Random, hazard: float) -> float:
    return rng.expovariate(hazard) if hazard > 0 else math.inf


def draw_outcome(profile: Profile, rng: random.Random) -> dict:
    """One course's clinical story in days from infusion, without calendar or censoring."""
    blasts = 100 * rng.betavariate(*profile.blasts_beta) if profile.blasts_beta else None
    low, high = profile.dose_per_kg_range
    dose = 10 ** rng.uniform(math.log10(low), math.log10(high))
    crs = _grade((profile.crs_burden_per_10 * (blasts or 0) / 10) + _logistic(rng), profile.crs_cuts)
    icans = _grade(0.8 * crs + _logistic(rng), profile.icans_cuts)
    tocilizumab = rng.random() < (0.9 if crs >= 2 else 0.15 if crs == 1 else 0.0)
    steroids = rng.random() < (0.9 if icans >= 2 or crs >= 3 else 0.03)
    pick, category = rng.random(), profile.response_probabilities[-1][0]
    for name, probability in profile.response_probabilities:
        if pick < probability:
            category = name
            break
        pick -= probability
    relapse = death = transplant = None
    if category in profile.responses:
        relapse_day = _exp_days(rng, profile.relapse_hazard)
        death_day = _exp_days(rng, profile.non_relapse_death_hazard)
        if rng.random() < profile.transplant_share:
            offered = rng.randint(*profile.transplant_days)
            if relapse_day > offered and death_day > offered:
                transplant = offered
                # Memoryless: the relapse time after the transplant is redrawn with the new hazard.
                relapse_day = offered + _exp_days(rng, profile.relapse_hazard * profile.transplant_hazard_ratio)
        if relapse_day < death_day:
            relapse = max(1, int(relapse_day))
            death_after = _exp_days(rng, math.log(2) / profile.post_relapse_median_days)
            death = relapse + max(1, int(death_after))
        else:
            death = max(1, int(death_day))
    else:
        death = max(1, int(_exp_days(rng, math.log(2) / profile.refractory_median_days)))
    return {
        "blasts": blasts,
        "dose": dose,
        "crs": crs,
        "icans": icans,
        "tocilizumab": tocilizumab,
        "steroids": steroids,
        "category": category,
        "relapse": relapse,
        "death": death,
        "transplant": transplant,
    }


def draw_course(profile: Profile, rng: random.Random, *, number: int, as_of: date) -> dict[str, str]:
    """One course as a history row (history_import.COLUMNS), censored at the as-of date."""
    story = draw_outcome(profile, rng)
    accrual_days = 365 * profile.accrual_years
    infused_on = as_of - timedelta(days=rng.randint(30, accrual_days))
    apheresed_on = infused_on - timedelta(days=rng.randint(21, 42))
    age = rng.randint(*profile.age_range)
    born_on = infused_on - timedelta(days=365 * age + rng.randint(0, 364))
    contact_on = as_of - timedelta(days=rng.randint(0, 60))
    contact_on = max(contact_on, infused_on + timedelta(days=28))
    if contact_on > as_of:
        contact_on = as_of

    def on(day: int | None) -> date | None:
        if day is None:
            return None
        moment = infused_on + timedelta(days=day)
        return moment if moment <= contact_on else None

    death_on, relapse_on, transplant_on = on(story["death"]), on(story["relapse"]), on(story["transplant"])
    if death_on is not None:
        contact_on = death_on
    category = story["category"]
    return {
        "mrn": f"SYN-{profile.name[:4].upper()}-{number:06d}",
        "given_name": f"Synthetic{number}",
        "family_name": profile.name.title().replace("-", ""),
        "birth_date": born_on.isoformat(),
        "sex": rng.choice(("female", "male")),
        "diagnosis": profile.diagnosis,
        "product": profile.product,
        "target_antigens": ";".join(profile.target_antigens),
        "leukapheresis_date": apheresed_on.isoformat(),
        "infusion_date": infused_on.isoformat(),
        "baseline_marrow_blasts_percent": "" if story["blasts"] is None else f"{story['blasts']:.1f}",
        "baseline_ldh_u_l": str(int(rng.lognormvariate(math.log(280), 0.5)) % 20000),
        "cell_dose_per_kg": f"{story['dose']:.0f}",
        "crs_max_grade": str(story["crs"]),
        "icans_max_grade": str(story["icans"]),
        "tocilizumab": "yes" if story["tocilizumab"] else "no",
        "steroids": "yes" if story["steroids"] else "no",
        "day28_response": category,
        "best_response": category,
        "relapse_date": relapse_on.isoformat() if relapse_on else "",
        "transplant_date": transplant_on.isoformat() if transplant_on else "",
        "death_date": death_on.isoformat() if death_on else "",
        "death_cause": ("disease" if relapse_on or category not in profile.responses else "other") if death_on else "",
        "last_contact_date": "" if death_on else contact_on.isoformat(),
    }


def truth(profile: Profile, *, seed: int, draws: int = 100_000) -> dict:
    """What the cohort was drawn from: the parameters and, by a large simulation of the same
    stories without censoring, the true rates and 6- and 12-month EFS and OS."""
    rng = random.Random(f"truth-{seed}")
    stories = [draw_outcome(profile, rng) for _ in range(draws)]

    def share(test) -> float:
        return sum(1 for story in stories if test(story)) / draws

    def efs_event_day(story) -> float:
        if story["category"] not in profile.responses:
            return 0
        return min(d for d in (story["relapse"], story["death"]) if d is not None)

    months = 30.4375
    return {
        "profile": asdict(profile),
        "seed": seed,
        "draws": draws,
        "response_rate": sum(p for c, p in profile.response_probabilities if c in profile.responses),
        "crs_any": share(lambda s: s["crs"] >= 1),
        "crs_grade_3_or_more": share(lambda s: s["crs"] >= 3),
        "icans_any": share(lambda s: s["icans"] >= 1),
        "efs_at_6_months": share(lambda s: efs_event_day(s) > 6 * months),
        "efs_at_12_months": share(lambda s: efs_event_day(s) > 12 * months),
        "os_at_6_months": share(lambda s: s["death"] > 6 * months),
        "os_at_12_months": share(lambda s: s["death"] > 12 * months),
        "transplant_hazard_ratio": profile.transplant_hazard_ratio,
        "crs_driven_by": "marrow blast burden" if profile.crs_burden_per_10 else "neither",
    }
