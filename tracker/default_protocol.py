"""The default monitoring protocol and the 2025 label conditions, as data.

Installed by a data migration (0004) and editable in the admin afterwards: a site changes its
protocol by creating a new version, not by editing code. ``install`` is idempotent: it adds
what is missing and leaves existing rows (and any edits made to them) alone. Plain data, so a
migration can call it with historical models.

The protocol grew after its first release (issue 13): a baseline IgG before lymphodepletion,
the yearly CIBMTR F4100 of years 6 to 15 named by reporting track, and acute rules that follow
the label's monitoring period. ``install`` given the models of migration 0004 installs the
first release, and ``upgrade`` (migration 0007) brings an installed protocol up to date in
place, so courses already planned with it follow at their next re-plan.
"""

from datetime import date, time

from tracker.clinical.products import F4100_YEARS, FIFTEEN_YEAR_TRACK, STANDARD_TRACK

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


def _interval(
    kind,
    every,
    first_hour,
    from_day,
    to_day,
    before,
    after,
    role="nurse",
    cadence="normal",
    label="",
    follows_label=False,
):
    """An interval rule. ``follows_label``: it runs at least as long as the label's monitoring."""
    extra = {"extends_to_label_monitoring": True} if follows_label else {}
    return extra | {
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


def _milestones(
    kind, label, milestones, before, after, role="coordinator", diagnoses=(), at=time(9, 0), counted_from="", track=""
):
    """A milestone rule, counted from infusion unless ``counted_from`` says otherwise, for every
    course unless ``track`` names a CIBMTR reporting track. (A field added after the first
    release is in the dict only when it is set, so migration 0004 can tell what it can install.)"""
    extra = ({"counted_from": counted_from} if counted_from else {}) | ({"registry_track": track} if track else {})
    return extra | {
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
# CIBMTR F4100 after year 5 (docs/clinical-rules.md §11.1): yearly to 15 years on the 15-year track
# (genetically modified products); years 6, 8, 10, 12 and 14 on the standard track.
STANDARD_TRACK_F4100_AFTER_5 = [{"label": f"Year {n}", "years": n} for n in F4100_YEARS[STANDARD_TRACK] if n > 5]
STANDARD_TRACK_NO_FORM_AFTER_5 = [m for m in YEARLY_6_TO_15 if m not in STANDARD_TRACK_F4100_AFTER_5]
FIRST_RELEASE_LTFU_LABEL = "Long-term follow-up contact (FDA, 15 years)"

DEFAULT_RULES = [
    # Acute monitoring, normal cadence.
    _interval("vital_signs", 4, 2, 0, 9, 30, 60),  # ≥ every 4 h inpatient for ≥ 9 days [S16]
    # To day 13, and on to the end of the label's monitoring period: 14 days from the infusion
    # moment since June 2025, 28 days before (docs/clinical-rules.md §6.1, §6.6) [S9].
    _interval("vital_signs", 12, 8, 10, 13, 60, 120, follows_label=True),
    _interval("ice_capd", 12, 8, 0, 13, 30, 60, follows_label=True),  # ICE at least twice daily [S7]
    _interval("crs_review", 24, 9, 0, 13, 60, 180, role="physician", follows_label=True),  # daily ≥ 7 days [S9]
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
]
# Added after the first release (issue 13); ``upgrade`` adds them to a protocol installed before.
BASELINE_IGG = _milestones(
    # IgG before CAR-T (docs/clinical-rules.md §9.1, [S25]): due before lymphodepletion, which has
    # no planned date, so counted from the day the cells are sent for manufacturing (the window
    # is the four weeks after), and closed when lymphodepletion starts.
    "igg_level",
    "Serum IgG",
    [{"label": "Baseline, before lymphodepletion", "days": 14}],
    14 * DAYS,
    14 * DAYS,
    counted_from="manufacturing",
)
LTFU_15_YEAR_TRACK = _milestones(
    "ltfu_contact",
    "Long-term follow-up contact (FDA) and CIBMTR F4100 (15-year track)",
    YEARLY_6_TO_15,
    30 * DAYS,
    60 * DAYS,
    track=FIFTEEN_YEAR_TRACK,
)
LTFU_STANDARD_TRACK = [
    _milestones(
        "ltfu_contact",
        "Long-term follow-up contact and CIBMTR F4100 (standard track)",
        STANDARD_TRACK_F4100_AFTER_5,
        30 * DAYS,
        60 * DAYS,
        track=STANDARD_TRACK,
    ),
    _milestones(
        "ltfu_contact",
        "Long-term follow-up contact (no CIBMTR form this year)",
        STANDARD_TRACK_NO_FORM_AFTER_5,
        30 * DAYS,
        60 * DAYS,
        track=STANDARD_TRACK,
    ),
]
DEFAULT_RULES += [BASELINE_IGG, LTFU_15_YEAR_TRACK, *LTFU_STANDARD_TRACK]
# What migration 0004 installed: the first release planned years 6 to 15 as one rule for every
# course, and had neither the baseline IgG nor the label-following acute rules.
FIRST_RELEASE_RULES = [
    {key: value for key, value in rule.items() if key != "extends_to_label_monitoring"}
    for rule in DEFAULT_RULES
    if rule is not BASELINE_IGG and rule not in LTFU_STANDARD_TRACK and rule is not LTFU_15_YEAR_TRACK
] + [_milestones("ltfu_contact", FIRST_RELEASE_LTFU_LABEL, YEARLY_6_TO_15, 30 * DAYS, 60 * DAYS)]
ADDED_FIELDS = {"counted_from", "registry_track", "extends_to_label_monitoring"}

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
        # Migration 0004 passes the models of its day, which lack the fields added since.
        known = {field.name for field in rule_model._meta.get_fields()}
        for rule in DEFAULT_RULES if ADDED_FIELDS <= known else FIRST_RELEASE_RULES:
            rule_model.objects.create(protocol=protocol, **rule)
    for product in LABELLED_PRODUCTS:
        for condition in LABEL_CONDITIONS:
            label_model.objects.get_or_create(
                product=product, effective_from=condition["effective_from"], defaults=condition
            )


def _same_interval(rule, spec: dict) -> bool:
    names = ("kind", "cadence", "schedule_type", "every_hours", "first_hour", "from_day", "to_day")
    return all(getattr(rule, name) == spec[name] for name in names if name in spec)


def upgrade(protocol_model, rule_model) -> None:
    """Bring an installed default protocol from its first release up to ``DEFAULT_RULES``, in
    place (migration 0007). Only rules that still hold what was shipped change; a site's own
    edits stay as they are (a site that rewrote its long-term rule keeps it). Idempotent."""
    protocol = protocol_model.objects.filter(name=DEFAULT_PROTOCOL["name"], version=DEFAULT_PROTOCOL["version"]).first()
    if protocol is None:
        return
    rules = list(rule_model.objects.filter(protocol=protocol))
    # Years 6 to 15: the first release's rule, as shipped, becomes the 15-year track's, and the
    # standard track's two rules join it (docs/clinical-rules.md §11.1).
    for rule in rules:
        if (rule.kind, rule.label, rule.registry_track, rule.milestones) == (
            "ltfu_contact",
            FIRST_RELEASE_LTFU_LABEL,
            "",
            YEARLY_6_TO_15,
        ):
            rule.label, rule.registry_track = LTFU_15_YEAR_TRACK["label"], FIFTEEN_YEAR_TRACK
            rule.save(update_fields=["label", "registry_track"])
    shipped_ltfu = any(r.kind == "ltfu_contact" and r.label == LTFU_15_YEAR_TRACK["label"] for r in rules)
    added = [BASELINE_IGG, *(LTFU_STANDARD_TRACK if shipped_ltfu else [])]
    for spec in added:
        spec = {"counted_from": "infusion", "registry_track": ""} | spec
        identity = ("kind", "label", "counted_from", "registry_track")
        if not any(all(getattr(rule, name) == spec[name] for name in identity) for rule in rules):
            rule_model.objects.create(protocol=protocol, **spec)
    # The acute rules that end at day 13 follow the label's monitoring period from now on.
    for spec in DEFAULT_RULES:
        if spec.get("extends_to_label_monitoring"):
            for rule in rules:
                if _same_interval(rule, spec) and not rule.extends_to_label_monitoring:
                    rule.extends_to_label_monitoring = True
                    rule.save(update_fields=["extends_to_label_monitoring"])


def install_default_protocol() -> None:
    from tracker.models import MonitoringProtocol, ProductLabelCondition, ProtocolRule

    install(MonitoringProtocol, ProtocolRule, ProductLabelCondition)
