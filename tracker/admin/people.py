"""Centres, staff, antigens, patients and courses."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from tracker import models
from tracker.admin.mixins import NoDeleteMixin, ReasonedChangeMixin, ViewOnlyMixin


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
class PatientAdmin(ReasonedChangeMixin, NoDeleteMixin, SimpleHistoryAdmin):
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
class TreatmentCourseAdmin(ReasonedChangeMixin, NoDeleteMixin, SimpleHistoryAdmin):
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


@admin.register(models.SecurityEvent)
class SecurityEventAdmin(ViewOnlyMixin, admin.ModelAdmin):
    """Failed sign-ins, lockouts, second-checker failures and password resets: read only."""

    list_display = ["at", "kind", "username", "ip_address", "path"]
    list_filter = ["kind"]
    search_fields = ["username", "ip_address"]
    date_hierarchy = "at"


@admin.register(models.UserSession)
class UserSessionAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = ["user", "created_at", "ip_address"]
    search_fields = ["user__username"]


@admin.register(models.ChartAccess)
class ChartAccessAdmin(ViewOnlyMixin, admin.ModelAdmin):
    """Who viewed which chart: read only, never deleted."""

    list_display = ["at", "user", "what", "path", "ip_address"]
    list_filter = ["what"]
    search_fields = ["user__username", "request_id"]
    date_hierarchy = "at"


@admin.register(models.ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """API tokens: only their names, first characters and times are shown (the rest is a
    digest). An administrator may revoke one by deleting it; users manage their own on the
    API tokens page."""

    list_display = ["name", "user", "token_key", "created", "last_used_at"]
    search_fields = ["name", "user__username", "token_key"]
    readonly_fields = ["digest", "token_key", "user", "created", "expiry", "last_used_at"]

    def has_add_permission(self, request):
        return False
