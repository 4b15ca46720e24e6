"""Check-ins and milestones: pure date arithmetic (``rules``), the writes that plan, complete,
dispatch, alert and deliver (``services``), the SMS transport (``sms``) and the reads of the
work list, the inbox and the schedule panel (``selectors``)."""
