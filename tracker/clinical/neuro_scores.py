"""The ICE and CAPD items and their scores (docs/clinical-rules.md §4.1, §4.3). Pure rules,
standard library only; the ICANS grade from the score is in ``grading``."""

# --- ICE (Immune Effector Cell-associated Encephalopathy) score, 10 points -------------------
# ASTCT 2019 (Lee et al., BBMT 25:625) ICE table (docs/clinical-rules.md §4.1): orientation to year, month,
# city and hospital (4), naming three objects (3), following commands (1), writing a standard
# sentence (1), counting backwards from 100 by 10 (1).
ICE_ITEMS: list[tuple[str, str]] = [
    ("ice_year", "Orientation: states the year"),
    ("ice_month", "Orientation: states the month"),
    ("ice_city", "Orientation: states the city"),
    ("ice_hospital", "Orientation: states the hospital"),
    ("ice_object_1", "Naming: first object (e.g. clock)"),
    ("ice_object_2", "Naming: second object (e.g. pen)"),
    ("ice_object_3", "Naming: third object (e.g. button)"),
    ("ice_commands", "Follows simple commands"),
    ("ice_writing", "Writes a standard sentence"),
    ("ice_attention", "Counts backwards from 100 by 10"),
]
ICE_ITEM_NAMES = [name for name, _ in ICE_ITEMS]


def ice_score(items: dict[str, bool]) -> int:
    """One point per item performed correctly; 10 = no impairment."""
    missing = [name for name in ICE_ITEM_NAMES if items.get(name) is None]
    if missing:
        raise ValueError(f"ICE needs all ten items; missing: {', '.join(missing)}")
    return sum(1 for name in ICE_ITEM_NAMES if items[name])


# --- CAPD (Cornell Assessment of Pediatric Delirium), 8 items scored 0–4 -------------------
# docs/clinical-rules.md §4.3 (Traube et al., Crit Care Med 2014 [S37]): under 12 years CAPD
# replaces ICE; total 0–32, ≥ 9 suggests delirium. Each item is entered as scored on the CAPD
# sheet (the first four are reverse-scored there: "always" makes eye contact scores 0).
CAPD_ITEMS: list[tuple[str, str]] = [
    ("capd_eye_contact", "Makes eye contact with caregiver"),
    ("capd_purposeful", "Actions are purposeful"),
    ("capd_aware", "Aware of surroundings"),
    ("capd_communicates", "Communicates needs and wants"),
    ("capd_restless", "Restless"),
    ("capd_inconsolable", "Inconsolable"),
    ("capd_underactive", "Underactive: very little movement while awake"),
    ("capd_slow_response", "Takes a long time to respond to interactions"),
]
CAPD_ITEM_NAMES = [name for name, _ in CAPD_ITEMS]


def capd_score(items: dict[str, int]) -> int:
    missing = [name for name in CAPD_ITEM_NAMES if items.get(name) is None]
    if missing:
        raise ValueError(f"CAPD needs all eight items; missing: {', '.join(missing)}")
    bad = [name for name in CAPD_ITEM_NAMES if not 0 <= items[name] <= 4]
    if bad:
        raise ValueError(f"CAPD items are scored 0–4: {', '.join(bad)}")
    return sum(items[name] for name in CAPD_ITEM_NAMES)
