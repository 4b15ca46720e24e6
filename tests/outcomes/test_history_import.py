"""Importing a programme's history: validated whole, refused whole with line and column,
idempotent, marked as imported (no bedside rows, no schedule), and read by the outcomes."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tracker.models import CheckIn, ImportedHistory, Patient, TreatmentCourse
from tracker.outcomes.history_import import COLUMNS, import_history

HEADER = ",".join(COLUMNS)
GOOD = [
    "H001,Ann,One,2012-03-04,female,b_all,tisa_cel,CD19,2023-01-02,2023-02-01,45,300,2000000,2,1,yes,no,CR,CR,,"
    "2023-05-01,,,2024-06-01",
    "H002,Bob,Two,2010-05-06,male,b_all,tisa_cel,CD19,2023-02-02,2023-03-01,80,500,1500000,3,0,yes,yes,CR,CR,"
    "2023-09-01,,2024-01-15,disease progression,",
    "H003,Cy,Three,2015-07-08,male,b_all,tisa_cel,CD19,2023-03-02,2023-04-01,10,250,2500000,0,0,no,no,NR,NR,,,"
    "2023-08-01,relapse,",
]


def csv_text(*rows: str) -> str:
    return "\n".join([HEADER, *rows]) + "\n"


def write(tmp_path, text: str):
    path = tmp_path / "history.csv"
    path.write_text(text, encoding="utf-8")
    return path


def outcomes() -> dict:
    out = StringIO()
    call_command("outcomes", "--format", "json", stdout=out)
    return json.loads(out.getvalue())


def test_an_imported_history_is_read_by_the_outcomes(db, tmp_path):
    call_command("import_history", str(write(tmp_path, csv_text(*GOOD))), stdout=StringIO())
    result = outcomes()
    assert result["denominators"] == {"apheresed": 3, "infused": 3, "evaluable_day28": 3}
    assert (result["best_overall_response"]["n"], result["best_overall_response"]["of"]) == (2, 3)
    assert result["crs"]["by_max_grade"] == {"0": 1, "1": 0, "2": 1, "3": 1, "4": 0}
    assert result["icans"]["by_max_grade"] == {"0": 2, "1": 1, "2": 0, "3": 0, "4": 0}
    # EFS: H003 fails at day 0 (1/3 → 2/3); H002 relapses at day 184 with 2 at risk → 1/3.
    assert result["efs"]["at_6_months"]["estimate"] == pytest.approx(2 / 3)
    assert result["efs"]["at_12_months"]["estimate"] == pytest.approx(1 / 3)
    course = TreatmentCourse.objects.get(patient__mrn="H002")
    assert course.stage == "died" and course.imported_history.tocilizumab
    assert CheckIn.objects.count() == 0
    assert not course.infusions.exists() and not course.vital_signs.exists()


def test_importing_the_same_file_twice_changes_nothing(db, tmp_path):
    path = write(tmp_path, csv_text(*GOOD))
    call_command("import_history", str(path), stdout=StringIO())
    first = (Patient.objects.count(), TreatmentCourse.objects.count(), ImportedHistory.objects.count())
    out = StringIO()
    call_command("import_history", str(path), stdout=out)
    assert (Patient.objects.count(), TreatmentCourse.objects.count(), ImportedHistory.objects.count()) == first
    assert "imported 0 course(s); 3 already imported and unchanged" in out.getvalue()


def test_a_dry_run_writes_nothing(db, tmp_path):
    out = StringIO()
    call_command("import_history", str(write(tmp_path, csv_text(*GOOD))), "--dry-run", stdout=out)
    assert "would import 3 course(s)" in out.getvalue()
    assert TreatmentCourse.objects.count() == 0


BAD_CELLS = [
    # Each row: the column changed, its bad value, and words of the expected message.
    ("birth_date", "04/03/2012", "is not an ISO date"),
    ("sex", "f", "is not one of"),
    ("diagnosis", "ALL", "is not one of"),
    ("product", "kymriah", "is not one of"),
    ("target_antigens", "CD99", "is not one of"),
    ("baseline_marrow_blasts_percent", "120", "outside 0 to 100"),
    ("cell_dose_per_kg", "two million", "is not a number"),
    ("crs_max_grade", "5", "outside 0 to 4"),
    ("tocilizumab", "maybe", "must be yes or no"),
    ("best_response", "CMR", "is not a b_all response category"),
    ("relapse_date", "2023-02-15", "cannot precede infusion_date"),
    ("infusion_date", "", "is required"),
]


@pytest.mark.parametrize(("column", "value", "words"), BAD_CELLS, ids=[row[0] for row in BAD_CELLS])
def test_a_bad_value_refuses_the_whole_file_naming_line_and_column(db, tmp_path, column, value, words):
    cells = GOOD[1].split(",")
    cells[COLUMNS.index(column)] = value
    path = write(tmp_path, csv_text(GOOD[0], ",".join(cells), GOOD[2]))
    err = StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_history", str(path), stdout=StringIO(), stderr=err)
    assert f"line 3, column {column}" in err.getvalue()
    assert words in err.getvalue()
    assert TreatmentCourse.objects.count() == 0


def test_every_error_of_a_file_is_listed(db, coordinator, centre):
    first = GOOD[0].replace("female", "f")
    third = GOOD[2].replace(",0,0,no,no,", ",9,0,no,no,")
    result = import_history(text=csv_text(first, GOOD[1], third), by=coordinator, centre=centre)
    assert [(e.line, e.column) for e in result.errors] == [(2, "sex"), (4, "crs_max_grade")]


def test_a_missing_column_is_an_error_of_line_1(db, coordinator, centre):
    text = csv_text(*GOOD).replace(",last_contact_date", "", 1)
    result = import_history(text=text, by=coordinator, centre=centre)
    assert (result.errors[0].line, result.errors[0].column) == (1, "last_contact_date")


def test_a_changed_row_of_an_imported_course_is_refused(db, coordinator, centre):
    import_history(text=csv_text(*GOOD), by=coordinator, centre=centre)
    changed = GOOD[0].replace(",2,1,yes,no,", ",3,1,yes,no,")
    result = import_history(text=csv_text(changed), by=coordinator, centre=centre)
    assert "imported before" in result.errors[0].message
    assert ImportedHistory.objects.get(course__patient__mrn="H001").crs_max_grade == 2


def test_a_nurse_may_not_import(db, nurse, centre):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        import_history(text=csv_text(*GOOD), by=nurse, centre=centre)


def test_the_import_page_previews_then_imports(client, coordinator):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    client.force_login(coordinator)
    page = reverse("import_history")
    upload = SimpleUploadedFile("history.csv", csv_text(*GOOD).encode(), content_type="text/csv")
    preview = client.post(page, {"file": upload})
    assert "Preview: 3 course(s) to import" in preview.content.decode()
    assert TreatmentCourse.objects.count() == 0
    client.post(page, {"text": csv_text(*GOOD)})
    assert ImportedHistory.objects.count() == 3


def test_the_import_page_shows_every_error_and_imports_nothing(client, coordinator):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    client.force_login(coordinator)
    bad = SimpleUploadedFile("h.csv", csv_text(GOOD[0].replace("female", "f")).encode(), content_type="text/csv")
    html = client.post(reverse("import_history"), {"file": bad}).content.decode()
    assert "Nothing was imported" in html and "<td>sex</td>" in html
    assert TreatmentCourse.objects.count() == 0


def test_only_coordinators_reach_the_import_page(client, physician):
    from django.urls import reverse

    client.force_login(physician)
    assert client.get(reverse("import_history")).status_code == 403


def test_an_investigational_product_and_lower_case_categories_are_imported(db, coordinator, centre):
    row = GOOD[0].replace("tisa_cel,CD19", "investigational,CD19;CD22").replace(",CR,CR,", ",cr,cri,")
    result = import_history(text=csv_text(row), by=coordinator, centre=centre)
    assert result.errors == []
    record = ImportedHistory.objects.get()
    assert (record.day28_response, record.best_response) == ("CR", "CRi")
    assert record.course.antigen_construct == "bicistronic"
