"""The treatment journey as pure rules: the stages, which moves between them are allowed, and
what each move needs before it may happen.

Nothing here touches Django or the database. ``services.transition_course`` gathers a
``JourneyFacts`` snapshot from the database and asks ``transition_problems`` whether a move is
allowed; an empty list means yes. Every refusal is a sentence a coordinator can act on.

Sources: docs/clinical-rules.md §2 (stages in order §2.1; confirm the product is available
before lymphodepletion, Yescarta label [S14] §2.7; chain-of-identity check at the bedside by two
people [S13] §2.4; re-collection after failed or out-of-specification manufacturing §2.6).

Why not django-fsm: the original package is archived, and its transition conditions answer
only yes or no; the journey needs every refusal to say what is missing. A transition table and
plain guard functions are short, and tests can walk the table row by row.
"""

from dataclasses import dataclass
from enum import StrEnum


class Stage(StrEnum):
    REFERRAL = "referral"
    ELIGIBILITY = "eligibility"
    COLLECTION = "collection"
    MANUFACTURING = "manufacturing"
    BRIDGING = "bridging"
    LYMPHODEPLETION = "lymphodepletion"
    INFUSION = "infusion"
    ACUTE_MONITORING = "acute_monitoring"
    FOLLOW_UP = "follow_up"
    LONG_TERM_FOLLOW_UP = "long_term_follow_up"
    # Closing states: a course that reaches one of these stays there.
    COMPLETED = "completed"
    DIED = "died"
    WITHDREW = "withdrew"
    INELIGIBLE = "ineligible"
    MANUFACTURING_FAILURE = "manufacturing_failure"

    @property
    def label(self) -> str:
        return STAGE_LABELS[self]

    @property
    def is_closing(self) -> bool:
        return self in CLOSING_STAGES


STAGE_LABELS = {
    Stage.REFERRAL: "Referral",
    Stage.ELIGIBILITY: "Eligibility",
    Stage.COLLECTION: "T-cell collection",
    Stage.MANUFACTURING: "Manufacturing",
    Stage.BRIDGING: "Bridging therapy",
    Stage.LYMPHODEPLETION: "Lymphodepletion",
    Stage.INFUSION: "Infusion",
    Stage.ACUTE_MONITORING: "Acute monitoring",
    Stage.FOLLOW_UP: "Follow-up",
    Stage.LONG_TERM_FOLLOW_UP: "Long-term follow-up",
    Stage.COMPLETED: "Completed",
    Stage.DIED: "Died",
    Stage.WITHDREW: "Withdrawn",
    Stage.INELIGIBLE: "Ineligible",
    Stage.MANUFACTURING_FAILURE: "Manufacturing failure",
}

CLOSING_STAGES = frozenset({Stage.COMPLETED, Stage.DIED, Stage.WITHDREW, Stage.INELIGIBLE, Stage.MANUFACTURING_FAILURE})
ACTIVE_STAGES = tuple(stage for stage in Stage if stage not in CLOSING_STAGES)
# Stages in which the patient has received the product (intention-to-treat vs infused set, §10.1).
POST_INFUSION_STAGES = frozenset({Stage.INFUSION, Stage.ACUTE_MONITORING, Stage.FOLLOW_UP, Stage.LONG_TERM_FOLLOW_UP})

_ANY_TIME_EXITS = {Stage.WITHDREW, Stage.DIED}

# Which stage may follow which (docs/clinical-rules.md §2.1). Bridging is optional; after a failed
# or out-of-specification run the course may go back to collection (§2.6), including from
# lymphodepletion when it was started under a physician's override before release.
ALLOWED_TRANSITIONS: dict[Stage, frozenset[Stage]] = {
    Stage.REFERRAL: frozenset({Stage.ELIGIBILITY, *_ANY_TIME_EXITS}),
    Stage.ELIGIBILITY: frozenset({Stage.COLLECTION, Stage.INELIGIBLE, *_ANY_TIME_EXITS}),
    Stage.COLLECTION: frozenset({Stage.MANUFACTURING, *_ANY_TIME_EXITS}),
    Stage.MANUFACTURING: frozenset(
        {
            Stage.BRIDGING,
            Stage.LYMPHODEPLETION,
            Stage.COLLECTION,
            Stage.MANUFACTURING_FAILURE,
            *_ANY_TIME_EXITS,
        }
    ),
    Stage.BRIDGING: frozenset({Stage.LYMPHODEPLETION, Stage.COLLECTION, Stage.MANUFACTURING_FAILURE, *_ANY_TIME_EXITS}),
    Stage.LYMPHODEPLETION: frozenset({Stage.INFUSION, Stage.COLLECTION, Stage.MANUFACTURING_FAILURE, *_ANY_TIME_EXITS}),
    # Infusion is a moment, not a phase: the only way on is into acute monitoring (or death).
    Stage.INFUSION: frozenset({Stage.ACUTE_MONITORING, Stage.DIED}),
    Stage.ACUTE_MONITORING: frozenset({Stage.FOLLOW_UP, *_ANY_TIME_EXITS}),
    Stage.FOLLOW_UP: frozenset({Stage.LONG_TERM_FOLLOW_UP, Stage.COMPLETED, *_ANY_TIME_EXITS}),
    Stage.LONG_TERM_FOLLOW_UP: frozenset({Stage.COMPLETED, *_ANY_TIME_EXITS}),
    **{stage: frozenset() for stage in CLOSING_STAGES},
}

# Acute monitoring runs from infusion (day 0) to day +28 (docs/clinical-rules.md §2.1).
FOLLOW_UP_FROM_DAY = 28
# Long-term follow-up starts after the first year; yearly contacts up to 15 years (§6.2, [S23]).
LONG_TERM_FOLLOW_UP_FROM_DAY = 365


class RunStatus(StrEnum):
    """Manufacturing run status (docs/clinical-rules.md §2.6)."""

    IN_PRODUCTION = "in_production"
    RELEASED = "released"
    OUT_OF_SPECIFICATION = "out_of_specification"
    FAILED = "failed"


@dataclass(frozen=True)
class JourneyFacts:
    """What the database knows about a course, as far as the stage rules care."""

    stage: Stage
    eligible_with_consent: bool = False
    # The newest collection and whether it has at least one bag on record.
    has_collection_with_bags: bool = False
    # The newest manufacturing run: its status, whether it was made from the newest
    # collection, and whether an out-of-spec product was released under a physician's exception.
    run_status: RunStatus | None = None
    run_is_from_latest_collection: bool = False
    run_released_under_exception: bool = False
    has_bridging_record: bool = False
    has_lymphodepletion_record: bool = False
    has_verified_infusion: bool = False
    # Day number (relative to infusion) on the day the move happens; None before infusion.
    day_number: int | None = None

    @property
    def product_available(self) -> bool:
        """Released, or out of specification but released under a documented exception (§2.6)."""
        return self.run_status == RunStatus.RELEASED or (
            self.run_status == RunStatus.OUT_OF_SPECIFICATION and self.run_released_under_exception
        )

    @property
    def run_unusable(self) -> bool:
        """The newest run failed, or is out of specification and was not released anyway."""
        return self.run_status == RunStatus.FAILED or (
            self.run_status == RunStatus.OUT_OF_SPECIFICATION and not self.run_released_under_exception
        )


@dataclass(frozen=True)
class TransitionRequest:
    target: Stage
    note: str = ""
    override_reason: str = ""
    actor_may_override: bool = False


def allowed_targets(stage: Stage) -> frozenset[Stage]:
    return ALLOWED_TRANSITIONS[Stage(stage)]


def transition_problems(facts: JourneyFacts, request: TransitionRequest) -> list[str]:
    """Everything that stops ``facts.stage`` → ``request.target``; empty when the move is allowed."""
    current, target = Stage(facts.stage), Stage(request.target)
    if target == current:
        return [f"The course is already in {current.label}."]
    if current.is_closing:
        return [f"The course is closed ({current.label}); a closed course does not change stage."]
    if target not in ALLOWED_TRANSITIONS[current]:
        allowed = ", ".join(sorted(s.label for s in ALLOWED_TRANSITIONS[current]))
        return [f"{current.label} cannot move to {target.label}; allowed next: {allowed}."]
    guard = _GUARDS.get(target)
    return guard(facts, request) if guard else []


def _needs_note(what: str):
    def guard(facts: JourneyFacts, request: TransitionRequest) -> list[str]:
        return [] if request.note.strip() else [f"A note is required: {what}."]

    return guard


def _to_collection(facts: JourneyFacts, request: TransitionRequest) -> list[str]:
    if facts.stage == Stage.ELIGIBILITY:
        if not facts.eligible_with_consent:
            return [
                "Collection needs an eligibility assessment that found the patient eligible, "
                "with the date consent was signed."
            ]
        return []
    # Going back to collection from manufacturing, bridging or lymphodepletion (§2.6).
    if not facts.run_unusable:
        return [
            "A new collection is allowed only after the manufacturing run failed or came out of "
            "specification (and was not released under an exception)."
        ]
    return []


def _to_manufacturing(facts: JourneyFacts, request: TransitionRequest) -> list[str]:
    problems = []
    if not facts.has_collection_with_bags:
        problems.append("Record the leukapheresis collection with at least one bag identifier first.")
    if facts.run_status != RunStatus.IN_PRODUCTION or not facts.run_is_from_latest_collection:
        problems.append(
            "Register the manufacturing run for the latest collection (manufacturer, lot, chain-of-identity id) first."
        )
    return problems


def _to_bridging(facts: JourneyFacts, request: TransitionRequest) -> list[str]:
    if not facts.has_bridging_record:
        return ["Record the bridging therapy (agents, start date) first."]
    return []


def _to_lymphodepletion(facts: JourneyFacts, request: TransitionRequest) -> list[str]:
    problems = []
    if not facts.has_lymphodepletion_record:
        problems.append("Record the lymphodepleting regimen and its start date first.")
    if facts.run_unusable:
        problems.append(
            f"The manufacturing run is {facts.run_status.replace('_', ' ')}: there is no product "
            "to infuse after lymphodepletion."
        )
    elif not facts.product_available:
        # Yescarta label: confirm the product is available before starting LD (§2.7, [S14]).
        if not request.override_reason.strip():
            problems.append(
                "The product has not been released. Lymphodepletion before release needs a "
                "physician's override with a reason."
            )
        elif not request.actor_may_override:
            problems.append("Only a physician may override the released-product requirement.")
    return problems


def _to_infusion(facts: JourneyFacts, request: TransitionRequest) -> list[str]:
    problems = []
    if not facts.product_available:
        problems.append("Infusion needs a released product (or an out-of-spec product released under exception).")
    if not facts.has_verified_infusion:
        problems.append(
            "Record the infusion with the bags infused and the chain-of-identity check "
            "confirmed by two different staff members."
        )
    return problems


def _to_acute_monitoring(facts: JourneyFacts, request: TransitionRequest) -> list[str]:
    if not facts.has_verified_infusion:
        return ["Acute monitoring starts from a recorded infusion."]
    return []


def _day_at_least(day: int, stage_label: str):
    def guard(facts: JourneyFacts, request: TransitionRequest) -> list[str]:
        if facts.day_number is None:
            return [f"{stage_label} starts after infusion; no infusion is on record."]
        if facts.day_number < day:
            return [f"{stage_label} starts on day +{day}; this is day {facts.day_number:+d}."]
        return []

    return guard


def _to_manufacturing_failure(facts: JourneyFacts, request: TransitionRequest) -> list[str]:
    problems = []
    if not facts.run_unusable:
        problems.append(
            "Manufacturing failure needs a run recorded as failed, or out of specification and not released."
        )
    problems += _needs_note("why no further collection is planned")(facts, request)
    return problems


_GUARDS = {
    Stage.COLLECTION: _to_collection,
    Stage.MANUFACTURING: _to_manufacturing,
    Stage.BRIDGING: _to_bridging,
    Stage.LYMPHODEPLETION: _to_lymphodepletion,
    Stage.INFUSION: _to_infusion,
    Stage.ACUTE_MONITORING: _to_acute_monitoring,
    Stage.FOLLOW_UP: _day_at_least(FOLLOW_UP_FROM_DAY, "Follow-up"),
    Stage.LONG_TERM_FOLLOW_UP: _day_at_least(LONG_TERM_FOLLOW_UP_FROM_DAY, "Long-term follow-up"),
    Stage.COMPLETED: _needs_note("how follow-up ended"),
    Stage.DIED: _needs_note("the cause of death"),
    Stage.WITHDREW: _needs_note("the reason for withdrawal"),
    Stage.INELIGIBLE: _needs_note("why the patient is not eligible"),
    Stage.MANUFACTURING_FAILURE: _to_manufacturing_failure,
}


def chain_of_identity_problems(
    *, expected_coi_id: str, scanned_coi_ids: list[str], verifier_ids: list[int | None]
) -> list[str]:
    """The bedside identity check before infusion (docs/clinical-rules.md §2.4, [S13]): every bag's
    chain-of-identity id must match the manufacturing run, and two different staff members
    must confirm it."""
    problems = []
    if not scanned_coi_ids:
        problems.append("Select at least one bag to infuse.")
    for scanned in scanned_coi_ids:
        if scanned.strip().upper() != expected_coi_id.strip().upper():
            # The expected id is deliberately not shown: the check is only worth something
            # if the id is read from the bag in hand, not copied from the screen.
            problems.append(
                f"Bag chain-of-identity id {scanned!r} does not match this patient's manufacturing "
                "run. Do not infuse: check the bag label and the patient's identity again."
            )
    present = [v for v in verifier_ids if v is not None]
    if len(present) < 2:
        problems.append("The identity check needs two staff members.")
    elif len(set(present)) < 2:
        problems.append("The two identity checks must be made by two different staff members.")
    return problems


@dataclass(frozen=True)
class VeinToVein:
    """Vein-to-vein time and its sub-intervals, in whole calendar days (docs/clinical-rules.md §2.9, [S31]).

    Vein-to-vein runs from leukapheresis to infusion. Sub-intervals are None where a date
    is not yet on record; they are computed, never typed.
    """

    total_days: int | None
    collection_to_shipment_days: int | None
    shipment_to_release_days: int | None
    release_to_delivery_days: int | None
    delivery_to_infusion_days: int | None

    @classmethod
    def from_dates(cls, *, collected_on, shipped_on=None, released_on=None, delivered_on=None, infused_on=None):
        def between(start, end):
            return (end - start).days if start and end else None

        return cls(
            total_days=between(collected_on, infused_on),
            collection_to_shipment_days=between(collected_on, shipped_on),
            shipment_to_release_days=between(shipped_on, released_on),
            release_to_delivery_days=between(released_on, delivered_on),
            delivery_to_infusion_days=between(delivered_on, infused_on),
        )
