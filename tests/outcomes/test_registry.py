"""Registry export: per course, the CIBMTR 4000/4006/4100 and EBMT day-100 fields, each column
naming its form and field."""

import csv
import io
from datetime import date

from django.core.management import call_command

from tracker.models import TreatmentCourse
from tracker.outcomes.registry import COLUMNS, registry_rows


def test_registry_export_names_the_form_and_field_of_every_column(cohort):
    out = io.StringIO()
    call_command("registry_export", stdout=out)
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    names, forms, fields = rows[:3]
    assert names == [name for name, _, _ in COLUMNS]
    assert {"CIBMTR 4000", "CIBMTR 4006", "CIBMTR 4100", "EBMT day 100"} <= set(forms)
    assert fields[names.index("crs_date")] == "Date of CRS diagnosis"
    assert len(rows) == 3 + 5


def test_registry_rows_carry_toxicity_response_relapse_and_survival(cohort, django_assert_max_num_queries):
    with django_assert_max_num_queries(15):
        rows = {row["mrn"]: row for row in registry_rows(TreatmentCourse.objects.all(), today=date(2027, 6, 1))}
    a, b, c = rows["MRN-A"], rows["MRN-B"], rows["MRN-C"]
    assert (a["crs"], a["crs_date"], a["crs_max_grade"], a["crs_tocilizumab"]) == ("yes", "2026-03-11", "1", "no")
    assert (a["best_response"], a["survival_status"], a["last_contact_date"]) == ("CR", "alive", "2027-04-14")
    assert (b["relapse"], b["relapse_date"], b["death_date"], b["death_cause"]) == (
        "yes",
        "2026-09-26",
        "2027-01-04",
        "Disease (relapse or progression)",
    )
    assert (b["day100_relapse"], b["day100_survival_status"]) == ("no", "alive")
    assert (c["best_response"], c["day100_complete_remission"], c["day100_survival_status"]) == ("NR", "no", "dead")
    assert rows["MRN-E"]["infusion_date"] == ""
