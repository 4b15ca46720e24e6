"""The stage machine as pure rules (tracker/journey.py), walked table by table.

Every allowed transition is tried with the facts it needs (it must pass) and, where it has a
guard, without them (it must be refused with a message naming what is missing). For every
stage, at least one transition that is not in the table is refused with its error.
"""

import pytest

from tracker.clinical.stages import (
    ALLOWED_TRANSITIONS,
    CLOSING_STAGES,
    JourneyFacts,
    RunStatus,
    Stage,
    TransitionRequest,
    chain_of_identity_problems,
    transition_problems,
)

RELEASED = dict(run_status=RunStatus.RELEASED, run_is_from_latest_collection=True)
FAILED = dict(run_status=RunStatus.FAILED, run_is_from_latest_collection=True)

# (from, to, facts that satisfy the move, request fields) for every allowed transition.
ALLOWED = [
    (Stage.REFERRAL, Stage.ELIGIBILITY, {}, {}),
    (Stage.REFERRAL, Stage.WITHDREW, {}, {"note": "Chose palliative care"}),
    (Stage.REFERRAL, Stage.DIED, {}, {"note": "Progressive disease"}),
    (Stage.ELIGIBILITY, Stage.COLLECTION, {"eligible_with_consent": True}, {}),
    (Stage.ELIGIBILITY, Stage.INELIGIBLE, {}, {"note": "Creatinine clearance 25 mL/min"}),
    (Stage.ELIGIBILITY, Stage.WITHDREW, {}, {"note": "Declined"}),
    (Stage.ELIGIBILITY, Stage.DIED, {}, {"note": "Sepsis"}),
    (
        Stage.COLLECTION,
        Stage.MANUFACTURING,
        {
            "has_collection_with_bags": True,
            "run_status": RunStatus.IN_PRODUCTION,
            "run_is_from_latest_collection": True,
        },
        {},
    ),
    (Stage.COLLECTION, Stage.WITHDREW, {}, {"note": "Moved abroad"}),
    (Stage.COLLECTION, Stage.DIED, {}, {"note": "Progression"}),
    (Stage.MANUFACTURING, Stage.BRIDGING, {"has_bridging_record": True}, {}),
    (Stage.MANUFACTURING, Stage.LYMPHODEPLETION, {"has_lymphodepletion_record": True, **RELEASED}, {}),
    (Stage.MANUFACTURING, Stage.COLLECTION, FAILED, {}),
    (Stage.MANUFACTURING, Stage.MANUFACTURING_FAILURE, FAILED, {"note": "Second failure; no further attempt"}),
    (Stage.MANUFACTURING, Stage.WITHDREW, {}, {"note": "Declined"}),
    (Stage.MANUFACTURING, Stage.DIED, {}, {"note": "Progression"}),
    (Stage.BRIDGING, Stage.LYMPHODEPLETION, {"has_lymphodepletion_record": True, **RELEASED}, {}),
    (Stage.BRIDGING, Stage.COLLECTION, FAILED, {}),
    (Stage.BRIDGING, Stage.MANUFACTURING_FAILURE, FAILED, {"note": "No further collection feasible"}),
    (Stage.BRIDGING, Stage.WITHDREW, {}, {"note": "Declined"}),
    (Stage.BRIDGING, Stage.DIED, {}, {"note": "Progression"}),
    (Stage.LYMPHODEPLETION, Stage.INFUSION, {"has_verified_infusion": True, **RELEASED}, {}),
    (Stage.LYMPHODEPLETION, Stage.COLLECTION, FAILED, {}),
    (Stage.LYMPHODEPLETION, Stage.MANUFACTURING_FAILURE, FAILED, {"note": "Failed after LD under override"}),
    (Stage.LYMPHODEPLETION, Stage.WITHDREW, {}, {"note": "Declined"}),
    (Stage.LYMPHODEPLETION, Stage.DIED, {}, {"note": "Infection"}),
    (Stage.INFUSION, Stage.ACUTE_MONITORING, {"has_verified_infusion": True, "day_number": 0}, {}),
    (Stage.INFUSION, Stage.DIED, {}, {"note": "Anaphylaxis"}),
    (Stage.ACUTE_MONITORING, Stage.FOLLOW_UP, {"day_number": 28}, {}),
    (Stage.ACUTE_MONITORING, Stage.WITHDREW, {}, {"note": "Transferred care"}),
    (Stage.ACUTE_MONITORING, Stage.DIED, {}, {"note": "Grade 5 CRS"}),
    (Stage.FOLLOW_UP, Stage.LONG_TERM_FOLLOW_UP, {"day_number": 365}, {}),
    (Stage.FOLLOW_UP, Stage.COMPLETED, {}, {"note": "Standard track complete"}),
    (Stage.FOLLOW_UP, Stage.WITHDREW, {}, {"note": "Withdrew consent"}),
    (Stage.FOLLOW_UP, Stage.DIED, {}, {"note": "Relapse"}),
    (Stage.LONG_TERM_FOLLOW_UP, Stage.COMPLETED, {}, {"note": "15-year follow-up complete"}),
    (Stage.LONG_TERM_FOLLOW_UP, Stage.WITHDREW, {}, {"note": "Lost to follow-up"}),
    (Stage.LONG_TERM_FOLLOW_UP, Stage.DIED, {}, {"note": "Second malignancy"}),
]


def _id(row):
    return f"{row[0]}->{row[1]}"


def test_the_table_covers_every_allowed_transition():
    listed = {(a, b) for a, b, _, _ in ALLOWED}
    in_machine = {(a, b) for a, targets in ALLOWED_TRANSITIONS.items() for b in targets}
    assert listed == in_machine


@pytest.mark.parametrize(("current", "target", "facts", "request_fields"), ALLOWED, ids=[_id(r) for r in ALLOWED])
def test_allowed_transition_passes_with_what_it_needs(current, target, facts, request_fields):
    problems = transition_problems(JourneyFacts(stage=current, **facts), TransitionRequest(target, **request_fields))
    assert problems == []


# (from, to, facts, request, words the refusal must contain) — the guard of each allowed move.
GUARDED_REFUSALS = [
    (Stage.ELIGIBILITY, Stage.COLLECTION, {}, {}, "eligibility assessment"),
    (Stage.ELIGIBILITY, Stage.INELIGIBLE, {}, {}, "note is required"),
    (Stage.REFERRAL, Stage.WITHDREW, {}, {}, "reason for withdrawal"),
    (Stage.REFERRAL, Stage.DIED, {}, {}, "cause of death"),
    (Stage.COLLECTION, Stage.MANUFACTURING, {}, {}, "at least one bag"),
    (
        Stage.COLLECTION,
        Stage.MANUFACTURING,
        {"has_collection_with_bags": True},
        {},
        "Register the manufacturing run",
    ),
    (Stage.MANUFACTURING, Stage.BRIDGING, {}, {}, "bridging therapy"),
    (Stage.MANUFACTURING, Stage.LYMPHODEPLETION, {"has_lymphodepletion_record": True}, {}, "not been released"),
    (
        Stage.MANUFACTURING,
        Stage.LYMPHODEPLETION,
        {"has_lymphodepletion_record": True, "run_status": RunStatus.IN_PRODUCTION},
        {"override_reason": "Rapid progression", "actor_may_override": False},
        "Only a physician",
    ),
    (Stage.MANUFACTURING, Stage.LYMPHODEPLETION, RELEASED, {}, "regimen and its start date"),
    (Stage.MANUFACTURING, Stage.LYMPHODEPLETION, {"has_lymphodepletion_record": True, **FAILED}, {}, "no product"),
    (Stage.MANUFACTURING, Stage.COLLECTION, RELEASED, {}, "only after the manufacturing run failed"),
    (
        Stage.MANUFACTURING,
        Stage.COLLECTION,
        {"run_status": RunStatus.OUT_OF_SPECIFICATION, "run_released_under_exception": True},
        {},
        "only after the manufacturing run failed",
    ),
    (
        Stage.MANUFACTURING,
        Stage.MANUFACTURING_FAILURE,
        {"run_status": RunStatus.IN_PRODUCTION},
        {"note": "x"},
        "failed",
    ),
    (Stage.MANUFACTURING, Stage.MANUFACTURING_FAILURE, FAILED, {}, "note is required"),
    (Stage.BRIDGING, Stage.LYMPHODEPLETION, {"has_lymphodepletion_record": True}, {}, "physician's override"),
    (Stage.LYMPHODEPLETION, Stage.INFUSION, {"has_verified_infusion": True}, {}, "released product"),
    (Stage.LYMPHODEPLETION, Stage.INFUSION, RELEASED, {}, "two different staff members"),
    (
        Stage.LYMPHODEPLETION,
        Stage.INFUSION,
        {"has_verified_infusion": True, "run_status": RunStatus.OUT_OF_SPECIFICATION},
        {},
        "released product",
    ),
    (Stage.INFUSION, Stage.ACUTE_MONITORING, {}, {}, "recorded infusion"),
    (Stage.ACUTE_MONITORING, Stage.FOLLOW_UP, {"day_number": 27}, {}, "day +28; this is day +27"),
    (Stage.ACUTE_MONITORING, Stage.FOLLOW_UP, {}, {}, "no infusion is on record"),
    (Stage.FOLLOW_UP, Stage.LONG_TERM_FOLLOW_UP, {"day_number": 364}, {}, "day +365"),
    (Stage.FOLLOW_UP, Stage.COMPLETED, {}, {}, "how follow-up ended"),
]


@pytest.mark.parametrize(
    ("current", "target", "facts", "request_fields", "expected"),
    GUARDED_REFUSALS,
    ids=[f"{r[0]}->{r[1]}:{r[4]}" for r in GUARDED_REFUSALS],
)
def test_guarded_transition_is_refused_without_what_it_needs(current, target, facts, request_fields, expected):
    problems = transition_problems(JourneyFacts(stage=current, **facts), TransitionRequest(target, **request_fields))
    assert any(expected in problem for problem in problems), problems


def test_lymphodepletion_before_release_is_allowed_with_a_physicians_override():
    facts = JourneyFacts(stage=Stage.MANUFACTURING, has_lymphodepletion_record=True, run_status=RunStatus.IN_PRODUCTION)
    request = TransitionRequest(
        Stage.LYMPHODEPLETION, override_reason="Rapidly progressive disease", actor_may_override=True
    )
    assert transition_problems(facts, request) == []


def test_out_of_spec_product_released_under_exception_counts_as_available():
    facts = JourneyFacts(
        stage=Stage.LYMPHODEPLETION,
        run_status=RunStatus.OUT_OF_SPECIFICATION,
        run_released_under_exception=True,
        has_verified_infusion=True,
    )
    assert transition_problems(facts, TransitionRequest(Stage.INFUSION)) == []


# For each stage, one move that is not in the table, and the refusal it gets.
UNLISTED = [
    (Stage.REFERRAL, Stage.INFUSION, "cannot move to Infusion"),
    (Stage.ELIGIBILITY, Stage.MANUFACTURING, "cannot move to Manufacturing"),
    (Stage.COLLECTION, Stage.LYMPHODEPLETION, "cannot move to Lymphodepletion"),
    (Stage.MANUFACTURING, Stage.INFUSION, "cannot move to Infusion"),
    (Stage.BRIDGING, Stage.INFUSION, "cannot move to Infusion"),
    (Stage.LYMPHODEPLETION, Stage.ACUTE_MONITORING, "cannot move to Acute monitoring"),
    (Stage.INFUSION, Stage.FOLLOW_UP, "cannot move to Follow-up"),
    (Stage.ACUTE_MONITORING, Stage.COLLECTION, "cannot move to T-cell collection"),
    (Stage.FOLLOW_UP, Stage.ACUTE_MONITORING, "cannot move to Acute monitoring"),
    (Stage.LONG_TERM_FOLLOW_UP, Stage.FOLLOW_UP, "cannot move to Follow-up"),
    (Stage.COMPLETED, Stage.FOLLOW_UP, "closed"),
    (Stage.DIED, Stage.FOLLOW_UP, "closed"),
    (Stage.WITHDREW, Stage.REFERRAL, "closed"),
    (Stage.INELIGIBLE, Stage.ELIGIBILITY, "closed"),
    (Stage.MANUFACTURING_FAILURE, Stage.COLLECTION, "closed"),
]


def test_a_mismatch_never_reveals_the_expected_chain_of_identity_id():
    (problem,) = chain_of_identity_problems(
        expected_coi_id="COI-RIGHT-7", scanned_coi_ids=["COI-WRONG"], verifier_ids=[1, 2]
    )
    assert "COI-RIGHT-7" not in problem and "Do not infuse" in problem


def test_every_stage_has_a_refused_transition_in_the_table():
    assert {row[0] for row in UNLISTED} == set(Stage)


@pytest.mark.parametrize(("current", "target", "expected"), UNLISTED, ids=[_id(r) for r in UNLISTED])
def test_transition_not_in_the_table_is_refused_with_its_error(current, target, expected):
    problems = transition_problems(JourneyFacts(stage=current), TransitionRequest(target, note="anything"))
    assert len(problems) == 1 and expected in problems[0]


def test_refusal_lists_what_is_allowed_next():
    (problem,) = transition_problems(JourneyFacts(stage=Stage.REFERRAL), TransitionRequest(Stage.INFUSION))
    assert "allowed next: Died, Eligibility, Withdrawn" in problem


def test_moving_to_the_current_stage_is_refused():
    assert transition_problems(JourneyFacts(stage=Stage.BRIDGING), TransitionRequest(Stage.BRIDGING))


def test_closing_stages_have_no_exits():
    assert all(ALLOWED_TRANSITIONS[stage] == frozenset() for stage in CLOSING_STAGES)


@pytest.mark.parametrize(
    ("scanned", "verifiers", "expected"),
    [
        (["COI-1"], [1, 2], []),
        (["coi-1 "], [1, 2], []),  # labels are compared without case or stray spaces
        (["COI-2"], [1, 2], ["does not match"]),
        (["COI-1", "COI-9"], [1, 2], ["'COI-9' does not match"]),
        (["COI-1"], [1, 1], ["two different staff members"]),
        (["COI-1"], [1, None], ["needs two staff members"]),
        ([], [1, 2], ["at least one bag"]),
    ],
)
def test_chain_of_identity_check(scanned, verifiers, expected):
    problems = chain_of_identity_problems(expected_coi_id="COI-1", scanned_coi_ids=scanned, verifier_ids=verifiers)
    assert len(problems) == len(expected)
    assert not any("COI-1" in problem and "COI-1" not in scanned for problem in problems)
    for problem, words in zip(problems, expected, strict=True):
        assert words in problem
