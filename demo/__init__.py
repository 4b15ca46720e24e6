"""The demo: a cohort of about sixty patients over every stage, built through the tracker's own
services (``seed_demo``), and the sign-in page's list of demo logins. No models of its own."""
