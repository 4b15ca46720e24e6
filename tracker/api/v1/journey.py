"""The journey's records under a course: the care team, eligibility, leukapheresis,
manufacturing runs and infusions, and the course timeline. Listed and written under their
course (``courses``) through the same services as the pages (tracker.journey.services)."""

from rest_framework import serializers

from tracker.models import (
    CareTeamMember,
    EligibilityAssessment,
    Infusion,
    Leukapheresis,
    ManufacturingRun,
)


class CareTeamMemberOutput(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)
    name = serializers.CharField(source="user.get_full_name", read_only=True)

    class Meta:
        model = CareTeamMember
        fields = ["username", "name", "role", "added_at"]


class CareTeamMemberInput(serializers.Serializer):
    username = serializers.CharField(max_length=150, help_text="A staff login of the patient's centre.")
    role = serializers.ChoiceField(choices=CareTeamMember.Role.choices)


class EligibilityOutput(serializers.ModelSerializer):
    assessed_by = serializers.CharField(source="assessed_by.username", read_only=True)

    class Meta:
        model = EligibilityAssessment
        fields = [
            "assessed_on",
            "eligible",
            "consent_signed_on",
            "registry_research_consent",
            "organ_function_adequate",
            "infection_screen_clear",
            "ecog",
            "notes",
            "assessed_by",
            "recorded_at",
        ]


class EligibilityInput(serializers.Serializer):
    assessed_on = serializers.DateField()
    eligible = serializers.BooleanField()
    consent_signed_on = serializers.DateField(required=False, allow_null=True, default=None)
    registry_research_consent = serializers.BooleanField(default=False)
    organ_function_adequate = serializers.BooleanField(default=False)
    infection_screen_clear = serializers.BooleanField(default=False)
    ecog = serializers.IntegerField(min_value=0, max_value=4, required=False, allow_null=True, default=None)
    notes = serializers.CharField(default="", allow_blank=True, max_length=4000)


class CollectionOutput(serializers.ModelSerializer):
    bag_identifiers = serializers.SlugRelatedField(
        source="bags", many=True, slug_field="bag_identifier", read_only=True
    )
    recorded_by = serializers.CharField(source="recorded_by.username", read_only=True)

    class Meta:
        model = Leukapheresis
        fields = [
            "collected_on",
            "site",
            "cd3_yield_e9",
            "volume_processed_l",
            "bag_identifiers",
            "notes",
            "recorded_by",
            "recorded_at",
        ]


class CollectionInput(serializers.Serializer):
    collected_on = serializers.DateField()
    site = serializers.CharField(max_length=200)
    cd3_yield_e9 = serializers.DecimalField(max_digits=8, decimal_places=2, required=False, allow_null=True)
    volume_processed_l = serializers.DecimalField(max_digits=6, decimal_places=2, required=False, allow_null=True)
    bag_identifiers = serializers.ListField(child=serializers.CharField(max_length=64), min_length=1, max_length=20)
    notes = serializers.CharField(default="", allow_blank=True, max_length=4000)


class ManufacturingRunOutput(serializers.ModelSerializer):
    collection_bags = serializers.SlugRelatedField(
        source="collection.bags", many=True, slug_field="bag_identifier", read_only=True
    )
    product_bags = serializers.SlugRelatedField(source="bags", many=True, slug_field="bag_identifier", read_only=True)

    class Meta:
        model = ManufacturingRun
        # The chain-of-identity id is left out: the bedside check reads it from the bag label.
        fields = [
            "manufacturer",
            "lot_number",
            "status",
            "collection_bags",
            "shipped_on",
            "released_on",
            "delivered_on",
            "oos_reason",
            "oos_reported_on",
            "released_under_exception",
            "exception_reason",
            "failure_reason",
            "product_bags",
            "created_at",
        ]


class ManufacturingRunInput(serializers.Serializer):
    collection_bag = serializers.CharField(
        max_length=64, help_text="Any bag identifier of the collection sent for manufacturing."
    )
    manufacturer = serializers.CharField(max_length=100)
    lot_number = serializers.CharField(max_length=64, default="", allow_blank=True)
    coi_id = serializers.CharField(max_length=64, help_text="The chain-of-identity id on the manufacturer's order.")
    shipped_on = serializers.DateField(required=False, allow_null=True, default=None)


class InfusionOutput(serializers.ModelSerializer):
    identity_checked_by = serializers.CharField(source="identity_checked_by.username", read_only=True)
    identity_second_check_by = serializers.CharField(source="identity_second_check_by.username", read_only=True)
    bag_identifiers = serializers.SlugRelatedField(
        source="bags", many=True, slug_field="bag_identifier", read_only=True
    )

    class Meta:
        model = Infusion
        fields = [
            "infused_at",
            "dose_value",
            "dose_unit",
            "bag_identifiers",
            "identity_checked_by",
            "identity_second_check_by",
            "identity_checked_at",
            "premedication",
            "window_warning",
            "notes",
            "recorded_at",
        ]


class TimelineEntry(serializers.Serializer):
    at = serializers.DateTimeField()
    kind = serializers.ChoiceField(
        choices=["stage", "eligibility", "collection", "manufacturing", "infusion", "threshold_event"]
    )
    summary = serializers.CharField()
