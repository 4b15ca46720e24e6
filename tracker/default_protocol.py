"""The default monitoring protocol and the 2025 label conditions, as data.

Installed by a data migration (0004) and editable in the admin afterwards: a site changes its
protocol by creating a new version, not by editing code. ``install`` is idempotent: it adds
what is missing and leaves existing rows (and any edits made to them) alone. Plain data, so a
migration can call it with historical models.
"""

from datetime import date, time

DEFAULT_PROTOCOL = {
    "name": "Standard CAR-T monitoring",
    "version": 1,
    "product": "",
    "effective_from": date(2025, 6, 26),
    "description": (
        "Vital signs at least every 4 hours to day +9 [S16], neurological checks twice daily [S7], "
        "daily review and labs for the two weeks the label requires [S9], response milestones at "
        "day +28, months 3, 6 and 12 then yearly, CIBMTR day +100 [S22], IgG monthly for 3 months "
        "[S25], and yearly long-term follow-up to 15 years [S23]. While CRS ≥ grade 2 or any ICANS: "
        "vital signs every 2 hours and ICE every 4 hours (docs/clinical-rules.md §6.1)."
    ),
}

LYMPHOMAS = ["lbcl", "follicular", "mantle_cell", "cll", "other"]
HOURS = 60
DAYS = 24 * 60


def _interval(kind, every, first_hour, from_day, to_day, before, after, role="nurse", cadence="normal", label=""):
    return {
        "kind": kind,
        "label": label,
        "cadence": cadence,
        "schedule_type": "interval",
        "every_hours": every,
        "first_hour": first_hour,
        "from_day": from_day,
        "to_day": to_day,
        "window_before_minutes": before,
        "window_after_minutes": after,
        "assignee_role": role,
        "diagnoses": [],
    }


def _milestones(kind, label, milestones, before, after, role="coordinator", diagnoses=(), at=time(9, 0)):
    return {
        "kind": kind,
        "label": label,
        "cadence": "normal",
        "schedule_type": "milestones",
        "milestones": milestones,
        "due_time": at,
        "window_before_minutes": before,
        "window_after_minutes": after,
        "assignee_role": role,
        "diagnoses": list(diagnoses),
    }


EARLY_RESPONSE = [
    {"label": "Day +28", "days": 28},
    {"label": "Month 3", "months": 3},
    {"label": "Month 6", "months": 6},
    {"label": "Month 12", "months": 12},
]
YEARLY_TO_5 = [{"label": f"Year {n}", "years": n} for n in range(2, 6)]
YEARLY_6_TO_15 = [{"label": f"Year {n}", "years": n} for n in range(6, 16)]

DEFAULT_RULES = [
    # Acute monitoring, normal cadence.
    _interval("vital_signs", 4, 2, 0, 9, 30, 60),  # ≥ every 4 h inpatient for ≥ 9 days [S16]
    _interval("vital_signs", 12, 8, 10, 13, 60, 120),  # to the 2-week label minimum [S9]
    _interval("ice_capd", 12, 8, 0, 13, 30, 60),  # ICE at least twice daily [S7]
    _interval("crs_review", 24, 9, 0, 13, 60, 180, role="physician"),  # daily ≥ 7 days, monitoring ≥ 14 [S9]
    _interval("labs", 24, 6, 0, 13, 60, 120),  # CBC, CRP, ferritin daily in the first two weeks (§6.1)
    _interval("home_temperature", 24, 10, 14, 27, 120, 240),  # outpatient days 14–27
    # Tightened while CRS ≥ grade 2 or any ICANS (§6.1: vitals q2h, ICE q8h → q4h).
    _interval("vital_signs", 2, 0, 0, 27, 15, 30, cadence="tightened"),
    _interval("ice_capd", 4, 0, 0, 27, 15, 30, cadence="tightened"),
    # Milestones (docs/clinical-rules.md §6.2).
    _milestones("response_assessment", "Response assessment", EARLY_RESPONSE + YEARLY_TO_5, 7 * DAYS, 14 * DAYS),
    _milestones("remission_scan", "PET-CT (Lugano)", EARLY_RESPONSE, 7 * DAYS, 14 * DAYS, diagnoses=LYMPHOMAS),
    _milestones("remission_scan", "Bone marrow and MRD", EARLY_RESPONSE, 7 * DAYS, 14 * DAYS, diagnoses=["b_all"]),
    _milestones(
        "remission_scan",
        "Myeloma response: M-protein, FLC, marrow (IMWG)",
        EARLY_RESPONSE,
        7 * DAYS,
        14 * DAYS,
        diagnoses=["multiple_myeloma"],
    ),
    _milestones(
        "follow_up_visit",
        "Follow-up visit (CIBMTR F4100)",
        [{"label": "Day +100", "days": 100}, {"label": "Month 6", "months": 6}, {"label": "Month 12", "months": 12}]
        + YEARLY_TO_5,
        14 * DAYS,
        28 * DAYS,
    ),
    _milestones(
        "igg_level",
        "Serum IgG",
        [{"label": f"Month {n}", "months": n} for n in (1, 2, 3, 6, 12)],  # monthly ≥ 3 months [S25]
        7 * DAYS,
        14 * DAYS,
        role="nurse",
    ),
    _milestones("ltfu_contact", "Long-term follow-up contact (FDA, 15 years)", YEARLY_6_TO_15, 30 * DAYS, 60 * DAYS),
]

# docs/clinical-rules.md §6.6: the six autologous CD19/BCMA products whose labels changed on 26 June 2025.
LABELLED_PRODUCTS = ["ide_cel", "liso_cel", "cilta_cel", "tisa_cel", "brexu_cel", "axi_cel"]
LABEL_CONDITIONS = [
    {
        "effective_from": date(2017, 8, 30),
        "monitoring_days": 28,
        "daily_monitoring_days": 7,
        "stay_near_centre_days": 28,
        "no_driving_days": 56,
        "source": "REMS-era labels: stay within 2 h for 4 weeks, no driving 8 weeks "
        "(docs/clinical-rules.md §6.6 [S10][S11][S13])",
    },
    {
        "effective_from": date(2025, 6, 26),
        "monitoring_days": 14,
        "daily_monitoring_days": 7,
        "stay_near_centre_days": 14,
        "no_driving_days": 14,
        "source": "FDA 26 June 2025: REMS removed; monitor ≥ 2 weeks, daily ≥ 1 week; 2 weeks near "
        "the centre and no driving (docs/clinical-rules.md §6.6 [S9][S10])",
    },
]


def install(protocol_model, rule_model, label_model) -> None:
    protocol, created = protocol_model.objects.get_or_create(
        name=DEFAULT_PROTOCOL["name"], version=DEFAULT_PROTOCOL["version"], defaults=DEFAULT_PROTOCOL
    )
    if created:
        for rule in DEFAULT_RULES:
            rule_model.objects.create(protocol=protocol, **rule)
    for product in LABELLED_PRODUCTS:
        for condition in LABEL_CONDITIONS:
            label_model.objects.get_or_create(
                product=product, effective_from=condition["effective_from"], defaults=condition
            )


def install_default_protocol() -> None:
    from tracker.models import MonitoringProtocol, ProductLabelCondition, ProtocolRule

    install(MonitoringProtocol, ProtocolRule, ProductLabelCondition)
