"""Bedside monitoring: vital signs and neurological checks graded for CRS and ICANS, the
treatments given, corrections, review, episodes and threshold events (``services``), and the
reads of the course page's monitoring panel and the ward (``selectors``)."""
