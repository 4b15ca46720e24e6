"""Logins: staff with their role and centre, and a patient's own login (``services``)."""
