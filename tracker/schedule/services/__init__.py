"""Writes of the schedule: ``planning`` (check-ins from the protocol, cadence), ``completion``,
``dispatch`` (the sweep), ``alerts`` (who is told, acknowledge, snooze) and ``delivery``
(email and SMS)."""
