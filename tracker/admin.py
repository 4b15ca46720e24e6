"""Admin for every model: searchable lists with the columns and filters a coordinator uses.

Demographics and course details can be corrected here (every change is kept by
django-simple-history, with the user). Journey records (collections, runs, infusions, stage
events, ...) are view-only: they are written through the app's forms, which apply the stage
rules. Nothing clinical can be deleted.
"""

from django import forms
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from tracker import models
from tracker.services import scheduling


class ReasonedChangeForm(forms.ModelForm):
    """Corrections made in the admin say why; the reason is kept in the audit trail."""

    change_reason = forms.CharField(
        label="Reason for this change", widget=forms.Textarea(attrs={"rows": 2}), help_text="Kept in the audit trail."
    )


class ReasonedChangeMixin:
    def get_form(self, request, obj=None, **kwargs):
        kwargs["form"] = type(f"{self.model.__name__}ReasonForm", (ReasonedChangeForm,), {})
        return super().get_form(request, obj, **kwargs)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if not any("change_reason" in options.get("fields", ()) for _, options in fieldsets):
            fieldsets = [*fieldsets, ("Audit", {"fields": ["change_reason"]})]
        return fieldsets

    def save_model(self, request, obj, form, change):
        obj._change_reason = form.cleaned_data["change_reason"]
        super().save_model(request, obj, form, change)


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


# --- Schedule: protocols as data ---------------------------------------------------------------


class ProtocolRuleInline(admin.StackedInline):
    model = models.ProtocolRule
    extra = 0
    fields = [
        ("kind", "label", "cadence", "assignee_role"),
        ("schedule_type", "every_hours", "first_hour", "from_day", "to_day"),
        ("milestones", "due_time"),
        ("window_before_minutes", "window_after_minutes", "diagnoses"),
    ]


@admin.register(models.MonitoringProtocol)
class MonitoringProtocolAdmin(SimpleHistoryAdmin):
    list_display = [
        "name",
        "version",
        "product",
        "effective_from",
        "is_active",
        "tighten_crs_grade",
        "tighten_icans_grade",
    ]
    list_filter = ["is_active", "product"]
    search_fields = ["name", "description"]
    inlines = [ProtocolRuleInline]
    actions = ["copy_as_new_version"]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if change:
            from django.db import transaction

            from tracker.tasks import replan_protocol

            protocol_id = form.instance.pk
            transaction.on_commit(lambda: replan_protocol.delay(protocol_id), robust=True)
            self.message_user(request, "Courses following this protocol are being re-planned.")

    @admin.action(description="Copy as a new (inactive) version")
    def copy_as_new_version(self, request, queryset):
        for protocol in queryset:
            rules = list(protocol.rules.all())
            latest = models.MonitoringProtocol.objects.filter(name=protocol.name).order_by("-version").first()
            protocol.pk, protocol.id, protocol.version, protocol.is_active = None, None, latest.version + 1, False
            protocol._state.adding = True
            protocol.save()
            for rule in rules:
                rule.pk, rule.id, rule.protocol = None, None, protocol
                rule._state.adding = True
                rule.save()
            self.message_user(request, f"Created {protocol}; edit it, then mark it active.")


@admin.register(models.ProtocolRule)
class ProtocolRuleAdmin(SimpleHistoryAdmin):
    list_display = [
        "protocol",
        "kind",
        "label",
        "cadence",
        "schedule_type",
        "every_hours",
        "from_day",
        "to_day",
        "assignee_role",
    ]
    list_filter = ["protocol", "kind", "cadence", "schedule_type", "assignee_role"]
    search_fields = ["label", "kind"]


@admin.register(models.ProductLabelCondition)
class ProductLabelConditionAdmin(SimpleHistoryAdmin):
    list_display = [
        "product",
        "effective_from",
        "monitoring_days",
        "daily_monitoring_days",
        "stay_near_centre_days",
        "no_driving_days",
    ]
    list_filter = ["product"]


@admin.register(models.OnCallShift)
class OnCallShiftAdmin(SimpleHistoryAdmin):
    list_display = ["user", "centre", "starts_at", "ends_at"]
    list_filter = ["centre", "user"]
    date_hierarchy = "starts_at"
    autocomplete_fields = ["user"]


class AssignProtocolForm(forms.ModelForm):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), help_text="Kept in the audit trail.")

    class Meta:
        model = models.CourseSchedule
        fields = ["protocol"]


@admin.register(models.CourseSchedule)
class CourseScheduleAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    """A course's schedule: change its protocol version here; the course is re-planned."""

    form = AssignProtocolForm
    list_display = ["course", "protocol", "cadence", "tightened_at", "planned_until", "replanned_at"]
    list_filter = ["cadence", "protocol"]
    search_fields = ["course__patient__mrn", "course__patient__family_name"]
    list_select_related = ["course__patient", "protocol"]
    readonly_fields = ["course", "cadence", "tightened_at", "tightened_reason", "planned_until", "replanned_at"]

    def has_add_permission(self, request):
        return False  # created by the infusion

    def save_model(self, request, obj, form, change):
        scheduling.assign_protocol(
            course=obj.course,
            protocol=form.cleaned_data["protocol"],
            by=request.user,
            reason=form.cleaned_data["reason"],
        )


@admin.register(models.CourseRuleOverride)
class CourseRuleOverrideAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    """One course's change to one protocol rule; saving re-plans the course."""

    list_display = ["course", "rule", "every_hours", "to_day", "disabled", "reason", "created_by"]
    search_fields = ["course__patient__mrn", "reason"]
    autocomplete_fields = ["course"]
    fields = ["course", "rule", "every_hours", "to_day", "disabled", "reason"]

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        scheduling.override_rule(
            course=data["course"],
            rule=data["rule"],
            by=request.user,
            reason=data["reason"],
            every_hours=data["every_hours"],
            to_day=data["to_day"],
            disabled=data["disabled"],
        )


@admin.register(models.CheckIn)
class CheckInAdmin(ViewOnlyMixin, SimpleHistoryAdmin):
    list_display = [
        "course",
        "label",
        "due_at",
        "window_closes_at",
        "status",
        "assignee_role",
        "cadence",
        "completed_by",
    ]
    list_filter = ["status", "kind", "cadence", "assignee_role"]
    search_fields = ["course__patient__mrn", "course__patient__family_name", "label"]
    list_select_related = ["course__patient", "completed_by"]
    date_hierarchy = "due_at"


class NotificationInline(admin.TabularInline):
    model = models.Notification
    extra = 0
    can_delete = False
    fields = ["recipient", "channel", "level", "round", "status", "attempts", "sent_at", "failed_at", "last_error"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(models.Alert)
class AlertAdmin(ViewOnlyMixin, SimpleHistoryAdmin):
    list_display = [
        "title",
        "kind",
        "urgency",
        "status",
        "level",
        "round",
        "next_escalation_at",
        "acknowledged_by",
        "created_at",
    ]
    list_filter = ["status", "kind", "urgency", "level"]
    search_fields = ["title", "course__patient__mrn", "course__patient__family_name"]
    list_select_related = ["acknowledged_by"]
    inlines = [NotificationInline]
    date_hierarchy = "created_at"


@admin.register(models.Notification)
class NotificationAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = ["alert", "recipient", "channel", "status", "attempts", "sent_at", "failed_at", "last_error"]
    list_filter = ["channel", "status"]
    search_fields = ["recipient__username", "alert__title", "last_error"]
    list_select_related = ["alert", "recipient"]
    date_hierarchy = "created_at"
