"""The demo cohort: about sixty patients spread over every stage and diagnosis, with dates
placed realistically around today, built through the same services the app uses.

Deterministic (a fixed random seed) and idempotent: patients are keyed by MRN, and a patient
already present is left alone, so running ``seed_demo`` twice changes nothing.
"""

import random
from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from demo.bedside_stories import record_demo_monitoring
from demo.follow_up_stories import record_demo_follow_up
from demo.walker import CourseWalker, Staff
from tracker.accounts import services as accounts
from tracker.clinical.stages import Stage
from tracker.core import roles
from tracker.core.clock import local_moment
from tracker.default_protocol import install_default_protocol
from tracker.follow_up import services as services_follow_up
from tracker.journey import services
from tracker.models import Centre, OnCallShift, Patient

DEMO_CENTRE = ("demo", "Riverside CAR-T Programme")
DEMO_PASSWORD = "cart-demo"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    first_name: str
    last_name: str
    job_title: str


DEMO_STAFF = [
    DemoLogin("coordinator", roles.COORDINATOR, "Carmen", "Ortiz", "CAR-T programme coordinator"),
    DemoLogin("nurse", roles.NURSE, "Naledi", "Mokoena", "Bedside nurse"),
    DemoLogin("nurse2", roles.NURSE, "Tomasz", "Nowak", "Bedside nurse"),
    DemoLogin("chargenurse", roles.NURSE, "Grace", "Osei", "Charge nurse"),
    DemoLogin("physician", roles.PHYSICIAN, "Hiroshi", "Tanaka", "Consultant haematologist"),
    DemoLogin("oncall", roles.PHYSICIAN, "Amira", "Haddad", "On-call haematologist"),
]
DEMO_PATIENT_USERNAME = "patient"

GIVEN = [
    "Aisha", "Ben", "Chloe", "Dmitri", "Elena", "Farid", "Grace", "Hugo", "Ines", "Jamal",
    "Keiko", "Liam", "Maya", "Noah", "Olu", "Priya", "Quentin", "Rosa", "Sven", "Tara",
    "Uma", "Victor", "Wen", "Ximena", "Yusuf", "Zoe", "Arjun", "Bea", "Caleb", "Dara",
]  # fmt: skip
FAMILY = [
    "Abbott", "Banerjee", "Carvalho", "Dubois", "Eriksen", "Fischer", "Garcia", "Hughes", "Ibrahim",
    "Jensen", "Kowalski", "Lindqvist", "Murphy", "Nakamura", "Okafor", "Petrov", "Quinn", "Rossi",
    "Schmidt", "Takahashi", "Usman", "Varga", "Walsh", "Xu", "Yilmaz", "Zhang",
]  # fmt: skip

# diagnosis → (products, antigens, age range at referral)
DIAGNOSES = {
    "b_all": (["tisa_cel", "brexu_cel", "obe_cel"], ["CD19"], (4, 40)),
    "lbcl": (["axi_cel", "tisa_cel", "liso_cel"], ["CD19"], (35, 80)),
    "follicular": (["axi_cel", "tisa_cel", "liso_cel"], ["CD19"], (40, 75)),
    "mantle_cell": (["brexu_cel", "liso_cel"], ["CD19"], (50, 78)),
    "multiple_myeloma": (["ide_cel", "cilta_cel"], ["BCMA"], (45, 78)),
    "cll": (["liso_cel"], ["CD19"], (50, 80)),
    "other": (["investigational"], ["CD19", "CD22"], (18, 60)),
}

# Typical apheresis-to-release turnaround by product, in days (docs/clinical-rules.md §2.9: V2V medians
# axi-cel ~30, tisa-cel ~48, liso-cel ~36 days, including scheduling at the site).
TURNAROUND = {"axi_cel": (17, 22), "brexu_cel": (17, 22), "tisa_cel": (26, 38), "liso_cel": (22, 30)}
DEFAULT_TURNAROUND = (24, 34)

# The cohort plan: (final stage, how many, day number after infusion where it applies).
PLAN: list[tuple[Stage, int, list[int] | None]] = [
    (Stage.REFERRAL, 3, None),
    (Stage.ELIGIBILITY, 3, None),
    (Stage.INELIGIBLE, 2, None),
    (Stage.COLLECTION, 3, None),
    (Stage.MANUFACTURING, 5, None),
    (Stage.BRIDGING, 4, None),
    (Stage.MANUFACTURING_FAILURE, 2, None),
    (Stage.LYMPHODEPLETION, 3, None),
    (Stage.ACUTE_MONITORING, 8, [0, 1, 3, 5, 8, 12, 19, 26]),
    (Stage.FOLLOW_UP, 11, [30, 45, 62, 90, 100, 130, 181, 220, 270, 300, 350]),
    (Stage.LONG_TERM_FOLLOW_UP, 9, [380, 450, 600, 730, 900, 1100, 1460, 1825, 2400]),
    (Stage.COMPLETED, 1, [5480]),
    (Stage.DIED, 4, [14, 75, 200, 500]),
    (Stage.WITHDREW, 2, [40, 420]),
]


def ensure_demo_staff(centre: Centre) -> dict[str, object]:
    users = {}
    User = get_user_model()
    for login in DEMO_STAFF:
        user = User.objects.filter(username=login.username).first()
        if user is None:
            user = accounts.create_staff_user(
                username=login.username,
                role=login.role,
                centre=centre,
                password=DEMO_PASSWORD,
                first_name=login.first_name,
                last_name=login.last_name,
                email=f"{login.username}@riverside.example",
                job_title=login.job_title,
                mobile_phone="+44 7700 900" + str(100 + len(users)),
            )
        users[login.username] = user
    now = timezone.now()
    if not OnCallShift.objects.filter(user=users["oncall"], ends_at__gt=now + timedelta(days=7)).exists():
        OnCallShift.objects.create(
            centre=centre, user=users["oncall"], starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=60)
        )
    if not User.objects.filter(username="admin").exists():
        User.objects.create_superuser("admin", "admin@riverside.example", DEMO_PASSWORD)
    return users


class CohortBuilder:
    def __init__(self, *, today: date, stdout=None):
        install_default_protocol()
        self.today = today
        self.rng = random.Random(20261122)
        self.stdout = stdout
        self.centre, _ = Centre.objects.get_or_create(
            code=DEMO_CENTRE[0],
            # Numbers from the UK's drama range (Ofcom): they reach nobody.
            defaults={"name": DEMO_CENTRE[1], "phone_day": "+44 20 7946 0100", "phone_urgent": "+44 20 7946 0999"},
        )
        self.users = ensure_demo_staff(self.centre)
        self.staff = Staff(
            coordinator=self.users["coordinator"],
            physician=self.users["physician"],
            nurse=self.users["nurse"],
            second_nurse=self.users["nurse2"],
        )

    def build(self) -> tuple[int, int]:
        created = existing = 0
        number = 0
        diagnoses = list(DIAGNOSES)
        for stage, count, days in PLAN:
            for i in range(count):
                number += 1
                mrn = f"RV{number:05d}"
                diagnosis = diagnoses[(number * 3 + i) % len(diagnoses)]
                # Draw the random choices for every patient, even existing ones, so the
                # cohort is the same whichever patients are already present.
                choices = self._draw(diagnosis)
                if Patient.objects.filter(centre=self.centre, mrn=mrn).exists():
                    existing += 1
                    continue
                day = days[i] if days else None
                with transaction.atomic():
                    self._build_one(number, mrn, diagnosis, stage, day, choices)
                created += 1
        self._ensure_patient_login()
        return created, existing

    def _draw(self, diagnosis: str) -> dict:
        products, antigens, (age_low, age_high) = DIAGNOSES[diagnosis]
        rng = self.rng
        return {
            "product": rng.choice(products),
            "antigens": antigens,
            "age": rng.randint(age_low, age_high),
            "sex": rng.choice(["female", "male"]),
            "given": rng.choice(GIVEN),
            "family": rng.choice(FAMILY),
            "bridging": rng.random() < 0.6,
            "turnaround": rng.randint(*TURNAROUND.get(rng.choice(products), DEFAULT_TURNAROUND)),
            "offset": rng.randint(0, 6),
            "hour": rng.choice([9, 10, 11, 13, 14]),
        }

    def _build_one(self, number, mrn, diagnosis, stage: Stage, day: int | None, c: dict):
        born = self.today - timedelta(days=int(c["age"] * 365.25) + number)
        weight = 18 + c["age"] * 1.5 if c["age"] < 16 else 55 + (number * 7) % 40
        patient = services.register_patient(
            by=self.staff.coordinator,
            centre=self.centre,
            mrn=mrn,
            given_name=c["given"],
            family_name=c["family"],
            born_on=born,
            sex=c["sex"],
            weight_kg=f"{weight:.1f}",
            phone=f"+44 7700 90{number:04d}",
            caregiver_name=f"{self.rng.choice(GIVEN)} {c['family']}",
            caregiver_relationship="Parent" if c["age"] < 18 else "Partner",
            caregiver_phone=f"+44 7700 91{number:04d}",
        )
        extra = {}
        if c["product"] == "investigational":
            extra = {
                "investigational_product_name": "CD19/CD22 bicistronic CAR-T (trial)",
                "antigen_construct": "bicistronic",
            }
        baseline = self._baseline(diagnosis)
        referred = self._referral_date(stage, day, c)
        course = services.open_course(
            patient=patient,
            by=self.staff.coordinator,
            diagnosis=diagnosis,
            product=c["product"],
            target_antigens=c["antigens"],
            referred_on=referred,
            treating_physician=self.users["oncall" if number % 4 == 0 else "physician"],
            coordinator=self.staff.coordinator,
            **baseline,
            **extra,
        )
        for username, role in [
            ("nurse", "nurse"),
            ("nurse2", "nurse"),
            ("chargenurse", "charge_nurse"),
            ("physician", "physician"),
            ("oncall", "physician"),
        ]:
            services.add_care_team_member(
                course=course, user=self.users[username], role=role, by=self.staff.coordinator
            )
        self._walk(CourseWalker(course, self.staff), stage, day, referred, c, number)

    def _baseline(self, diagnosis: str) -> dict:
        rng = self.rng
        if diagnosis == "b_all":
            return {
                "baseline_marrow_blasts_pct": f"{rng.uniform(5, 85):.1f}",
                "baseline_ldh_u_l": rng.randint(180, 900),
            }
        if diagnosis == "multiple_myeloma":
            return {"baseline_m_protein_g_dl": f"{rng.uniform(0.5, 4.5):.2f}", "baseline_ecog": rng.randint(0, 2)}
        return {"baseline_ldh_u_l": rng.randint(150, 1200), "baseline_ecog": rng.randint(0, 2)}

    def _referral_date(self, stage: Stage, day: int | None, c: dict) -> date:
        """Work backwards from today so that the course ends up in its stage now."""
        if day is not None:
            day_zero = self.today - timedelta(days=day)
            return day_zero - timedelta(days=c["turnaround"] + 8 + 21 + c["offset"])
        back = {
            Stage.REFERRAL: 2,
            Stage.ELIGIBILITY: 8,
            Stage.INELIGIBLE: 20,
            Stage.COLLECTION: 16,
            Stage.MANUFACTURING: 30,
            Stage.BRIDGING: 34,
            Stage.MANUFACTURING_FAILURE: 70,
            Stage.LYMPHODEPLETION: 25 + c["turnaround"],
        }[stage]
        return self.today - timedelta(days=back + c["offset"])

    def _walk(self, w: CourseWalker, stage: Stage, day: int | None, referred: date, c: dict, number: int):
        today = self.today
        if stage == Stage.REFERRAL:
            return
        w.start_eligibility(referred + timedelta(days=1))
        if stage == Stage.ELIGIBILITY:
            return
        if stage == Stage.INELIGIBLE:
            w.declare_ineligible(referred + timedelta(days=9), "Creatinine clearance below 30 mL/min; active infection")
            return
        eligible_on = referred + timedelta(days=7)
        w.confirm_eligible(eligible_on, research_consent=c["offset"] != 3)
        if stage == Stage.COLLECTION:
            return
        collected = eligible_on + timedelta(days=7)
        if stage in (Stage.MANUFACTURING, Stage.BRIDGING):
            collected = min(collected, today - timedelta(days=3))
        w.collect_and_ship(collected, bags=1 + c["offset"] % 2)
        if stage == Stage.MANUFACTURING:
            return
        if stage == Stage.MANUFACTURING_FAILURE:
            w.fail_run("Insufficient T-cell expansion")
            w.recollect(collected + timedelta(days=24))
            w.collect_and_ship(collected + timedelta(days=27))
            w.fail_run("Out of specification: viability 48 %, not released")
            w.abandon_after_failure(
                collected + timedelta(days=52), "Second manufacturing failure; referred for alternative therapy"
            )
            return
        if c["bridging"] or stage == Stage.BRIDGING:
            w.bridge(collected + timedelta(days=2))
        if stage == Stage.BRIDGING:
            return
        if stage == Stage.LYMPHODEPLETION:
            released = collected + timedelta(days=c["turnaround"])
            w.release_and_receive(released, released + timedelta(days=2))
            start = min(released + timedelta(days=4), today - timedelta(days=1))
            w.lymphodeplete(start, min(start + timedelta(days=2), today))
            return
        # Infused patients: day 0 is today − day.
        day_zero = today - timedelta(days=day)
        ld_start = day_zero - timedelta(days=5)
        released = min(collected + timedelta(days=c["turnaround"]), ld_start - timedelta(days=3))
        if c["offset"] == 5:
            w.release_out_of_spec_under_exception(
                released,
                released + timedelta(days=2),
                finding="Viability 74 % (specification ≥ 80 %)",
                reason="Outcomes similar for viability 61–79 % (CIBMTR real-world data); no alternative",
            )
        else:
            w.release_and_receive(released, released + timedelta(days=2))
        w.lymphodeplete(ld_start, day_zero - timedelta(days=3))
        w.infuse(self._infusion_moment(day_zero, c["hour"]))
        early_death = stage == Stage.DIED and day < 28
        record_demo_monitoring(
            w.course,
            self.staff,
            number,
            until=local_moment(today - timedelta(days=1), 6) if early_death else timezone.now(),
            full=stage == Stage.ACUTE_MONITORING,
        )
        if stage == Stage.ACUTE_MONITORING:
            return
        if early_death:
            services_follow_up.record_event(
                course=w.course,
                by=self.staff.physician,
                kind="death",
                occurred_on=today - timedelta(days=1),
                death_cause="icans",
                notes="Grade 4 ICANS with cerebral oedema",
            )
            return
        w.start_follow_up(day_zero + timedelta(days=28))
        death_day = day - max(1, day // 10) if stage == Stage.DIED else None
        if stage == Stage.WITHDREW:
            day -= 6  # the story ends before the patient withdrew
        if stage == Stage.LONG_TERM_FOLLOW_UP or stage == Stage.COMPLETED:
            w.start_long_term_follow_up(day_zero + timedelta(days=365))
        record_demo_follow_up(w.course, self.staff, number, today=day_zero + timedelta(days=day), death_day=death_day)
        if stage in (Stage.FOLLOW_UP, Stage.DIED, Stage.LONG_TERM_FOLLOW_UP):
            return
        if stage == Stage.WITHDREW:
            w.withdraw(today - timedelta(days=5), "Moved abroad; follow-up transferred to local team")
            return
        if stage == Stage.COMPLETED:
            services.transition_course(
                course=w.course,
                to=Stage.COMPLETED,
                by=self.staff.coordinator,
                note="15-year long-term follow-up complete",
                occurred_at=local_moment(day_zero + timedelta(days=5479)),
            )

    def _infusion_moment(self, day_zero: date, hour: int):
        """Mid-morning or early afternoon; for a day-0 patient, no later than a little before now."""
        moment = local_moment(day_zero, hour)
        if day_zero == self.today:
            now = timezone.now()
            moment = max(min(moment, now - timedelta(minutes=30)), local_moment(day_zero, 0, 1))
        return moment

    def _ensure_patient_login(self):
        """One patient login, for a patient in acute monitoring (they see only themselves)."""
        if get_user_model().objects.filter(username=DEMO_PATIENT_USERNAME).exists():
            return
        patient = (
            Patient.objects.filter(centre=self.centre, courses__stage=Stage.ACUTE_MONITORING, user__isnull=True)
            .order_by("mrn")
            .first()
        )
        if patient:
            accounts.create_patient_login(patient=patient, username=DEMO_PATIENT_USERNAME, password=DEMO_PASSWORD)


def build_demo_cohort(*, stdout=None) -> tuple[int, int]:
    return CohortBuilder(today=timezone.localdate(), stdout=stdout).build()
