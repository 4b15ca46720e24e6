"""Check-ins and milestones: the writes that plan, complete, dispatch, alert and deliver
(``services``), the SMS transport (``sms``), and the reads of the work list, the inbox and the
schedule panel (``selectors``). Their date arithmetic is pure, in ``tracker.clinical.days``."""
