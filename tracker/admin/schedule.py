"""The schedule as data: protocols and their rules (versioned), label conditions, the on-call
rota, each course's schedule and overrides (changed through the planning services), check-ins,
alerts and notifications (view-only)."""

from django import forms
from django.contrib import admin
from django.db import transaction
from simple_history.admin import SimpleHistoryAdmin

from tracker import models, tasks
from tracker.admin.mixins import NoDeleteMixin, ViewOnlyMixin
from tracker.schedule.services import planning


class ProtocolRuleInline(admin.StackedInline):
    model = models.ProtocolRule
    extra = 0
    fields = [
        ("kind", "label", "cadence", "assignee_role"),
        ("schedule_type", "every_hours", "first_hour", "from_day", "to_day"),
        ("milestones", "due_time"),
        ("window_before_minutes", "window_after_minutes", "diagnoses"),
        ("counted_from", "registry_track", "extends_to_label_monitoring"),
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
            protocol_id = form.instance.pk
            transaction.on_commit(lambda: tasks.replan_protocol.delay(protocol_id), robust=True)
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
        planning.assign_protocol(
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
        planning.override_rule(
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
