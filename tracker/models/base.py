"""Shared behaviour of clinical records."""

from django.db import models


class ClinicalRecordDeletionError(Exception):
    """Clinical records are kept: correct them with an amendment, never delete them."""


class KeptQuerySet(models.QuerySet):
    def delete(self):
        raise ClinicalRecordDeletionError(
            f"{self.model._meta.verbose_name_plural} are clinical records and are never deleted."
        )


class KeptRecord(models.Model):
    """A clinical record that the application never deletes (Standards: nothing is silently
    deleted). Foreign keys to kept records use PROTECT, so no cascade removes them either."""

    class Meta:
        abstract = True

    def delete(self, *args, **kwargs):
        raise ClinicalRecordDeletionError(
            f"{self._meta.verbose_name} is a clinical record and is never deleted; amend it instead."
        )
