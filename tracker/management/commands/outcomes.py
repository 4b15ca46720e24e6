"""`python manage.py outcomes --format json`: the programme's headline outcomes (issue 12 item 5).

Prints exactly the keys of `tracker.outcomes.statistics.summary` (docs/clinical-rules.md §10):
`denominators`, `day28_remission`, `best_overall_response`, `crs`, `icans`, `efs`, `os`. Rates
and estimates are fractions between 0 and 1. The filters are those of the outcomes page.
"""

import json
from datetime import date

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from tracker.models import TreatmentCourse
from tracker.outcomes.definitions import Origin
from tracker.outcomes.selectors import AGE_GROUPS, OutcomeFilters, outcome_facts
from tracker.outcomes.statistics import summary


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{value!r} is not an ISO date (YYYY-MM-DD)") from None


class Command(BaseCommand):
    help = "Print the programme's outcomes (denominators, response, CRS/ICANS, EFS and OS) as JSON or text."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=("json", "text"), default="text")
        parser.add_argument("--origin", choices=[o.value for o in Origin], default=Origin.INFUSION.value)
        parser.add_argument("--diagnosis", choices=TreatmentCourse.Diagnosis.values, default="")
        parser.add_argument("--product", default="", help="a product code, e.g. tisa_cel")
        parser.add_argument("--target-antigen", default="", help="e.g. CD19")
        parser.add_argument("--age-group", choices=AGE_GROUPS, default="")
        parser.add_argument("--infused-from", type=_date, default=None, help="ISO date, inclusive")
        parser.add_argument("--infused-to", type=_date, default=None, help="ISO date, inclusive")
        parser.add_argument("--user", default="", help="only the courses this username may see (default: every course)")

    def handle(self, *args, **options):
        courses = TreatmentCourse.objects.all()
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"--user: no user named {options['user']!r}")
            courses = TreatmentCourse.objects.visible_to(user)
        filters = OutcomeFilters(
            diagnosis=options["diagnosis"],
            product=options["product"],
            target_antigen=options["target_antigen"],
            age_group=options["age_group"],
            infused_from=options["infused_from"],
            infused_to=options["infused_to"],
        )
        result = summary(outcome_facts(courses, filters), origin=options["origin"])
        if options["format"] == "json":
            self.stdout.write(json.dumps(result, indent=2))
            return
        self.stdout.write(_text(result))


def _rate(rate: dict) -> str:
    if rate["rate"] is None:
        return f"{rate['n']}/{rate['of']} (no courses)"
    return f"{rate['n']}/{rate['of']} = {rate['rate']:.1%} (95% CI {rate['ci_low']:.1%}-{rate['ci_high']:.1%})"


def _estimate(value: dict) -> str:
    if value["estimate"] is None:
        return "not reached by follow-up"
    return f"{value['estimate']:.1%} (95% CI {value['ci_low']:.1%}-{value['ci_high']:.1%})"


def _text(result: dict) -> str:
    d = result["denominators"]
    lines = [
        f"Apheresed {d['apheresed']}, infused {d['infused']}, evaluable at day +28 {d['evaluable_day28']}",
        f"Day +28 remission: {_rate(result['day28_remission'])}",
        f"Best overall response: {_rate(result['best_overall_response'])}",
    ]
    for kind in ("crs", "icans"):
        grades = ", ".join(f"grade {g}: {n}" for g, n in result[kind]["by_max_grade"].items())
        lines.append(
            f"{kind.upper()} any grade {_rate(result[kind]['any'])}; grade >= 3 "
            f"{_rate(result[kind]['grade_3_or_more'])}; {grades}"
        )
    for kind in ("efs", "os"):
        curve = result[kind]
        median = "not reached" if curve["median_months"] is None else f"{curve['median_months']:.1f} months"
        lines.append(
            f"{kind.upper()}: median {median}; 6 months {_estimate(curve['at_6_months'])}; "
            f"12 months {_estimate(curve['at_12_months'])}"
        )
    return "\n".join(lines)
