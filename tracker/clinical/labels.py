"""What a product's label asks after infusion, and until when (docs/clinical-rules.md §6.6).

Pure rules, standard library only. The label durations are data (``ProductLabelCondition``
rows, one version per product and date, because labels change: FDA removed the REMS on 26 June
2025 and the six CD19/BCMA products' labels went from 4 weeks near the centre and 8 weeks
without driving to 2 weeks each [S9], [S10], [S11], [S13]). The Django layer passes every
version in; these functions choose the one in force and count the periods.

Decisions (docs/clinical-rules.md §6.6; the reference's §11 item 16, "label-driven durations
change: version them per product and date"):

1. **The version in force is chosen by the infusion date**: the newest version of the product
   effective on or before day 0 (the local date of the first infusion). A course infused on the
   day a new label takes effect follows the new label; one infused the day before keeps the old.
   A later label change does not shorten (or lengthen) a course already infused.
2. **A product without label data** (none of its versions in force on day 0: obecabtagene
   autoleucel, an investigational product) gets the most cautious conditions in force on that
   date: for each duration, the longest among the products that have a version in force then
   (the REMS-era versions if day 0 is before every version). The terms say so
   (``has_label_data`` is False), for the physician to see and confirm.
3. **Periods are counted from the infusion moment**, never from the start of a local day: a
   condition of N days ends at the later of N × 24 hours after the first infusion and the same
   local time N days later, so it is at least N full days whichever way they are counted, also
   across a clock change (14 days after 10:00 GMT on 16 March end at 11:00 BST on 30 March,
   which is 14 × 24 hours; 14 days after 10:00 BST on 20 October end at 10:00 GMT on 3
   November, an hour more than 14 × 24 hours). Counting local days instead ("until the start of
   day +14") ended a late-evening infusion's "2 weeks" up to a day early.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from tracker.clinical.days import local_moment_on


@dataclass(frozen=True)
class LabelVersion:
    """One version of one product's label conditions, effective from a date."""

    product: str
    effective_from: date
    monitoring_days: int
    daily_monitoring_days: int
    stay_near_centre_days: int
    no_driving_days: int
    source: str = ""


@dataclass(frozen=True)
class LabelTerms:
    """The conditions that apply to one course, and where they come from."""

    monitoring_days: int
    daily_monitoring_days: int
    stay_near_centre_days: int
    no_driving_days: int
    source: str
    # False: the product has no label version in force on day 0, and these are the most
    # cautious conditions of the products that have one (decision 2).
    has_label_data: bool
    effective_from: date | None


@dataclass(frozen=True)
class LabelPeriods:
    """When each condition ends: instants in UTC, at least N full days after the infusion."""

    monitoring_until: datetime
    daily_monitoring_until: datetime
    stay_near_centre_until: datetime
    no_driving_until: datetime


DURATIONS = ("monitoring_days", "daily_monitoring_days", "stay_near_centre_days", "no_driving_days")


def _newest_by_product(versions: Iterable[LabelVersion], infused_on: date) -> dict[str, LabelVersion]:
    """Each product's newest version effective on or before ``infused_on`` (decision 1)."""
    newest: dict[str, LabelVersion] = {}
    for version in versions:
        if version.effective_from > infused_on:
            continue
        current = newest.get(version.product)
        if current is None or version.effective_from > current.effective_from:
            newest[version.product] = version
    return newest


def terms_for(*, product: str, infused_on: date, versions: Iterable[LabelVersion]) -> LabelTerms | None:
    """The label conditions for a course of ``product`` infused on ``infused_on`` (its day 0).

    The product's own version in force (decision 1), else the most cautious conditions in force
    that day (decision 2). None only when there is no label data at all."""
    versions = list(versions)
    in_force = _newest_by_product(versions, infused_on)
    own = in_force.get(product)
    if own is not None:
        return LabelTerms(
            **{name: getattr(own, name) for name in DURATIONS},
            source=own.source,
            has_label_data=True,
            effective_from=own.effective_from,
        )
    pool = list(in_force.values()) or versions
    if not pool:
        return None
    longest = {name: max(getattr(version, name) for version in pool) for name in DURATIONS}
    products = ", ".join(sorted({version.product for version in pool}))
    return LabelTerms(
        **longest,
        source=(
            f"No label data for this product on {infused_on:%d %b %Y}: the longest durations of the labels in "
            f"force then ({products}) apply until a physician confirms the product's own"
        ),
        has_label_data=False,
        effective_from=None,
    )


def ends_after(infused_at: datetime, days: int, tz: ZoneInfo) -> datetime:
    """The end of a period of ``days`` days from ``infused_at`` (decision 3): the later of
    ``days`` × 24 hours and the same local time ``days`` days later (a time the clock skips
    moves forward), in UTC."""
    if infused_at.tzinfo is None:
        raise ValueError("periods need an aware infusion time; naive times go wrong across DST")
    elapsed = infused_at.astimezone(UTC) + timedelta(days=days)
    local = infused_at.astimezone(tz)
    on_the_clock = local_moment_on(local.date() + timedelta(days=days), local.time(), tz).astimezone(UTC)
    return max(elapsed, on_the_clock)


def periods(terms: LabelTerms, infused_at: datetime, tz: ZoneInfo) -> LabelPeriods:
    """When each condition ends, counted from the infusion moment in the centre's time zone
    ``tz`` (decision 3)."""
    return LabelPeriods(
        monitoring_until=ends_after(infused_at, terms.monitoring_days, tz),
        daily_monitoring_until=ends_after(infused_at, terms.daily_monitoring_days, tz),
        stay_near_centre_until=ends_after(infused_at, terms.stay_near_centre_days, tz),
        no_driving_until=ends_after(infused_at, terms.no_driving_days, tz),
    )
