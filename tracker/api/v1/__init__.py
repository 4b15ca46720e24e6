"""API v1: one module per resource, mounted at /api/v1/ (tracker/urls.py)."""
