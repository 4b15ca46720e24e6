"""Label conditions after infusion (docs/clinical-rules.md §6.6): the version in force by
infusion date, the most cautious conditions for a product without label data, and periods of
full days from the infusion moment. The versions are the default protocol's, as installed."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.clinical.labels import LabelVersion, periods, terms_for
from tracker.default_protocol import LABEL_CONDITIONS, LABELLED_PRODUCTS

LONDON = ZoneInfo("Europe/London")
LABEL_CHANGE = date(2025, 6, 26)  # FDA removed the REMS; the six labels changed [S9]
VERSIONS = [
    LabelVersion(product=product, **condition) for product in LABELLED_PRODUCTS for condition in LABEL_CONDITIONS
]


def durations(terms):
    return (terms.monitoring_days, terms.daily_monitoring_days, terms.stay_near_centre_days, terms.no_driving_days)


# (infusion date, monitoring, daily monitoring, stay near the centre, no driving)
BY_DATE = [
    ("REMS era, a year before the change", date(2024, 6, 26), (28, 7, 28, 56)),
    ("the day before the change", LABEL_CHANGE - timedelta(days=1), (28, 7, 28, 56)),
    ("the day the labels changed", LABEL_CHANGE, (14, 7, 14, 14)),
    ("after the change", date(2026, 3, 16), (14, 7, 14, 14)),
]


@pytest.mark.parametrize("product", LABELLED_PRODUCTS)
@pytest.mark.parametrize(("case", "infused_on", "expected"), BY_DATE, ids=[row[0] for row in BY_DATE])
def test_decision_11_16_label_durations_are_chosen_by_infusion_date(product, case, infused_on, expected):
    terms = terms_for(product=product, infused_on=infused_on, versions=VERSIONS)
    assert durations(terms) == expected
    assert terms.has_label_data is True


def test_the_rems_era_label_asks_28_days_near_the_centre_and_56_without_driving():
    infused_at = datetime(2025, 5, 1, 10, 0, tzinfo=LONDON)
    terms = terms_for(product="axi_cel", infused_on=infused_at.date(), versions=VERSIONS)
    ends = periods(terms, infused_at, LONDON)
    assert terms.effective_from == date(2017, 8, 30)
    assert ends.monitoring_until == ends.stay_near_centre_until == datetime(2025, 5, 29, 10, 0, tzinfo=LONDON)
    assert ends.no_driving_until == datetime(2025, 6, 26, 10, 0, tzinfo=LONDON)
    assert ends.daily_monitoring_until == datetime(2025, 5, 8, 10, 0, tzinfo=LONDON)


def test_a_course_infused_the_day_before_the_change_keeps_the_old_label_to_its_end():
    # A later label does not shorten a course already infused: 56 days without driving.
    infused_at = datetime(2025, 6, 25, 23, 30, tzinfo=LONDON)
    terms = terms_for(product="cilta_cel", infused_on=infused_at.date(), versions=VERSIONS)
    assert periods(terms, infused_at, LONDON).no_driving_until == infused_at + timedelta(days=56)


@pytest.mark.parametrize("product", ["obe_cel", "investigational"])
def test_a_product_without_label_data_gets_the_most_cautious_conditions_in_force_and_a_flag(product):
    after = terms_for(product=product, infused_on=date(2026, 3, 16), versions=VERSIONS)
    assert durations(after) == (14, 7, 14, 14)
    assert after.has_label_data is False and after.effective_from is None
    assert "No label data" in after.source
    before = terms_for(product=product, infused_on=date(2025, 1, 10), versions=VERSIONS)
    assert durations(before) == (28, 7, 28, 56)
    assert before.has_label_data is False


def test_the_most_cautious_conditions_take_the_longest_of_each_duration():
    versions = [
        LabelVersion("a", date(2025, 1, 1), 14, 7, 28, 14),
        LabelVersion("b", date(2025, 1, 1), 21, 10, 14, 14),
        LabelVersion("b", date(2026, 1, 1), 14, 7, 14, 14),  # not in force yet
        LabelVersion("c", date(2027, 1, 1), 60, 60, 60, 60),  # not in force yet
    ]
    terms = terms_for(product="new", infused_on=date(2025, 6, 1), versions=versions)
    assert durations(terms) == (21, 10, 28, 14)


def test_before_every_version_the_most_cautious_of_all_versions_apply():
    terms = terms_for(product="obe_cel", infused_on=date(2010, 1, 1), versions=VERSIONS)
    assert durations(terms) == (28, 7, 28, 56) and terms.has_label_data is False


def test_without_any_label_data_there_are_no_terms():
    assert terms_for(product="axi_cel", infused_on=date(2026, 1, 1), versions=[]) is None


def test_two_weeks_after_a_late_evening_infusion_end_14_full_days_later():
    # Infused at 22:30; the start of local day +14 would be 22.5 hours short of two weeks.
    infused_at = datetime(2026, 7, 1, 22, 30, tzinfo=LONDON)
    terms = terms_for(product="liso_cel", infused_on=infused_at.date(), versions=VERSIONS)
    ends = periods(terms, infused_at, LONDON)
    assert ends.stay_near_centre_until == ends.no_driving_until == datetime(2026, 7, 15, 22, 30, tzinfo=LONDON)
    assert ends.stay_near_centre_until - infused_at.astimezone(UTC) == timedelta(days=14)


@pytest.mark.parametrize(
    ("infused_at", "ends"),
    [
        # Clocks forward on 29 March: 14 × 24 hours is the later, 11:00 BST.
        (datetime(2026, 3, 16, 10, 0, tzinfo=LONDON), "30 March 11:00 BST"),
        # Clocks back on 25 October: 10:00 on the clock is the later, 14 × 24 hours + 1.
        (datetime(2026, 10, 20, 10, 0, tzinfo=LONDON), "03 November 10:00 GMT"),
        # Infused at 01:30 the day of the autumn change (BST): two weeks later, 01:30 GMT.
        (datetime(2026, 10, 25, 1, 30, tzinfo=LONDON), "08 November 01:30 GMT"),
    ],
)
def test_periods_are_full_days_both_in_elapsed_time_and_on_the_clock_across_a_clock_change(infused_at, ends):
    terms = terms_for(product="axi_cel", infused_on=infused_at.date(), versions=VERSIONS)
    until = periods(terms, infused_at, LONDON).stay_near_centre_until
    assert until.astimezone(LONDON).strftime("%d %B %H:%M %Z") == ends
    assert until - infused_at >= timedelta(days=14)


def test_periods_need_an_aware_infusion_time():
    terms = terms_for(product="axi_cel", infused_on=date(2026, 3, 16), versions=VERSIONS)
    with pytest.raises(ValueError, match="aware"):
        periods(terms, datetime(2026, 3, 16, 10, 0), LONDON)  # naive, on purpose


@settings(max_examples=200, deadline=None)
@given(
    moment=st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2027, 12, 31)),
    zone=st.sampled_from(["Europe/London", "America/New_York", "Australia/Sydney"]),
    product=st.sampled_from([*LABELLED_PRODUCTS, "obe_cel", "investigational"]),
)
def test_every_condition_lasts_at_least_its_days_in_full_from_the_infusion_moment(moment, zone, product):
    tz = ZoneInfo(zone)
    infused_at = moment.replace(tzinfo=UTC).astimezone(tz)
    terms = terms_for(product=product, infused_on=infused_at.date(), versions=VERSIONS)
    ends = periods(terms, infused_at, tz)
    for until, days in [
        (ends.monitoring_until, terms.monitoring_days),
        (ends.stay_near_centre_until, terms.stay_near_centre_days),
        (ends.no_driving_until, terms.no_driving_days),
    ]:
        # At least N × 24 hours, and at most an hour more (the clock change in between).
        assert timedelta(days=days) <= until - infused_at <= timedelta(days=days, hours=1)
        # Never before the same local time N days later.
        on_the_clock = (infused_at.replace(tzinfo=None) + timedelta(days=days)).replace(tzinfo=tz)
        assert until >= on_the_clock.astimezone(UTC) or not _exists(on_the_clock)


def _exists(moment: datetime) -> bool:
    return moment.astimezone(UTC).astimezone(moment.tzinfo).replace(tzinfo=None) == moment.replace(tzinfo=None)
