"""Admin for every model: searchable lists with the columns and filters a coordinator uses.

Demographics and course details can be corrected here (every change is kept by
django-simple-history, with the user). Journey records (collections, runs, infusions, stage
events, ...) are view-only: they are written through the app's forms, which apply the stage
rules. Nothing clinical can be deleted.
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from tracker import models


class NoDeleteMixin:
    def has_delete_permission(self, request, obj=None):
        return False


class ViewOnlyMixin(NoDeleteMixin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(models.Centre)
class CentreAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(models.StaffProfile)
class StaffProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "centre", "job_title", "mobile_phone"]
    list_filter = ["centre", "user__groups"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    autocomplete_fields = ["user"]


@admin.register(models.TargetAntigen)
class TargetAntigenAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


class CourseInline(admin.TabularInline):
    model = models.TreatmentCourse
    fields = ["sequence", "diagnosis", "product", "stage", "referred_on"]
    readonly_fields = fields
    extra = 0
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(models.Patient)
class PatientAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    list_display = ["mrn", "family_name", "given_name", "born_on", "sex", "centre", "died_on", "has_login"]
    list_filter = ["centre", "sex", "courses__stage", "courses__diagnosis"]
    search_fields = ["mrn", "family_name", "given_name", "phone"]
    readonly_fields = ["public_id", "died_on", "created_at"]
    raw_id_fields = ["user"]
    inlines = [CourseInline]
    date_hierarchy = "created_at"

    @admin.display(boolean=True, description="login")
    def has_login(self, patient):
        return patient.user_id is not None


class CareTeamInline(admin.TabularInline):
    model = models.CareTeamMember
    extra = 0
    autocomplete_fields = ["user"]
    can_delete = False


class StageEventInline(admin.TabularInline):
    model = models.StageEvent
    fields = ["occurred_at", "from_stage", "to_stage", "by", "note", "override_reason"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(models.TreatmentCourse)
class TreatmentCourseAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    list_display = [
        "patient",
        "sequence",
        "diagnosis",
        "product",
        "stage",
        "stage_entered_at",
        "treating_physician",
        "referred_on",
    ]
    list_filter = [
        "stage",
        "diagnosis",
        "product",
        "antigen_construct",
        "target_antigens",
        "treating_physician",
        "coordinator",
    ]
    search_fields = ["patient__mrn", "patient__family_name", "patient__given_name", "investigational_product_name"]
    readonly_fields = ["public_id", "sequence", "stage", "stage_entered_at", "created_at"]
    autocomplete_fields = ["patient", "treating_physician", "coordinator"]
    filter_horizontal = ["target_antigens"]
    list_select_related = ["patient", "treating_physician"]
    inlines = [CareTeamInline, StageEventInline]
    date_hierarchy = "referred_on"

    def has_add_permission(self, request):
        return False  # a course is opened by referral in the app, which records its first stage event


@admin.register(models.StageEvent)
class StageEventAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = ["course", "from_stage", "to_stage", "occurred_at", "by", "recorded_at"]
    list_filter = ["to_stage", "from_stage", "by"]
    search_fields = ["course__patient__mrn", "course__patient__family_name", "note"]
    list_select_related = ["course__patient", "by"]
    date_hierarchy = "occurred_at"


class JourneyRecordAdmin(ViewOnlyMixin, SimpleHistoryAdmin):
    search_fields = ["course__patient__mrn", "course__patient__family_name"]
    list_select_related = ["course__patient"]


@admin.register(models.EligibilityAssessment)
class EligibilityAssessmentAdmin(JourneyRecordAdmin):
    list_display = [
        "course",
        "assessed_on",
        "eligible",
        "consent_signed_on",
        "registry_research_consent",
        "assessed_by",
    ]
    list_filter = ["eligible", "registry_research_consent", "organ_function_adequate", "infection_screen_clear"]
    date_hierarchy = "assessed_on"


class CollectionBagInline(admin.TabularInline):
    model = models.CollectionBag
    extra = 0
    can_delete = False


@admin.register(models.Leukapheresis)
class LeukapheresisAdmin(JourneyRecordAdmin):
    list_display = ["course", "collected_on", "site", "cd3_yield_e9", "volume_processed_l"]
    list_filter = ["site"]
    search_fields = [*JourneyRecordAdmin.search_fields, "bags__bag_identifier"]
    inlines = [CollectionBagInline]
    date_hierarchy = "collected_on"


@admin.register(models.CollectionBag)
class CollectionBagAdmin(ViewOnlyMixin, SimpleHistoryAdmin):
    list_display = ["bag_identifier", "collection"]
    search_fields = ["bag_identifier", "collection__course__patient__mrn"]


class ProductBagInline(admin.TabularInline):
    model = models.ProductBag
    extra = 0
    can_delete = False
    readonly_fields = ["scanned_coi_id", "infusion"]


@admin.register(models.ManufacturingRun)
class ManufacturingRunAdmin(JourneyRecordAdmin):
    list_display = [
        "course",
        "manufacturer",
        "lot_number",
        "coi_id",
        "status",
        "released_under_exception",
        "shipped_on",
        "released_on",
        "delivered_on",
    ]
    list_filter = ["status", "manufacturer", "released_under_exception"]
    search_fields = [*JourneyRecordAdmin.search_fields, "coi_id", "lot_number", "bags__bag_identifier"]
    inlines = [ProductBagInline]
    date_hierarchy = "shipped_on"


@admin.register(models.ProductBag)
class ProductBagAdmin(ViewOnlyMixin, SimpleHistoryAdmin):
    list_display = ["bag_identifier", "run", "scanned_coi_id", "infusion"]
    list_filter = ["run__status"]
    search_fields = ["bag_identifier", "run__coi_id", "run__course__patient__mrn"]


@admin.register(models.BridgingTherapy)
class BridgingTherapyAdmin(JourneyRecordAdmin):
    list_display = ["course", "modality", "agents", "started_on", "ended_on", "response"]
    list_filter = ["modality", "response"]
    date_hierarchy = "started_on"


@admin.register(models.Lymphodepletion)
class LymphodepletionAdmin(JourneyRecordAdmin):
    list_display = ["course", "regimen", "started_on", "ended_on", "started_before_release", "override_by"]
    list_filter = ["regimen", "started_before_release"]
    date_hierarchy = "started_on"


@admin.register(models.Infusion)
class InfusionAdmin(JourneyRecordAdmin):
    list_display = [
        "course",
        "infused_at",
        "dose_value",
        "dose_unit",
        "identity_checked_by",
        "identity_second_check_by",
    ]
    list_filter = ["dose_unit", "course__product"]
    date_hierarchy = "infused_at"


@admin.register(models.CareTeamMember)
class CareTeamMemberAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    list_display = ["course", "user", "role", "added_at"]
    list_filter = ["role"]
    search_fields = ["course__patient__mrn", "course__patient__family_name", "user__username", "user__last_name"]
    autocomplete_fields = ["course", "user"]


class BedsideRecordAdmin(JourneyRecordAdmin):
    """Bedside records are graded and amended through the app; here they can be searched."""

    list_filter = ["superseded", "needs_review", "grade"]
    date_hierarchy = "observed_at"
    readonly_fields = ["grade_reasons", "grading_inputs", "rule_version", "review_reasons"]


@admin.register(models.VitalSigns)
class VitalSignsAdmin(BedsideRecordAdmin):
    list_display = [
        "course",
        "observed_at",
        "temperature_c",
        "systolic_bp",
        "oxygen_device",
        "grade",
        "needs_review",
        "superseded",
        "recorded_by",
    ]
    list_filter = [*BedsideRecordAdmin.list_filter, "fever_masked", "hypotension", "oxygen_device"]


@admin.register(models.NeuroAssessment)
class NeuroAssessmentAdmin(BedsideRecordAdmin):
    list_display = [
        "course",
        "observed_at",
        "tool",
        "ice_score",
        "capd_score",
        "level_of_consciousness",
        "grade",
        "needs_review",
        "superseded",
    ]
    list_filter = [*BedsideRecordAdmin.list_filter, "tool", "level_of_consciousness", "seizure_occurred"]


@admin.register(models.Intervention)
class InterventionAdmin(JourneyRecordAdmin):
    list_display = [
        "course",
        "given_at",
        "kind",
        "agent",
        "dose_value",
        "dose_unit",
        "indication",
        "given_by",
        "superseded",
    ]
    list_filter = ["kind", "indication", "superseded"]
    date_hierarchy = "given_at"


@admin.register(models.ToxicityEpisode)
class ToxicityEpisodeAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = ["course", "syndrome", "number", "onset_day", "max_grade", "onset_at", "resolved_at"]
    list_filter = ["syndrome", "max_grade"]
    search_fields = ["course__patient__mrn", "course__patient__family_name"]
    list_select_related = ["course__patient"]


@admin.register(models.ThresholdEvent)
class ThresholdEventAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = ["course", "kind", "syndrome", "grade", "previous_grade", "occurred_at"]
    list_filter = ["kind", "syndrome", "grade"]
    search_fields = ["course__patient__mrn", "course__patient__family_name", "summary"]
    list_select_related = ["course__patient"]
    date_hierarchy = "occurred_at"
