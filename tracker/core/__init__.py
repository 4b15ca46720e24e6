"""What every part of the tracker shares: the refusal error, guards, the audited save, roles
and the centre's clock. Imports nothing from the rest of the tracker but its pure rules."""
