"""The CAR-T products the tracker knows, as data (docs/clinical-rules.md §2.5, §2.7, §6.6).

Pure module: no Django. Label-driven durations (monitoring, staying near the centre, no
driving) live in the database as versioned protocol data, not here, because labels change.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class ProductInfo:
    code: str
    label: str
    manufacturer: str
    antigens: tuple[str, ...]
    # What the manufacturer prints on the bag as its identifier, as CIBMTR asks for it (§2.5).
    bag_identifier_kind: str
    # Lymphodepletion: days before infusion on which LD must end, (earliest, latest) as
    # "infuse N days after LD ends" (docs/clinical-rules.md §2.7). None where the product gives no window.
    infuse_days_after_ld_end: tuple[int, int] | None
    usual_ld_regimen: str
    # Genetically modified (a CAR gene carried in by a viral vector): CIBMTR follows these on the
    # 15-year track (docs/clinical-rules.md §11.1). None: not known (an investigational product).
    genetically_modified: bool | None = True


PRODUCTS: dict[str, ProductInfo] = {
    p.code: p
    for p in [
        ProductInfo(
            "axi_cel",
            "Axicabtagene ciloleucel (Yescarta)",
            "Kite",
            ("CD19",),
            "lot number",
            # Flu/Cy on days −5, −4, −3 (ZUMA-1, [S14]): LD ends 3 days before infusion.
            (3, 3),
            "Fludarabine 30 mg/m² + cyclophosphamide 500 mg/m² daily × 3 (days −5 to −3)",
        ),
        ProductInfo(
            "tisa_cel",
            "Tisagenlecleucel (Kymriah)",
            "Novartis",
            ("CD19",),
            "product code and batch",
            # Infuse 2–14 days after LD ends (B-ALL; LBCL 2–11) [S13].
            (2, 14),
            "Fludarabine + cyclophosphamide (B-ALL: Flu 30 × 4, Cy 500 × 2; LBCL: Flu 25 + Cy 250 × 3)",
        ),
        ProductInfo(
            "liso_cel",
            "Lisocabtagene maraleucel (Breyanzi)",
            "Bristol Myers Squibb",
            ("CD19",),
            "JOIN ID and CD4/CD8 lot numbers",
            None,
            "Fludarabine 30 mg/m² + cyclophosphamide 300 mg/m² daily × 3",
        ),
        ProductInfo(
            "brexu_cel",
            "Brexucabtagene autoleucel (Tecartus)",
            "Kite",
            ("CD19",),
            "lot number",
            (3, 3),
            "Fludarabine 30 mg/m² + cyclophosphamide 500 mg/m² daily × 3 (days −5 to −3)",
        ),
        ProductInfo(
            "ide_cel",
            "Idecabtagene vicleucel (Abecma)",
            "Bristol Myers Squibb",
            ("BCMA",),
            "JOIN ID and lot number",
            None,
            "Fludarabine 30 mg/m² + cyclophosphamide 300 mg/m² daily × 3",
        ),
        ProductInfo(
            "cilta_cel",
            "Ciltacabtagene autoleucel (Carvykti)",
            "Janssen / Legend",
            ("BCMA",),
            "batch number",
            # Infused 5–7 days after LD *start* [S38]; with 3 days of LD that is 2–4 after the end.
            (2, 4),
            "Fludarabine 30 mg/m² + cyclophosphamide 300 mg/m² daily × 3",
        ),
        ProductInfo(
            "obe_cel",
            "Obecabtagene autoleucel (Aucatzyl)",
            "Autolus",
            ("CD19",),
            "chain-of-identity (CoI) ID",
            None,
            "Fludarabine + cyclophosphamide",
        ),
        ProductInfo(
            "investigational",
            "Investigational product",
            "",
            (),
            "as given by the sponsor",
            None,
            "As per protocol",
            genetically_modified=None,
        ),
    ]
}

PRODUCT_CHOICES = [(p.code, p.label) for p in PRODUCTS.values()]


# --- CIBMTR reporting tracks (docs/clinical-rules.md §11.1, [S22]) -------------------------------
# The Post-CTED follow-up form F4100 is due at day +100, month 6 and then yearly. Genetically
# modified products are followed on the 15-year track (yearly F4100 to year 15); other products
# on the standard track (yearly to year 6, then years 8, 10, 12 and 14).

FIFTEEN_YEAR_TRACK = "15_year"
STANDARD_TRACK = "standard"
F4100_YEARS = {
    FIFTEEN_YEAR_TRACK: tuple(range(1, 16)),
    STANDARD_TRACK: (1, 2, 3, 4, 5, 6, 8, 10, 12, 14),
}


def cibmtr_track(product: str) -> str:
    """The CIBMTR reporting track of a course of ``product``: the 15-year track unless the product
    is known not to be genetically modified. An investigational product whose modification is not
    recorded is planned on the 15-year track, the one that asks for more forms."""
    return STANDARD_TRACK if PRODUCTS[product].genetically_modified is False else FIFTEEN_YEAR_TRACK


# The antigens CAR-T products target (docs/clinical-rules.md §2.5). Reference data: synced into
# the TargetAntigen table after every migrate (tracker.journey.services.sync_target_antigens).
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
