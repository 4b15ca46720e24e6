from tracker.models.bridging import BridgingTherapy
from tracker.models.centre import Centre, StaffProfile
from tracker.models.collection import CollectionBag, Leukapheresis
from tracker.models.course import CareTeamMember, TargetAntigen, TreatmentCourse
from tracker.models.eligibility import EligibilityAssessment
from tracker.models.infusion import Infusion
from tracker.models.lymphodepletion import Lymphodepletion
from tracker.models.manufacturing import ManufacturingRun, ProductBag
from tracker.models.patient import Patient
from tracker.models.stage_event import StageEvent

__all__ = [
    "BridgingTherapy",
    "CareTeamMember",
    "Centre",
    "CollectionBag",
    "EligibilityAssessment",
    "Infusion",
    "Leukapheresis",
    "Lymphodepletion",
    "ManufacturingRun",
    "Patient",
    "ProductBag",
    "StaffProfile",
    "StageEvent",
    "TargetAntigen",
    "TreatmentCourse",
]
