"""The test suite's builder: walks a course along the journey through the real services, step
by step, with fixed, recognisable values, so a test reaches any stage by the same rules a
coordinator meets in the app. (The demo has its own walker, demo/walker.py: its stories can
change without changing what a test builds.)"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from tracker.bedside import services as bedside_services
from tracker.clinical import neuro_scores
from tracker.clinical.products import PRODUCTS
from tracker.clinical.stages import Stage
from tracker.core.clock import local_moment
from tracker.journey import services as journey_services
from tracker.models import Infusion, Lymphodepletion, ManufacturingRun, TreatmentCourse


@dataclass
class Staff:
    coordinator: object
    physician: object
    nurse: object
    second_nurse: object


class CourseWalker:
    def __init__(self, course: TreatmentCourse, staff: Staff):
        self.course = course
        self.staff = staff
        self._bag_counter = 0

    def _next_identifier(self, prefix: str) -> str:
        self._bag_counter += 1
        return f"{prefix}-{self.course.public_id.hex[:8].upper()}-{self._bag_counter:02d}"

    @property
    def run(self) -> ManufacturingRun | None:
        return self.course.latest_run()

    def _move(self, to: Stage, on: date, note: str = "", by=None, hour: int = 9):
        journey_services.transition_course(
            course=self.course, to=to, by=by or self.staff.coordinator, note=note, occurred_at=local_moment(on, hour)
        )
        self.course.refresh_from_db()

    # --- Referral and eligibility -----------------------------------------------------

    def start_eligibility(self, on: date):
        self._move(Stage.ELIGIBILITY, on, "Eligibility work-up started")

    def confirm_eligible(self, on: date, *, research_consent: bool = True):
        journey_services.record_eligibility(
            course=self.course,
            by=self.staff.physician,
            assessed_on=on,
            eligible=True,
            consent_signed_on=on,
            registry_research_consent=research_consent,
            organ_function_adequate=True,
            infection_screen_clear=True,
            ecog=1,
        )
        self._move(Stage.COLLECTION, on, "Eligible; consent signed", hour=15)

    def declare_ineligible(self, on: date, reason: str):
        journey_services.record_eligibility(
            course=self.course,
            by=self.staff.physician,
            assessed_on=on,
            eligible=False,
            organ_function_adequate=False,
            notes=reason,
        )
        self._move(Stage.INELIGIBLE, on, reason, hour=15)

    # --- Collection and manufacturing -------------------------------------------------

    def collect_and_ship(self, on: date, *, bags: int = 1, cd3_yield: str = "8.5"):
        collection = journey_services.record_collection(
            course=self.course,
            by=self.staff.coordinator,
            collected_on=on,
            site="Apheresis unit",
            bag_identifiers=[self._next_identifier("DIN") for _ in range(bags)],
            cd3_yield_e9=Decimal(cd3_yield),
            volume_processed_l=Decimal("12.0"),
        )
        product = PRODUCTS[self.course.product]
        journey_services.register_manufacturing_run(
            course=self.course,
            by=self.staff.coordinator,
            collection=collection,
            manufacturer=product.manufacturer or "Academic GMP facility",
            lot_number=self._next_identifier("LOT"),
            coi_id=self._next_identifier("COI"),
            shipped_on=on,
        )
        self._move(Stage.MANUFACTURING, on, "Shipped to manufacturer", hour=16)

    def bridge(self, on: date, agents: str = "Polatuzumab + rituximab", modality: str = "targeted"):
        journey_services.start_bridging(
            course=self.course, by=self.staff.physician, started_on=on, agents=agents, modality=modality
        )
        self.course.refresh_from_db()

    def release_and_receive(self, released_on: date, delivered_on: date, *, bags: int = 1):
        journey_services.release_run(run=self.run, by=self.staff.coordinator, released_on=released_on)
        journey_services.receive_product(
            run=self.run,
            by=self.staff.coordinator,
            delivered_on=delivered_on,
            bag_identifiers=[self._next_identifier("BAG") for _ in range(bags)],
        )

    def release_out_of_spec_under_exception(self, on: date, delivered_on: date, finding: str, reason: str):
        journey_services.mark_run_out_of_specification(run=self.run, by=self.staff.coordinator, finding=finding, on=on)
        journey_services.release_under_exception(run=self.run, by=self.staff.physician, reason=reason)
        journey_services.receive_product(
            run=self.run,
            by=self.staff.coordinator,
            delivered_on=delivered_on,
            bag_identifiers=[self._next_identifier("BAG")],
        )

    def fail_run(self, reason: str = "Insufficient expansion"):
        journey_services.mark_run_failed(run=self.run, by=self.staff.coordinator, reason=reason)

    def recollect(self, on: date):
        self._move(Stage.COLLECTION, on, "New collection after failed manufacturing")

    def abandon_after_failure(self, on: date, reason: str = "No further collection feasible"):
        self._move(Stage.MANUFACTURING_FAILURE, on, reason)

    # --- Lymphodepletion and infusion ----------------------------------------------------

    def lymphodeplete(self, started_on: date, ended_on: date, *, override_reason: str = "") -> Lymphodepletion:
        ld = journey_services.start_lymphodepletion(
            course=self.course,
            by=self.staff.physician,
            started_on=started_on,
            ended_on=ended_on,
            regimen=Lymphodepletion.Regimen.FLU_CY,
            fludarabine_mg_m2=Decimal("30"),
            cyclophosphamide_mg_m2=Decimal("500")
            if self.course.product in ("axi_cel", "brexu_cel")
            else Decimal("300"),
            override_reason=override_reason,
        )
        self.course.refresh_from_db()
        return ld

    def infuse(self, at: datetime) -> Infusion:
        run = self.run
        bags = {bag.bag_identifier: run.coi_id for bag in run.bags.filter(infusion__isnull=True)}
        infusion = journey_services.record_infusion(
            course=self.course,
            by=self.staff.nurse,
            infused_at=at,
            dose_value=Decimal("2.0"),
            dose_unit=Infusion.DoseUnit.CELLS_E6_PER_KG,
            scanned_bags=bags,
            identity_checked_by=self.staff.nurse,
            identity_second_check_by=self.staff.second_nurse,
            identity_checked_at=at,
        )
        self.course.refresh_from_db()
        return infusion

    # --- After infusion -----------------------------------------------------------------

    def start_follow_up(self, on: date):
        self._move(Stage.FOLLOW_UP, on, "Day +28 reached; acute monitoring complete")

    def start_long_term_follow_up(self, on: date):
        self._move(Stage.LONG_TERM_FOLLOW_UP, on, "First year complete")

    def die(self, on: date, cause: str):
        self._move(Stage.DIED, on, cause, by=self.staff.physician)

    def withdraw(self, on: date, reason: str):
        self._move(Stage.WITHDREW, on, reason)


# --- Bedside and schedule fixtures' shared pieces -----------------------------------------------

DAY0 = date(2026, 3, 10)  # the bedside tests' infusion day (outside daylight-saving changes)
T0 = datetime(2026, 3, 16, 10, 0, tzinfo=ZoneInfo("Europe/London"))  # the schedule tests' infusion

NORMAL = {
    "temperature_value": "37.0",
    "heart_rate": 80,
    "systolic_bp": 122,
    "diastolic_bp": 76,
    "respiratory_rate": 16,
    "spo2": 98,
}


def infuse(walker: CourseWalker):
    """Walk a course from referral to infusion on DAY0 at 10:00."""
    walker.start_eligibility(date(2026, 1, 5))
    walker.confirm_eligible(date(2026, 1, 9))
    walker.collect_and_ship(date(2026, 1, 20))
    walker.release_and_receive(date(2026, 2, 25), date(2026, 2, 27))
    walker.lymphodeplete(date(2026, 3, 5), date(2026, 3, 7))
    walker.infuse(local_moment(DAY0, 10))
    return walker.course


def walk_and_infuse(walker: CourseWalker, at: datetime = T0):
    walker.start_eligibility(date(2026, 1, 5))
    walker.confirm_eligible(date(2026, 1, 9))
    walker.collect_and_ship(date(2026, 1, 20))
    walker.release_and_receive(date(2026, 2, 25), date(2026, 2, 27))
    walker.lymphodeplete(at.date() - timedelta(days=5), at.date() - timedelta(days=3))
    walker.infuse(at)
    return walker.course


def vitals(course, by, when, **changes):
    """Record a normal set of vital signs, with ``changes``."""
    return bedside_services.record_vital_signs(course=course, by=by, observed_at=when, **{**NORMAL, **changes})


def ice_with(correct: int) -> dict:
    """The ten ICE items with the first ``correct`` of them done correctly."""
    return {name: i < correct for i, name in enumerate(neuro_scores.ICE_ITEM_NAMES)}
