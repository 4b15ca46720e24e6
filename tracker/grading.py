"""The CRS/ICANS grader moved to ``tracker.clinical.grading``; ``tracker.grading`` is the same
module, so programs written against the first release keep working."""

import sys

from tracker.clinical import grading

sys.modules[__name__] = grading
