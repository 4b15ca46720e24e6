"""Admin for every model: searchable lists with the columns and filters a coordinator uses.

Demographics and course details can be corrected here (every change is kept by
django-simple-history, with the user). Journey records (collections, runs, infusions, stage
events, ...) are view-only: they are written through the app's forms, which apply the stage
rules. Nothing clinical can be deleted.

Django's admin autodiscovery imports this package; each module registers its part.
"""

from tracker.admin import bedside, follow_up, journey, people, schedule

__all__ = ["bedside", "follow_up", "journey", "people", "schedule"]
