"""Every clinical write goes through a service here: one transaction, checked against the
rules, audited, and enqueueing any follow-up work only after commit."""

from tracker.services.journey import (
    RuleRefused,
    add_care_team_member,
    journey_facts,
    mark_run_failed,
    mark_run_out_of_specification,
    open_course,
    receive_product,
    record_collection,
    record_eligibility,
    record_infusion,
    refer_new_patient,
    register_manufacturing_run,
    register_patient,
    release_run,
    release_under_exception,
    start_bridging,
    start_lymphodepletion,
    transition_course,
)

__all__ = [
    "RuleRefused",
    "add_care_team_member",
    "journey_facts",
    "mark_run_failed",
    "mark_run_out_of_specification",
    "open_course",
    "receive_product",
    "record_collection",
    "record_eligibility",
    "record_infusion",
    "refer_new_patient",
    "register_manufacturing_run",
    "register_patient",
    "release_run",
    "release_under_exception",
    "start_bridging",
    "start_lymphodepletion",
    "transition_course",
]
