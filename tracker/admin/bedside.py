"""Bedside records, episodes and threshold events: searchable, view-only."""

from django.contrib import admin

from tracker import models
from tracker.admin.journey import JourneyRecordAdmin
from tracker.admin.mixins import ViewOnlyMixin


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


@admin.register(models.HomeCheckIn)
class HomeCheckInAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = ["course", "reported_at", "temperature_c", "call_now"]
    list_filter = ["call_now"]
    search_fields = ["course__patient__mrn", "course__patient__family_name"]
    list_select_related = ["course__patient"]
    date_hierarchy = "reported_at"
