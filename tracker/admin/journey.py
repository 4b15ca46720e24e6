"""The journey's records: view-only here, written through the app's forms and their rules."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from tracker import models
from tracker.admin.mixins import NoDeleteMixin, ViewOnlyMixin


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
