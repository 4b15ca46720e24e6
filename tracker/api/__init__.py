"""The REST API: ``v1`` under /api/v1/, with its errors and permissions shared by every version."""
