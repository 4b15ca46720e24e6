"""Import of a programme's history from a spreadsheet (issue 12 item 6; docs/clinical-rules.md §10.8).

One CSV row per infused course, with exactly the columns of `COLUMNS`. Every value is checked
(type, range, the tracker's own codes, the response categories of the disease, the order of the
dates through `tracker.outcomes.definitions.CourseFacts`); a file with any error is refused
whole, each error as line, column and message, and nothing is written. A valid file creates,
in one transaction and through the journey services (permission, audit), the patients it
names (matched by MRN within the centre), one course per row marked as imported history
(`ImportedHistory`: no bedside rows, no infusion record, so no schedule is ever planned), and
moves each course to the stage its history ends in. Importing the same file again changes
nothing: a course already imported from a row with the same values is left as it is; one with
different values is refused (correct it in the tracker, where corrections keep a reason).
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tracker.clinical import response
from tracker.clinical.findings import FindingError
from tracker.clinical.products import PRODUCTS
from tracker.clinical.stages import Stage
from tracker.core.audit import create_audited, save_audited
from tracker.core.clock import start_of_local_day
from tracker.core.errors import Refusal
from tracker.core.guards import require_perm
from tracker.journey import services as journey
from tracker.models import ImportedHistory, Patient, StageEvent, TargetAntigen, TreatmentCourse
from tracker.outcomes.definitions import CourseFacts

COLUMNS = (
    "mrn",
    "given_name",
    "family_name",
    "birth_date",
    "sex",
    "diagnosis",
    "product",
    "target_antigens",
    "leukapheresis_date",
    "infusion_date",
    "baseline_marrow_blasts_percent",
    "baseline_ldh_u_l",
    "cell_dose_per_kg",
    "crs_max_grade",
    "icans_max_grade",
    "tocilizumab",
    "steroids",
    "day28_response",
    "best_response",
    "relapse_date",
    "transplant_date",
    "death_date",
    "death_cause",
    "last_contact_date",
)
# CourseFacts' fields and the columns they come from, so a cross-field error names the column.
FACT_COLUMNS = {
    "apheresed_on": "leukapheresis_date",
    "infused_on": "infusion_date",
    "day28_category": "day28_response",
    "best_category": "best_response",
    "relapse_on": "relapse_date",
    "death_on": "death_date",
    "transplant_on": "transplant_date",
    "last_contact_on": "last_contact_date",
    "crs_max_grade": "crs_max_grade",
    "icans_max_grade": "icans_max_grade",
    "cell_dose_per_kg": "cell_dose_per_kg",
    "baseline_marrow_blasts_percent": "baseline_marrow_blasts_percent",
    "death_cause": "death_cause",
}
YES_NO = {"yes": True, "no": False, "": False}
MAX_LDH_U_L = 20000  # TreatmentCourse.baseline_ldh_u_l's limit
# A day +365 course is in long-term follow-up (docs/clinical-rules.md §1.1, stages).
LONG_TERM_FROM_DAY = 365


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column}: {self.message}"

    def as_dict(self) -> dict[str, object]:
        return {"line": self.line, "column": self.column, "message": self.message}


@dataclass
class HistoryRow:
    """One valid row: the patient, the course and its imported history."""

    line: int
    patient: dict
    course: dict
    history: dict
    antigens: list[str]
    status: str = ""  # "new patient", "new course", "unchanged" once compared with the database


@dataclass
class ImportResult:
    rows: list[HistoryRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False

    @property
    def created(self) -> int:
        return sum(row.status != "unchanged" for row in self.rows)

    @property
    def unchanged(self) -> int:
        return sum(row.status == "unchanged" for row in self.rows)


class _Row:
    """Reads one CSV row's cells, collecting an error per bad cell."""

    def __init__(self, line: int, cells: dict[str, str], errors: list[RowError]):
        self.line, self.cells, self.errors = line, cells, errors

    def error(self, column: str, message: str) -> None:
        self.errors.append(RowError(self.line, column, message))

    def text(self, column: str, *, required: bool = False, max_length: int = 200) -> str:
        value = (self.cells.get(column) or "").strip()
        if required and not value:
            self.error(column, "is required.")
        elif len(value) > max_length:
            self.error(column, f"is longer than {max_length} characters.")
        return value

    def choice(self, column: str, allowed) -> str:
        value = self.text(column, required=True)
        if value and value not in allowed:
            self.error(column, f"{value!r} is not one of {', '.join(allowed)}.")
            return ""
        return value

    def date(self, column: str, *, required: bool = False, today: date) -> date | None:
        value = self.text(column, required=required)
        if not value:
            return None
        try:
            parsed = date.fromisoformat(value)
        except ValueError:
            self.error(column, f"{value!r} is not an ISO date (YYYY-MM-DD).")
            return None
        if len(value) != 10:
            self.error(column, f"{value!r} is not an ISO date (YYYY-MM-DD).")
            return None
        if parsed > today:
            self.error(column, f"{value} is in the future.")
            return None
        return parsed

    def number(self, column: str, low: Decimal, high: Decimal, *, whole: bool = False, places: int = 1):
        value = self.text(column)
        if not value:
            return None
        try:
            number = Decimal(value)
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            self.error(column, f"{value!r} is not a number.")
            return None
        if whole and number != number.to_integral_value():
            self.error(column, f"{value} is not a whole number.")
            return None
        if not low <= number <= high:
            self.error(column, f"{value} is outside {low:g} to {high:g}.")
            return None
        if not whole and number != round(number, places):
            self.error(column, f"{value} has more than {places} decimal place(s).")
            return None
        return int(number) if whole else number

    def flag(self, column: str) -> bool:
        value = self.text(column).lower()
        if value not in YES_NO:
            self.error(column, f"{value!r} must be yes or no.")
            return False
        return YES_NO[value]


def parse(text: str, *, today: date) -> ImportResult:
    """The file's rows, validated, or every error found (nothing touches the database but the
    reference lists of antigens)."""
    result = ImportResult()
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [name.strip() for name in (reader.fieldnames or [])]
    missing = [c for c in COLUMNS if c not in header]
    unknown = [c for c in header if c not in COLUMNS]
    if missing or unknown:
        if missing:
            result.errors.append(RowError(1, ", ".join(missing), "missing column(s)."))
        if unknown:
            result.errors.append(
                RowError(1, ", ".join(unknown), f"unknown column(s); the columns are {', '.join(COLUMNS)}.")
            )
        return result
    reader.fieldnames = header
    known_antigens = set(TargetAntigen.objects.values_list("code", flat=True))
    seen: dict[tuple[str, date], int] = {}
    for cells in reader:
        line = reader.line_num
        if None in cells:
            result.errors.append(RowError(line, "", f"has more cells than the {len(COLUMNS)} columns."))
            continue
        if not any((value or "").strip() for value in cells.values()):
            continue  # a blank line
        row = _Row(line, cells, result.errors)
        before = len(result.errors)
        parsed = _parse_row(row, today=today, known_antigens=known_antigens)
        if parsed is None or len(result.errors) > before:
            continue
        key = (parsed.patient["mrn"], parsed.history["infused_on"])
        if key in seen:
            row.error("infusion_date", f"the same MRN and infusion date are on line {seen[key]}.")
            continue
        seen[key] = line
        result.rows.append(parsed)
    if not result.rows and not result.errors:
        result.errors.append(RowError(1, "", "the file has no rows."))
    return result


def _parse_row(row: _Row, *, today: date, known_antigens: set[str]) -> HistoryRow | None:
    mrn = row.text("mrn", required=True, max_length=32)
    given = row.text("given_name", required=True, max_length=100)
    family = row.text("family_name", required=True, max_length=100)
    born_on = row.date("birth_date", required=True, today=today)
    sex = row.choice("sex", Patient.Sex.values)
    diagnosis = row.choice("diagnosis", TreatmentCourse.Diagnosis.values)
    product = row.choice("product", list(PRODUCTS))
    antigens = [name.strip() for name in row.text("target_antigens", required=True).split(";") if name.strip()]
    for name in antigens:
        if name not in known_antigens:
            row.error("target_antigens", f"{name!r} is not one of {', '.join(sorted(known_antigens))}.")
    if len(set(antigens)) != len(antigens):
        row.error("target_antigens", "names an antigen twice.")
    apheresed_on = row.date("leukapheresis_date", today=today)
    infused_on = row.date("infusion_date", required=True, today=today)
    blasts = row.number("baseline_marrow_blasts_percent", Decimal(0), Decimal(100))
    ldh = row.number("baseline_ldh_u_l", Decimal(0), Decimal(MAX_LDH_U_L), whole=True)
    dose = row.number("cell_dose_per_kg", Decimal(1), Decimal(10) ** 12)
    crs = row.number("crs_max_grade", Decimal(0), Decimal(4), whole=True)
    icans = row.number("icans_max_grade", Decimal(0), Decimal(4), whole=True)
    tocilizumab, steroids = row.flag("tocilizumab"), row.flag("steroids")
    day28 = row.text("day28_response", max_length=10)
    best = row.text("best_response", max_length=10)
    dates = {
        name: row.date(column, today=today)
        for name, column in (
            ("relapse_on", "relapse_date"),
            ("transplant_on", "transplant_date"),
            ("death_on", "death_date"),
            ("last_contact_on", "last_contact_date"),
        )
    }
    death_cause = row.text("death_cause")
    if row.errors and row.errors[-1].line == row.line:
        return None
    if born_on and infused_on and born_on > infused_on:
        row.error("birth_date", f"{born_on} is after the infusion date {infused_on}.")
        return None
    if death_cause and not dates["death_on"]:
        row.error("death_cause", "is given without a death_date.")
        return None
    disease = response.disease_for_diagnosis(diagnosis)
    categories = {}
    for column, value in (("day28_response", day28), ("best_response", best)):
        if value and disease is None:
            row.error(column, f"{diagnosis} has no response rule here, so no response category can be given.")
            return None
        # The category as the calculator spells it; "cri" and "CRI" are CRi (case only, nothing else).
        spelled = {c.value.lower(): c.value for c in response.CATEGORIES[disease]} if disease else {}
        if value and value.lower() not in spelled:
            allowed = ", ".join(c.value for c in response.CATEGORIES[disease])
            row.error(column, f"{value!r} is not a {disease} response category ({allowed}).")
            return None
        categories[column] = spelled.get(value.lower(), "")
    day28, best = categories["day28_response"], categories["best_response"]
    try:
        CourseFacts(
            course_id=row.line,
            diagnosis_group=disease,
            apheresed_on=apheresed_on,
            infused_on=infused_on,
            day28_category=day28 or None,
            best_category=best or None,
            death_cause=death_cause,
            crs_max_grade=crs,
            icans_max_grade=icans,
            tocilizumab=tocilizumab,
            steroids=steroids,
            cell_dose_per_kg=float(dose) if dose is not None else None,
            baseline_marrow_blasts_percent=float(blasts) if blasts is not None else None,
            target_antigens=tuple(antigens),
            **dates,
        )
    except FindingError as error:
        row.error(FACT_COLUMNS.get(error.field or "", error.field or ""), _column_words(str(error)))
        return None
    return HistoryRow(
        line=row.line,
        patient={"mrn": mrn, "given_name": given, "family_name": family, "born_on": born_on, "sex": sex},
        course={
            "diagnosis": diagnosis,
            "product": product,
            "baseline_marrow_blasts_pct": blasts,
            "baseline_ldh_u_l": ldh,
        },
        history={
            "leukapheresis_on": apheresed_on,
            "infused_on": infused_on,
            "cell_dose_per_kg": dose,
            "crs_max_grade": crs,
            "icans_max_grade": icans,
            "tocilizumab": tocilizumab,
            "steroids": steroids,
            "day28_response": day28,
            "best_response": best,
            "death_cause": death_cause,
            **dates,
        },
        antigens=sorted(antigens),
    )


def _column_words(message: str) -> str:
    for fact, column in FACT_COLUMNS.items():
        message = message.replace(fact, column)
    return message


def _same(record: ImportedHistory, row: HistoryRow) -> bool:
    course = record.course
    values = {name: getattr(record, name) for name in row.history}
    course_values = {name: getattr(course, name) for name in row.course}
    antigens = sorted(a.code for a in course.target_antigens.all())
    return values == row.history and course_values == row.course and antigens == row.antigens


def _compare_with_database(result: ImportResult, centre) -> dict[str, Patient]:
    """Mark each row new or unchanged; an error for a clash with what is recorded."""
    mrns = {row.patient["mrn"] for row in result.rows}
    patients = {p.mrn: p for p in Patient.objects.filter(centre=centre, mrn__in=mrns)}
    imported = {
        (record.course.patient_id, record.infused_on): record
        for record in ImportedHistory.objects.filter(course__patient__in=patients.values())
        .select_related("course")
        .prefetch_related("course__target_antigens")
    }
    for row in result.rows:
        patient = patients.get(row.patient["mrn"])
        if patient is None:
            row.status = "new patient"
            continue
        for name in ("given_name", "family_name", "born_on", "sex"):
            if getattr(patient, name) != row.patient[name]:
                column = "birth_date" if name == "born_on" else name
                result.errors.append(
                    RowError(
                        row.line, column, f"MRN {patient.mrn} is recorded with another {column.replace('_', ' ')}."
                    )
                )
                break
        record = imported.get((patient.pk, row.history["infused_on"]))
        if record is None:
            tracked = patient.courses.filter(infusions__isnull=False).with_journey_dates()
            if any(course.day_zero == row.history["infused_on"] for course in tracked):
                result.errors.append(
                    RowError(row.line, "infusion_date", "this infusion is already recorded in the tracker.")
                )
            row.status = "new course"
        elif _same(record, row):
            row.status = "unchanged"
        else:
            result.errors.append(
                RowError(
                    row.line,
                    "",
                    f"this course was imported before (line {record.source_line}) with other values; "
                    "correct it in the tracker, where a correction keeps its reason.",
                )
            )
    return patients


def _final_stage(row: HistoryRow, today: date) -> Stage:
    if row.history["death_on"]:
        return Stage.DIED
    if (today - row.history["infused_on"]).days >= LONG_TERM_FROM_DAY:
        return Stage.LONG_TERM_FOLLOW_UP
    return Stage.FOLLOW_UP


def import_history(*, text: str, by, centre, dry_run: bool = False) -> ImportResult:
    """Validate the whole file, then (unless `dry_run` or any error) import it in one transaction.

    Raises nothing for a bad file: the result's `errors` list every problem and nothing was written.
    """
    require_perm(by, "tracker.add_treatmentcourse", "import a programme's history")
    today = timezone.localdate()
    result = parse(text, today=today)
    result.dry_run = dry_run
    if result.errors:
        return result
    digest = hashlib.sha256(text.encode()).hexdigest()
    with transaction.atomic():
        patients = _compare_with_database(result, centre)
        if result.errors or dry_run:
            transaction.set_rollback(True)
            return result
        for row in result.rows:
            if row.status == "unchanged":
                continue
            try:
                with transaction.atomic():
                    patient = patients.get(row.patient["mrn"])
                    if patient is None:
                        patient = journey.register_patient(by=by, centre=centre, **row.patient)
                        patients[patient.mrn] = patient
                    _create_course(row, patient=patient, by=by, digest=digest, today=today)
            except ValidationError as error:
                # A rule of the services the checks above did not foresee: name it, write nothing.
                for name, messages in _problems(error):
                    result.errors.append(RowError(row.line, name, " ".join(messages)))
        if result.errors:
            transaction.set_rollback(True)
    return result


def _problems(error: ValidationError) -> list[tuple[str, list[str]]]:
    if hasattr(error, "error_dict"):
        return [
            (name, [str(m) for m in ValidationError(messages).messages]) for name, messages in error.error_dict.items()
        ]
    return [("", list(error.messages))]


def _create_course(row: HistoryRow, *, patient: Patient, by, digest: str, today: date) -> TreatmentCourse:
    history = row.history
    course = journey.open_course(
        patient=patient,
        by=by,
        diagnosis=row.course["diagnosis"],
        product=row.course["product"],
        target_antigens=row.antigens,
        antigen_construct=(
            TreatmentCourse.AntigenConstruct.SINGLE
            if len(row.antigens) == 1
            else TreatmentCourse.AntigenConstruct.BICISTRONIC
        ),
        referred_on=history["leukapheresis_on"] or history["infused_on"],
        treating_physician=by,
        coordinator=by,
        baseline_marrow_blasts_pct=row.course["baseline_marrow_blasts_pct"],
        baseline_ldh_u_l=row.course["baseline_ldh_u_l"],
        baseline_notes=f"Imported history (line {row.line}).",
        investigational_product_name=(
            "Investigational (not named in the imported history)" if row.course["product"] == "investigational" else ""
        ),
    )
    create_audited(
        ImportedHistory,
        by=by,
        reason="imported history",
        course=course,
        source_sha256=digest,
        source_line=row.line,
        imported_by=by,
        **history,
    )
    stage = _final_stage(row, today)
    moved_on = history["death_on"] or history["last_contact_on"] or history["infused_on"]
    course.stage = stage
    course.stage_entered_at = start_of_local_day(moved_on)
    save_audited(course, by=by, reason=f"imported history: {stage.label.lower()}")
    StageEvent.objects.create(
        course=course,
        from_stage=Stage.REFERRAL,
        to_stage=stage,
        occurred_at=start_of_local_day(moved_on),
        by=by,
        note=f"Imported history (line {row.line})",
    )
    if history["death_on"] and patient.died_on != history["death_on"]:
        patient.died_on = history["death_on"]
        save_audited(patient, by=by, reason="imported history: death")
    return course


def refusal_of(result: ImportResult) -> Refusal:
    """The errors as one Refusal (for the API or a form)."""
    return Refusal([str(error) for error in result.errors])


def bulk_import_rows(*, rows: list[HistoryRow], by, centre, digest: str, note: str, batch_size: int = 2000) -> int:
    """Write valid rows of new patients in bulk (the synthetic cohort generator, 10,000 patients
    in minutes): the same rows `parse` derives and the same records `import_history` creates
    (patient, course with its antigens, ImportedHistory, the stage event), with their history
    rows, in one transaction. Patients must be new (no MRN already in the centre)."""
    from simple_history.utils import bulk_create_with_history

    require_perm(by, "tracker.add_treatmentcourse", "import a programme's history")
    today = timezone.localdate()
    antigens = {a.code: a for a in TargetAntigen.objects.all()}
    with transaction.atomic():
        clash = Patient.objects.filter(centre=centre, mrn__in=[row.patient["mrn"] for row in rows])
        if clash.exists():
            raise Refusal(f"MRN {clash.first().mrn} is already recorded in {centre}.", field="mrn")
        patients = bulk_create_with_history(
            [Patient(centre=centre, **row.patient, died_on=row.history["death_on"]) for row in rows],
            Patient,
            batch_size=batch_size,
            default_user=by,
            default_change_reason="imported history",
        )
        courses = []
        for row, patient in zip(rows, patients, strict=True):
            history = row.history
            stage = _final_stage(row, today)
            moved_on = history["death_on"] or history["last_contact_on"] or history["infused_on"]
            courses.append(
                TreatmentCourse(
                    patient=patient,
                    sequence=1,
                    referred_on=history["leukapheresis_on"] or history["infused_on"],
                    diagnosis=row.course["diagnosis"],
                    product=row.course["product"],
                    antigen_construct=(
                        TreatmentCourse.AntigenConstruct.SINGLE
                        if len(row.antigens) == 1
                        else TreatmentCourse.AntigenConstruct.BICISTRONIC
                    ),
                    baseline_marrow_blasts_pct=row.course["baseline_marrow_blasts_pct"],
                    baseline_ldh_u_l=row.course["baseline_ldh_u_l"],
                    baseline_notes=note,
                    treating_physician=by,
                    coordinator=by,
                    stage=stage,
                    stage_entered_at=start_of_local_day(moved_on),
                )
            )
        courses = bulk_create_with_history(
            courses, TreatmentCourse, batch_size=batch_size, default_user=by, default_change_reason="imported history"
        )
        through = TreatmentCourse.target_antigens.through
        through.objects.bulk_create(
            [
                through(treatmentcourse_id=course.pk, targetantigen_id=antigens[code].pk)
                for row, course in zip(rows, courses, strict=True)
                for code in row.antigens
            ],
            batch_size=batch_size,
        )
        bulk_create_with_history(
            [
                ImportedHistory(
                    course=course, source_sha256=digest, source_line=row.line, imported_by=by, **row.history
                )
                for row, course in zip(rows, courses, strict=True)
            ],
            ImportedHistory,
            batch_size=batch_size,
            default_user=by,
            default_change_reason="imported history",
        )
        events = []
        for row, course in zip(rows, courses, strict=True):
            referred = start_of_local_day(course.referred_on)
            events.append(
                StageEvent(
                    course=course, from_stage="", to_stage=Stage.REFERRAL, occurred_at=referred, by=by, note="Referred"
                )
            )
            events.append(
                StageEvent(
                    course=course,
                    from_stage=Stage.REFERRAL,
                    to_stage=course.stage,
                    occurred_at=course.stage_entered_at,
                    by=by,
                    note=f"Imported history (line {row.line})",
                )
            )
        StageEvent.objects.bulk_create(events, batch_size=batch_size)
    return len(courses)
