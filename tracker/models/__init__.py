from tracker.models.alert import Alert, Notification
from tracker.models.api_token import ApiToken
from tracker.models.bridging import BridgingTherapy
from tracker.models.centre import Centre, StaffProfile
from tracker.models.check_in import CheckIn, CourseRuleOverride, CourseSchedule
from tracker.models.collection import CollectionBag, Leukapheresis
from tracker.models.course import CareTeamMember, TargetAntigen, TreatmentCourse
from tracker.models.course_event import CourseEvent
from tracker.models.eligibility import EligibilityAssessment
from tracker.models.home_check_in import HomeCheckIn
from tracker.models.imported_history import ImportedHistory
from tracker.models.infusion import Infusion
from tracker.models.intervention import Intervention
from tracker.models.late_effects import Infection, LabResult, LateDiagnosis
from tracker.models.lymphodepletion import Lymphodepletion
from tracker.models.manufacturing import ManufacturingRun, ProductBag
from tracker.models.neuro_assessment import NeuroAssessment
from tracker.models.patient import Patient
from tracker.models.protocol import (
    AssigneeRole,
    Cadence,
    CheckInKind,
    MonitoringProtocol,
    OnCallShift,
    ProductLabelCondition,
    ProtocolRule,
)
from tracker.models.response import ResponseAssessment
from tracker.models.security import ChartAccess, SecurityEvent, UserSession
from tracker.models.stage_event import StageEvent
from tracker.models.toxicity import Syndrome, ThresholdEvent, ToxicityEpisode
from tracker.models.vital_signs import VitalSigns

__all__ = [
    "ChartAccess",
    "UserSession",
    "SecurityEvent",
    "Alert",
    "ApiToken",
    "AssigneeRole",
    "Cadence",
    "CheckIn",
    "CheckInKind",
    "CourseRuleOverride",
    "CourseSchedule",
    "MonitoringProtocol",
    "Notification",
    "OnCallShift",
    "ProductLabelCondition",
    "ProtocolRule",
    "BridgingTherapy",
    "CareTeamMember",
    "Centre",
    "CollectionBag",
    "CourseEvent",
    "Infection",
    "LabResult",
    "LateDiagnosis",
    "ResponseAssessment",
    "EligibilityAssessment",
    "ImportedHistory",
    "Infusion",
    "Intervention",
    "Leukapheresis",
    "Lymphodepletion",
    "ManufacturingRun",
    "NeuroAssessment",
    "Patient",
    "ProductBag",
    "StaffProfile",
    "HomeCheckIn",
    "StageEvent",
    "Syndrome",
    "TargetAntigen",
    "ThresholdEvent",
    "ToxicityEpisode",
    "TreatmentCourse",
    "VitalSigns",
]
