"""Walking a demo course along the journey through the real services, step by step, so every
demo course got where it is by the same rules a coordinator meets in the app: no field is set
behind the services' back. (The test suite has its own builder, tests/builders.py, so a change
to the demo's stories never changes what a test builds.)
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from tracker.clinical.products import PRODUCTS
from tracker.clinical.stages import Stage
from tracker.core.clock import local_moment
from tracker.journey import services
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
        services.transition_course(
            course=self.course, to=to, by=by or self.staff.coordinator, note=note, occurred_at=local_moment(on, hour)
        )
        self.course.refresh_from_db()

    # --- Referral and eligibility -----------------------------------------------------

    def start_eligibility(self, on: date):
        self._move(Stage.ELIGIBILITY, on, "Eligibility work-up started")

    def confirm_eligible(self, on: date, *, research_consent: bool = True):
        services.record_eligibility(
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
        services.record_eligibility(
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
        collection = services.record_collection(
            course=self.course,
            by=self.staff.coordinator,
            collected_on=on,
            site="Apheresis unit",
            bag_identifiers=[self._next_identifier("DIN") for _ in range(bags)],
            cd3_yield_e9=Decimal(cd3_yield),
            volume_processed_l=Decimal("12.0"),
        )
        product = PRODUCTS[self.course.product]
        services.register_manufacturing_run(
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
        services.start_bridging(
            course=self.course, by=self.staff.physician, started_on=on, agents=agents, modality=modality
        )
        self.course.refresh_from_db()

    def release_and_receive(self, released_on: date, delivered_on: date, *, bags: int = 1):
        services.release_run(run=self.run, by=self.staff.coordinator, released_on=released_on)
        services.receive_product(
            run=self.run,
            by=self.staff.coordinator,
            delivered_on=delivered_on,
            bag_identifiers=[self._next_identifier("BAG") for _ in range(bags)],
        )

    def release_out_of_spec_under_exception(self, on: date, delivered_on: date, finding: str, reason: str):
        services.mark_run_out_of_specification(run=self.run, by=self.staff.coordinator, finding=finding, on=on)
        services.release_under_exception(run=self.run, by=self.staff.physician, reason=reason)
        services.receive_product(
            run=self.run,
            by=self.staff.coordinator,
            delivered_on=delivered_on,
            bag_identifiers=[self._next_identifier("BAG")],
        )

    def fail_run(self, reason: str = "Insufficient expansion"):
        services.mark_run_failed(run=self.run, by=self.staff.coordinator, reason=reason)

    def recollect(self, on: date):
        self._move(Stage.COLLECTION, on, "New collection after failed manufacturing")

    def abandon_after_failure(self, on: date, reason: str = "No further collection feasible"):
        self._move(Stage.MANUFACTURING_FAILURE, on, reason)

    # --- Lymphodepletion and infusion ----------------------------------------------------

    def lymphodeplete(self, started_on: date, ended_on: date, *, override_reason: str = "") -> Lymphodepletion:
        ld = services.start_lymphodepletion(
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
        infusion = services.record_infusion(
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
