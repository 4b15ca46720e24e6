"""Follow-up records: response assessments, events and late effects. Searchable and view-only:
they are classified, checked and amended through the app."""

from django.contrib import admin

from tracker import models
from tracker.admin.journey import JourneyRecordAdmin


@admin.register(models.ResponseAssessment)
class ResponseAssessmentAdmin(JourneyRecordAdmin):
    list_display = ["course", "assessed_on", "day", "disease", "category", "mrd", "needs_review", "superseded"]
    list_filter = ["disease", "category", "superseded", "needs_review"]
    date_hierarchy = "assessed_on"


@admin.register(models.CourseEvent)
class CourseEventAdmin(JourneyRecordAdmin):
    list_display = ["course", "kind", "occurred_on", "day", "death_cause", "superseded"]
    list_filter = ["kind", "death_cause", "superseded"]
    date_hierarchy = "occurred_on"


@admin.register(models.LabResult)
class LabResultAdmin(JourneyRecordAdmin):
    list_display = ["course", "collected_on", "day", "igg_mg_dl", "cd19_cells_per_ul", "anc_10e9_per_l", "superseded"]
    list_filter = ["immunoglobulin_replacement", "superseded"]
    date_hierarchy = "collected_on"


@admin.register(models.Infection)
class InfectionAdmin(JourneyRecordAdmin):
    list_display = ["course", "onset_on", "day", "organism_type", "organism", "site", "severity", "superseded"]
    list_filter = ["organism_type", "site", "severity", "superseded"]


@admin.register(models.LateDiagnosis)
class LateDiagnosisAdmin(JourneyRecordAdmin):
    list_display = ["course", "kind", "diagnosed_on", "day", "description", "manufacturer_notified_on", "superseded"]
    list_filter = ["kind", "superseded"]


@admin.register(models.ImportedHistory)
class ImportedHistoryAdmin(JourneyRecordAdmin):
    """Imported history is written by the import (history_import); here it is only looked up."""

    list_display = ("course", "infused_on", "best_response", "crs_max_grade", "source_line", "imported_at")
    search_fields = ("course__patient__mrn", "course__patient__family_name")
