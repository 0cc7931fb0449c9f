"""Business-calendar arithmetic (dispatch_platform/common/calendar.py): pure Python, no database, no Django settings needed."""

from __future__ import annotations

import datetime as dt
import os
import time
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dispatch_platform.common.calendar import (
    DAY_KEYS,
    BusinessCalendar,
    CalendarError,
    at_risk_moment,
    business_hours_to_spec,
    clear_caches,
    compute_due,
    parse_business_hours,
    validate_target,
)

UTC = dt.UTC
NY = "America/New_York"
LONDON = "Europe/London"
PHOENIX = "America/Phoenix"
LA = "America/Los_Angeles"
WEEKDAYS = DAY_KEYS[:5]
ALL_DAY = {day: [["00:00", "24:00"]] for day in DAY_KEYS}
NIGHTS = {day: [["22:00", "06:00"]] for day in WEEKDAYS}
P2_FOUR_HOURS = {"kind": "duration", "minutes": 240, "calendar": "business_hours"}


def at(tz: str, *args: int, fold: int = 0) -> dt.datetime:
    return dt.datetime(*args, tzinfo=ZoneInfo(tz), fold=fold)


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def local(moment: dt.datetime, tz: str) -> tuple:
    """What a user at the site reads on the wall clock: (Y, M, D, h, m) plus the zone's abbreviation."""
    moment = moment.astimezone(ZoneInfo(tz))
    return moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.tzname()


def ny_office(**kwargs) -> BusinessCalendar:
    return BusinessCalendar.from_spec(timezone=NY, business_hours=None, holidays={"country": "US"}, **kwargs)


# ------------------------------------------------------------------------------------------------------
# Properties over many calendars, opening instants (2024–2030) and amounts

CALENDARS = {
    "new-york office, US holidays": ny_office(),
    "london office, GB/ENG": BusinessCalendar.from_spec(
        timezone=LONDON, business_hours={d: [["09:00", "17:30"]] for d in WEEKDAYS},
        holidays={"country": "GB", "subdivision": "ENG"},
    ),
    "los angeles, split shift + saturday, US/CA": BusinessCalendar.from_spec(
        timezone=LA,
        business_hours={**{d: [["07:00", "12:00"], ["13:00", "19:00"]] for d in WEEKDAYS}, "sat": [["09:00", "13:00"]]},
        holidays={"country": "US", "subdivision": "CA"},
    ),
    "chicago night shift": BusinessCalendar.from_spec(timezone="America/Chicago", business_hours=NIGHTS, holidays={"country": "US"}),
    "phoenix, closures": BusinessCalendar.from_spec(timezone=PHOENIX, closures=["2026-03-11", "2027-01-05"]),
    "london sundays 00-24": BusinessCalendar.from_spec(timezone=LONDON, business_hours={"sun": [["00:00", "24:00"]]}),
    "lord howe (30-min DST) 01:00-03:00": BusinessCalendar.from_spec(
        timezone="Australia/Lord_Howe", business_hours={d: [["01:00", "03:00"]] for d in DAY_KEYS},
    ),
    "24x7": BusinessCalendar.twenty_four_seven(NY),
}
ZONES = [ZoneInfo(z) for z in ("UTC", NY, LONDON, "Asia/Tokyo", "Australia/Lord_Howe", "Asia/Kolkata")]

calendars = st.sampled_from(sorted(CALENDARS)).map(CALENDARS.__getitem__)
openings = st.builds(
    lambda naive, zone: naive.replace(tzinfo=UTC).astimezone(zone),
    st.datetimes(min_value=dt.datetime(2024, 1, 1), max_value=dt.datetime(2030, 12, 31)),
    st.sampled_from(ZONES),
)
amounts = st.one_of(st.integers(0, 30_000), st.floats(0, 30_000, allow_nan=False, allow_infinity=False))
targets = st.one_of(
    st.builds(lambda m, c: {"kind": "duration", "minutes": m, "calendar": c},
              st.integers(1, 20_000), st.sampled_from(["24x7", "business_hours"])),
    st.just({"kind": "next_business_day"}),
    st.builds(lambda n: {"kind": "business_days", "days": n}, st.integers(1, 30)),
)
FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(calendars, openings, amounts)
def test_business_minutes_counted_back_equal_the_minutes_added(cal, opened, minutes):
    due = cal.add_business_minutes(opened, minutes)
    assert due >= opened
    assert due.utcoffset() == dt.timedelta(0)
    assert cal.business_minutes_between(opened, due) == pytest.approx(minutes, abs=1e-6)


@FAST
@given(calendars, openings, amounts, amounts)
def test_more_minutes_never_give_an_earlier_due_time(cal, opened, a, b):
    low, high = sorted((a, b))
    assert cal.add_business_minutes(opened, low) <= cal.add_business_minutes(opened, high)


@FAST
@given(calendars, openings, targets, st.integers(1, 99))
def test_due_never_before_opening_and_at_risk_lies_between(cal, opened, target, percent):
    due = compute_due(target, opened, cal)
    assert due > opened
    risk = at_risk_moment(opened, due, percent, cal, target)
    assert opened <= risk <= due


@FAST
@given(calendars, openings, st.integers(1, 10 * 1440))
def test_open_intervals_add_up_and_are_open(cal, start, span):
    end = start + dt.timedelta(minutes=span)
    periods = list(cal.open_intervals(start, end))
    total = sum((e - s).total_seconds() for s, e in periods) / 60
    assert total == pytest.approx(cal.business_minutes_between(start, end), abs=1e-6)
    for (s, e), following in zip(periods, [*periods[1:], None], strict=False):
        assert start <= s < e <= end
        assert cal.is_open(s) and cal.is_open(s + (e - s) / 2)
        if following is not None:
            assert e < following[0]  # touching periods are merged: a gap separates them
            assert not cal.is_open(e)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(calendars, openings, targets)
def test_results_do_not_depend_on_the_process_time_zone(cal, opened, target):
    saved = os.environ.get("TZ")
    answers = []
    try:
        for tz in ("UTC", "Asia/Tokyo", "America/Los_Angeles", "Australia/Lord_Howe"):
            os.environ["TZ"] = tz
            time.tzset()
            clear_caches()
            fresh = BusinessCalendar(
                timezone=cal.timezone, hours=parse_business_hours(business_hours_to_spec(cal.hours)),
                holiday_country=cal.holiday_country, holiday_subdivision=cal.holiday_subdivision,
                closures=cal.closures, always_open=cal.always_open,
            )
            due = compute_due(target, opened, fresh)
            answers.append((
                due, fresh.add_business_minutes(opened, 0), fresh.is_open(opened),
                fresh.business_minutes_between(opened, due), fresh.business_day_close(opened, 2),
            ))
    finally:
        if saved is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = saved
        time.tzset()
        clear_caches()
    assert all(answer == answers[0] for answer in answers)


# ------------------------------------------------------------------------------------------------------
# Daylight saving time

@pytest.mark.parametrize(("tz", "opened", "expected"), [
    # 24x7: 240 real minutes, so the wall clock moves 5 h when clocks go forward and 3 h when they go back.
    (NY, (2026, 3, 8, 0, 30), (2026, 3, 8, 5, 30, "EDT")),
    (NY, (2026, 11, 1, 0, 30), (2026, 11, 1, 3, 30, "EST")),
    (LONDON, (2026, 3, 29, 0, 30), (2026, 3, 29, 5, 30, "BST")),
    (LONDON, (2026, 10, 25, 0, 30), (2026, 10, 25, 3, 30, "GMT")),
    (PHOENIX, (2026, 3, 8, 0, 30), (2026, 3, 8, 4, 30, "MST")),  # Arizona keeps standard time
])
def test_wall_clock_target_across_a_clock_change(tz, opened, expected):
    cal = BusinessCalendar.from_spec(timezone=tz, holidays=None)
    due = compute_due({"kind": "duration", "minutes": 240, "calendar": "24x7"}, at(tz, *opened), cal)
    assert local(due, tz) == expected
    assert due - at(tz, *opened) == dt.timedelta(hours=4)


@pytest.mark.parametrize(("tz", "day", "hours"), [
    (NY, (2026, 3, 8), 23), (NY, (2026, 11, 1), 25), (NY, (2026, 6, 1), 24),
    (LONDON, (2026, 3, 29), 23), (LONDON, (2026, 10, 25), 25), (LONDON, (2026, 1, 14), 24),
    (PHOENIX, (2026, 3, 8), 24), (PHOENIX, (2026, 11, 1), 24),
])
def test_a_00_to_24_business_day_holds_the_real_hours(tz, day, hours):
    cal = BusinessCalendar.from_spec(timezone=tz, business_hours=ALL_DAY)
    midnight = at(tz, *day)
    next_midnight = at(tz, *(dt.date(*day) + dt.timedelta(days=1)).timetuple()[:3])
    assert cal.business_minutes_between(midnight, next_midnight) == hours * 60
    assert cal.add_business_minutes(midnight, hours * 60) == next_midnight


def test_sunday_only_hours_across_the_spring_and_autumn_changes():
    cal = BusinessCalendar.from_spec(timezone=NY, business_hours={"sun": [["00:00", "24:00"]]})
    saturday = at(NY, 2026, 3, 7, 12)
    # 8 March 2026 has 23 hours: a full day of minutes runs into the following Sunday.
    assert local(cal.add_business_minutes(saturday, 23 * 60), NY) == (2026, 3, 9, 0, 0, "EDT")
    assert local(cal.add_business_minutes(saturday, 24 * 60), NY) == (2026, 3, 15, 1, 0, "EDT")
    autumn = at(NY, 2026, 10, 31, 12)
    # 1 November 2026 has 25 hours: 24 of them end at 23:00.
    assert local(cal.add_business_minutes(autumn, 24 * 60), NY) == (2026, 11, 1, 23, 0, "EST")
    assert local(cal.add_business_minutes(autumn, 25 * 60), NY) == (2026, 11, 2, 0, 0, "EST")


def test_hours_inside_the_repeated_and_the_skipped_hour():
    # Clocks go back at 02:00 EDT: 01:00-03:00 that night lasts 3 real hours and is open through both 01:30s.
    back = BusinessCalendar.from_spec(timezone=NY, business_hours={"sun": [["01:00", "03:00"]]})
    periods = list(back.open_intervals(at(NY, 2026, 11, 1), at(NY, 2026, 11, 2)))
    assert periods == [(utc(2026, 11, 1, 5), utc(2026, 11, 1, 8))]
    assert back.is_open(at(NY, 2026, 11, 1, 1, 30, fold=0)) and back.is_open(at(NY, 2026, 11, 1, 1, 30, fold=1))
    # Clocks jump 02:00 -> 03:00: 02:30-04:00 opens when the clock first reads 02:30 or later, i.e. 03:00 EDT.
    forward = BusinessCalendar.from_spec(timezone=NY, business_hours={"sun": [["02:30", "04:00"]]})
    periods = list(forward.open_intervals(at(NY, 2026, 3, 8), at(NY, 2026, 3, 9)))
    assert periods == [(utc(2026, 3, 8, 7), utc(2026, 3, 8, 8))]
    assert local(forward.add_business_minutes(at(NY, 2026, 3, 7, 12), 0), NY) == (2026, 3, 8, 3, 0, "EDT")


def test_phoenix_opens_at_the_same_utc_time_all_year_while_new_york_moves():
    phoenix = BusinessCalendar.from_spec(timezone=PHOENIX)
    new_york = BusinessCalendar.from_spec(timezone=NY)
    for monday in ((2026, 1, 12), (2026, 7, 13)):
        assert phoenix.add_business_minutes(at(PHOENIX, *monday, 6), 0) == utc(*monday, 15)
    assert new_york.add_business_minutes(at(NY, 2026, 1, 12, 6), 0) == utc(2026, 1, 12, 13)
    assert new_york.add_business_minutes(at(NY, 2026, 7, 13, 6), 0) == utc(2026, 7, 13, 12)
    # Friday 16:00 + 2 business hours, across New York's spring change: Monday 09:00 local in both.
    assert local(phoenix.add_business_minutes(at(PHOENIX, 2026, 3, 6, 16), 120), PHOENIX) == (2026, 3, 9, 9, 0, "MST")
    assert local(new_york.add_business_minutes(at(NY, 2026, 3, 6, 16), 120), NY) == (2026, 3, 9, 9, 0, "EDT")


# ------------------------------------------------------------------------------------------------------
# Opening and closing moments, weekends, holidays, closures

def test_ticket_opened_exactly_at_closing_time_starts_counting_next_morning():
    cal = ny_office()
    closing = at(NY, 2026, 3, 10, 17)
    assert not cal.is_open(closing)
    assert cal.is_open(at(NY, 2026, 3, 10, 16, 59))
    assert local(cal.add_business_minutes(closing, 60), NY) == (2026, 3, 11, 9, 0, "EDT")
    assert local(cal.add_business_minutes(closing, 0), NY) == (2026, 3, 11, 8, 0, "EDT")
    # Opening time is open; minutes that run out at 17:00 are due at 17:00, not the next morning.
    assert cal.add_business_minutes(at(NY, 2026, 3, 10, 8), 0) == at(NY, 2026, 3, 10, 8)
    assert cal.add_business_minutes(at(NY, 2026, 3, 10, 16), 60) == at(NY, 2026, 3, 10, 17)


def test_friday_evening_p2_four_business_hours_is_due_monday_noon():
    due = compute_due(P2_FOUR_HOURS, at(NY, 2026, 3, 13, 18), ny_office())
    assert local(due, NY) == (2026, 3, 16, 12, 0, "EDT")
    # The same moment given in UTC or Tokyo time gives the same answer.
    assert compute_due(P2_FOUR_HOURS, at(NY, 2026, 3, 13, 18).astimezone(ZoneInfo("Asia/Tokyo")), ny_office()) == due


def test_us_independence_day_observed_on_friday_3_july_2026():
    us = holidays.country_holidays("US", years=2026)
    assert us.get(dt.date(2026, 7, 3)) == "Independence Day (observed)"  # 4 July 2026 is a Saturday
    cal = ny_office()
    assert not cal.is_business_day(dt.date(2026, 7, 3))
    assert not cal.is_open(at(NY, 2026, 7, 3, 10))
    assert local(cal.add_business_minutes(at(NY, 2026, 7, 2, 16), 120), NY) == (2026, 7, 6, 9, 0, "EDT")
    assert local(compute_due({"kind": "next_business_day"}, at(NY, 2026, 7, 2, 9), cal), NY) == (2026, 7, 6, 17, 0, "EDT")


def test_new_year_observed_on_friday_31_december_2021():
    cal = ny_office()  # 1 January 2022 is a Saturday: the US list observes it on Friday 31 December 2021
    due = compute_due({"kind": "next_business_day"}, at(NY, 2021, 12, 30, 23, 59), cal)
    assert local(due, NY) == (2022, 1, 3, 17, 0, "EST")


def test_ticket_opened_at_23_59_on_new_years_eve():
    cal = ny_office()
    eve = at(NY, 2026, 12, 31, 23, 59)
    # 1 January 2027 is a Friday holiday: business time starts Monday 4 January.
    assert local(cal.add_business_minutes(eve, 60), NY) == (2027, 1, 4, 9, 0, "EST")
    assert local(compute_due({"kind": "next_business_day"}, eve, cal), NY) == (2027, 1, 4, 17, 0, "EST")
    assert local(compute_due({"kind": "duration", "minutes": 240, "calendar": "24x7"}, eve, cal), NY) == (
        2027, 1, 1, 3, 59, "EST")


def test_thanksgiving_next_business_day_depends_on_the_holiday_list():
    opened = at(NY, 2026, 11, 26, 10)  # Thanksgiving
    assert local(compute_due({"kind": "next_business_day"}, opened, ny_office()), NY) == (2026, 11, 27, 17, 0, "EST")
    # California's list adds the Day After Thanksgiving, so a Los Angeles site's next business day is Monday.
    assert holidays.country_holidays("US", subdiv="CA", years=2026).get(dt.date(2026, 11, 27)) == "Day After Thanksgiving"
    la = BusinessCalendar.from_spec(timezone=LA, holidays={"country": "US", "subdivision": "CA"})
    due = compute_due({"kind": "next_business_day"}, at(LA, 2026, 11, 26, 10), la)
    assert local(due, LA) == (2026, 11, 30, 17, 0, "PST")


@pytest.mark.parametrize(("opened", "expected"), [
    ((2026, 3, 9, 10), (2026, 3, 16, 17, 0, "EDT")),   # Monday -> Monday week (Tue..Fri, Mon)
    ((2026, 3, 14, 10), (2026, 3, 20, 17, 0, "EDT")),  # opened on a Saturday: Mon..Fri
    ((2026, 11, 25, 10), (2026, 12, 3, 17, 0, "EST")),  # Thanksgiving skipped: Fri, Mon, Tue, Wed, Thu
])
def test_five_business_days(opened, expected):
    due = compute_due({"kind": "business_days", "days": 5}, at(NY, *opened), ny_office())
    assert local(due, NY) == expected


def test_saturday_with_hours_is_a_business_day():
    cal = BusinessCalendar.from_spec(
        timezone=NY, business_hours={**{d: [["08:00", "17:00"]] for d in WEEKDAYS}, "sat": [["08:00", "12:00"]]},
    )
    friday = at(NY, 2026, 3, 13, 10)
    assert local(compute_due({"kind": "next_business_day"}, friday, cal), NY) == (2026, 3, 14, 12, 0, "EDT")
    assert local(compute_due({"kind": "business_days", "days": 2}, friday, cal), NY) == (2026, 3, 16, 17, 0, "EDT")
    assert local(cal.add_business_minutes(at(NY, 2026, 3, 13, 16), 120), NY) == (2026, 3, 14, 9, 0, "EDT")


def test_overnight_hours_wrap_past_midnight():
    cal = BusinessCalendar.from_spec(timezone=NY, business_hours=NIGHTS)
    assert business_hours_to_spec(cal.hours) == {
        "mon": [["22:00", "24:00"]],
        "tue": [["00:00", "06:00"], ["22:00", "24:00"]],
        "wed": [["00:00", "06:00"], ["22:00", "24:00"]],
        "thu": [["00:00", "06:00"], ["22:00", "24:00"]],
        "fri": [["00:00", "06:00"], ["22:00", "24:00"]],
        "sat": [["00:00", "06:00"]],
        "sun": [],
    }
    assert local(cal.add_business_minutes(at(NY, 2026, 3, 10, 21), 120), NY) == (2026, 3, 11, 0, 0, "EDT")
    assert local(cal.add_business_minutes(at(NY, 2026, 3, 10, 23), 180), NY) == (2026, 3, 11, 2, 0, "EDT")
    # Friday night runs into Saturday 06:00; what is left waits for Monday 22:00.
    assert local(cal.add_business_minutes(at(NY, 2026, 3, 13, 23), 480), NY) == (2026, 3, 16, 23, 0, "EDT")
    assert not cal.is_open(at(NY, 2026, 3, 10, 12)) and cal.is_open(at(NY, 2026, 3, 11, 0))
    # One open period through midnight, not two.
    assert list(cal.open_intervals(at(NY, 2026, 3, 10, 12), at(NY, 2026, 3, 11, 12))) == [
        (utc(2026, 3, 11, 2), utc(2026, 3, 11, 10))]
    # The night pattern [00:00-06:00, 22:00-24:00] closes at 24:00; Saturday (00:00-06:00) is a business day.
    assert local(cal.business_day_close(at(NY, 2026, 3, 9, 10), 1), NY) == (2026, 3, 11, 0, 0, "EDT")
    assert local(cal.business_day_close(at(NY, 2026, 3, 13, 12), 1), NY) == (2026, 3, 14, 6, 0, "EDT")


def test_london_bank_holidays_for_england():
    cal = BusinessCalendar.from_spec(
        timezone=LONDON, business_hours={d: [["09:00", "17:30"]] for d in WEEKDAYS},
        holidays={"country": "GB", "subdivision": "ENG"},
    )
    # Good Friday 3 April and Easter Monday 6 April 2026 are closed.
    assert local(cal.add_business_minutes(at(LONDON, 2026, 4, 2, 16), 120), LONDON) == (2026, 4, 7, 9, 30, "BST")
    assert local(compute_due({"kind": "next_business_day"}, at(LONDON, 2026, 4, 2, 9), cal), LONDON) == (
        2026, 4, 7, 17, 30, "BST")
    # Boxing Day 2026 is a Saturday, observed Monday 28 December.
    assert local(compute_due({"kind": "next_business_day"}, at(LONDON, 2026, 12, 24, 9), cal), LONDON) == (
        2026, 12, 29, 17, 30, "GMT")


def test_site_closures_are_skipped():
    cal = ny_office(closures=["2026-03-11"])
    assert not cal.is_open(at(NY, 2026, 3, 11, 10))
    assert local(cal.add_business_minutes(at(NY, 2026, 3, 10, 16), 120), NY) == (2026, 3, 12, 9, 0, "EDT")
    assert local(compute_due({"kind": "next_business_day"}, at(NY, 2026, 3, 10, 9), cal), NY) == (
        2026, 3, 12, 17, 0, "EDT")
    assert cal.business_minutes_between(at(NY, 2026, 3, 9), at(NY, 2026, 3, 14)) == 4 * 9 * 60


def test_at_risk_moment_in_wall_clock_and_business_time():
    cal = ny_office()
    opened = at(NY, 2026, 3, 13, 16)  # Friday
    wall = {"kind": "duration", "minutes": 240, "calendar": "24x7"}
    due = compute_due(wall, opened, cal)
    assert at_risk_moment(opened, due, 75, cal, wall) == opened + dt.timedelta(minutes=180)
    due = compute_due(P2_FOUR_HOURS, opened, cal)
    assert local(due, NY) == (2026, 3, 16, 11, 0, "EDT")
    assert local(at_risk_moment(opened, due, 75, cal, P2_FOUR_HOURS), NY) == (2026, 3, 16, 10, 0, "EDT")


def test_twenty_four_seven_counts_every_minute():
    cal = BusinessCalendar.twenty_four_seven(NY)
    opened = at(NY, 2026, 7, 4, 12)  # a holiday and a Saturday: no matter
    assert cal.is_open(opened)
    assert cal.add_business_minutes(opened, 90.5) == opened + dt.timedelta(minutes=90.5)
    assert cal.business_minutes_between(opened, opened + dt.timedelta(days=2)) == 2880
    assert local(cal.business_day_close(opened, 1), NY) == (2026, 7, 6, 0, 0, "EDT")


# ------------------------------------------------------------------------------------------------------
# Validation: each error names the field an API client has to fix

def test_default_hours_and_canonical_echo():
    assert parse_business_hours(None) == {0: ((480, 1020),), 1: ((480, 1020),), 2: ((480, 1020),),
                                          3: ((480, 1020),), 4: ((480, 1020),), 5: (), 6: ()}
    parsed = parse_business_hours({"sat": [["13:00", "24:00"], ["08:00", "12:00"]]})
    assert business_hours_to_spec(parsed) == {**{d: [] for d in DAY_KEYS}, "sat": [["08:00", "12:00"], ["13:00", "24:00"]]}
    assert parse_business_hours({"mon": [["22:00", "00:00"]]})[0] == ((1320, 1440),)


@pytest.mark.parametrize(("spec", "field"), [
    ({"mon": [["08:00", "12:00"], ["11:00", "13:00"]]}, "business_hours.mon[1]"),   # overlap
    ({"mon": [["17:00", "08:00"]]}, "business_hours.mon[0]"),                        # inverted (not a night shift)
    ({"tue": [["08:00", "08:00"]]}, "business_hours.tue[0]"),                        # empty
    ({"wed": [["8am", "12:00"]]}, "business_hours.wed[0]"),                          # malformed
    ({"wed": [["08:00", "25:00"]]}, "business_hours.wed[0]"),
    ({"wed": [["08:00", "12:60"]]}, "business_hours.wed[0]"),
    ({"wed": [["08:00", "24:30"]]}, "business_hours.wed[0]"),
    ({"thu": [["24:00", "06:00"]]}, "business_hours.thu[0]"),                        # 24:00 only ends
    ({"fri": [["08:00"]]}, "business_hours.fri[0]"),
    ({"fri": "08:00-17:00"}, "business_hours.fri"),
    ({"funday": [["08:00", "12:00"]]}, "business_hours.funday"),
    ({"mon": [["22:00", "06:00"]], "tue": [["05:00", "09:00"]]}, "business_hours.tue[0]"),  # wrap overlaps next day
    (["08:00", "17:00"], "business_hours"),
])
def test_bad_business_hours_name_the_field(spec, field):
    with pytest.raises(CalendarError) as caught:
        parse_business_hours(spec)
    assert caught.value.field == field
    with pytest.raises(CalendarError) as caught:
        BusinessCalendar.from_spec(timezone=NY, business_hours=spec)
    assert caught.value.field == field


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
    ({"timezone": ""}, "timezone"),
    ({"timezone": NY, "holidays": {"country": "XX"}}, "holidays.country"),
    ({"timezone": NY, "holidays": {"country": "US", "subdivision": "ZZ"}}, "holidays.subdivision"),
    ({"timezone": NY, "holidays": {"subdivision": "CA"}}, "holidays.country"),
    ({"timezone": NY, "closures": ["2026-02-30"]}, "closures"),
])
def test_bad_calendar_settings_name_the_field(kwargs, field):
    with pytest.raises(CalendarError) as caught:
        BusinessCalendar.from_spec(**kwargs)
    assert caught.value.field == field


@pytest.mark.parametrize(("target", "field"), [
    ({"kind": "duration", "minutes": 0, "calendar": "24x7"}, "targets[0].response.minutes"),
    ({"kind": "duration", "minutes": -30, "calendar": "business_hours"}, "targets[0].response.minutes"),
    ({"kind": "duration", "calendar": "24x7"}, "targets[0].response.minutes"),
    ({"kind": "duration", "minutes": True, "calendar": "24x7"}, "targets[0].response.minutes"),
    ({"kind": "duration", "minutes": 60, "calendar": "weekdays"}, "targets[0].response.calendar"),
    ({"kind": "duration", "minutes": 60}, "targets[0].response.calendar"),
    ({"kind": "business_days", "days": 0}, "targets[0].response.days"),
    ({"kind": "business_days", "days": 1.5}, "targets[0].response.days"),
    ({"kind": "business_days"}, "targets[0].response.days"),
    ({"kind": "fortnight"}, "targets[0].response.kind"),
    ("4h", "targets[0].response"),
])
def test_bad_targets_name_the_field(target, field):
    with pytest.raises(CalendarError) as caught:
        validate_target(target, "targets[0].response")
    assert caught.value.field == field
    assert caught.value.message


def test_good_targets_pass_validation():
    for target in ({"kind": "duration", "minutes": 240, "calendar": "24x7"}, P2_FOUR_HOURS,
                   {"kind": "next_business_day"}, {"kind": "business_days", "days": 5}):
        validate_target(target, "targets[0].resolution")


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        ny_office().add_business_minutes(dt.datetime(2026, 3, 10, 9), 60)
