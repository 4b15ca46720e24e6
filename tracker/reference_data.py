"""Reference data kept in code and synced after every migrate (like the roles), so it is
present in every database, including test databases that are flushed between tests."""

from tracker.models import TargetAntigen

# The antigens CAR-T products target (REFERENCE §1.4, §8.2).
ANTIGENS = [
    ("CD19", "CD19 (axi-cel, tisa-cel, liso-cel, brexu-cel, obe-cel)"),
    ("CD20", "CD20"),
    ("CD22", "CD22"),
    ("BCMA", "B-cell maturation antigen (ide-cel, cilta-cel)"),
    ("GPRC5D", "G protein-coupled receptor class C group 5 member D"),
    ("CD30", "CD30"),
    ("CD7", "CD7"),
    ("CD5", "CD5"),
    ("CD38", "CD38"),
    ("SLAMF7", "SLAMF7 (CS1)"),
]


def sync_reference_data() -> None:
    for code, name in ANTIGENS:
        TargetAntigen.objects.update_or_create(code=code, defaults={"name": name})
