"""Business-calendar arithmetic for SLA clocks: pure Python, no Django.

A site's calendar is its weekly business hours in its own IANA time zone, minus its public holidays (the
`holidays` package's list for a country and optional subdivision) and its closures (extra closed local
dates). Everything here takes timezone-aware datetimes in any zone and answers aware UTC datetimes; nothing
reads the process's local time zone (the TZ environment variable has no effect).

Rules (api-contract.md, "sites" and "sla-policies"):
- Business minutes are real elapsed minutes: on a DST-change day `00:00–24:00` holds 23 or 25 hours.
- A local wall-clock time W becomes *the first instant at which the site's clock reads W or later*:
  an ambiguous time (the repeated hour when clocks go back) is its first occurrence (fold=0); a time
  that does not exist (the hour skipped when clocks go forward) is the moment of the jump. "24:00" is the
  next local midnight under the same rule. So `[01:00, 03:00]` on a fall-back night lasts 3 real hours,
  and `[02:30, 04:00]` on a spring-forward night lasts 1 (from 03:00 to 04:00).
- A business day is a local date with at least one interval that is not a holiday or closure (a Saturday
  with hours is one); its close is the end of its last interval.
- `add_business_minutes(start, 0)` is `start` when the site is open at `start`, else the next opening;
  a positive amount that runs out exactly at a closing time answers that closing time.

Internally instants are integer microseconds since the Unix epoch, so results are exact to the microsecond.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "CalendarError",
    "BusinessCalendar",
    "DAY_KEYS",
    "DEFAULT_BUSINESS_HOURS",
    "parse_business_hours",
    "business_hours_to_spec",
    "validate_target",
    "compute_due",
    "at_risk_moment",
    "clear_caches",
]

UTC = dt.UTC
DAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MINUTES_PER_DAY = 1440
MAX_WRAP_MINUTES = 12 * 60  # a start-after-end interval longer than this is taken as a typo, not a night shift
MAX_TARGET_MINUTES = 10 * 366 * MINUTES_PER_DAY
MAX_TARGET_DAYS = 3660
MAX_CLOSED_RUN_DAYS = 3660  # this many closed local dates in a row: give up instead of looping on

_US = dt.timedelta(microseconds=1)
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_NAIVE = dt.datetime(1970, 1, 1)
_US_PER_MINUTE = 60_000_000
_HHMM = re.compile(r"^(\d{1,2}):(\d{2})$")

Hours = dict[int, tuple[tuple[int, int], ...]]


class CalendarError(ValueError):
    """Invalid calendar or SLA target input; `field` names it the way an API 400 should."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


# --------------------------------------------------------------------------------------------------------
# Business hours: parse, validate, echo


def _fmt(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _parse_time(value: object, field: str, *, end: bool) -> int:
    if not isinstance(value, str):
        raise CalendarError(field, f'Times are "HH:MM" strings, got {value!r}.')
    m = _HHMM.match(value.strip())
    if not m:
        raise CalendarError(field, f'"{value}" is not a time; use "HH:MM" (00:00–24:00).')
    hours, minutes = int(m.group(1)), int(m.group(2))
    if hours > 24 or minutes > 59:
        raise CalendarError(field, f'"{value}" is not a time of day; hours go 00–24 and minutes 00–59.')
    if hours == 24:
        if minutes:
            raise CalendarError(field, f'"{value}" is past the end of the day; the latest time is "24:00".')
        if not end:
            raise CalendarError(field, '"24:00" can only end an interval; start at "00:00" the next day.')
    return hours * 60 + minutes


def parse_business_hours(spec: Mapping | None, *, field: str = "business_hours") -> Hours:
    """`{"mon": [["08:00", "17:00"]], ...}` → `{0: ((480, 1020),), ..., 6: ()}` (weekday 0 = Monday).

    Minutes count from local midnight; an end of 1440 is "24:00". A missing day is closed; None is the
    tenant default (Mon–Fri 08:00–17:00). A wrapping interval such as `["22:00", "06:00"]` (at most 12 hours)
    is stored as `(1320, 1440)` that day and `(0, 360)` the next. Raises CalendarError naming the field,
    e.g. "business_hours.mon[1]".
    """
    if spec is None:
        return dict(DEFAULT_BUSINESS_HOURS)
    if not isinstance(spec, Mapping):
        raise CalendarError(field, 'Business hours are an object such as {"mon": [["08:00", "17:00"]], ..., "sun": []}.')
    per_day: dict[int, list[tuple[int, int, str]]] = {d: [] for d in range(7)}
    for key, intervals in spec.items():
        if key not in DAY_KEYS:
            raise CalendarError(f"{field}.{key}", f"Unknown day {key!r}; days are {', '.join(DAY_KEYS)}.")
        day = DAY_KEYS.index(key)
        if intervals is None:
            continue
        if isinstance(intervals, str | bytes) or not isinstance(intervals, list | tuple):
            raise CalendarError(f"{field}.{key}", 'A day is a list of ["HH:MM", "HH:MM"] intervals ([] = closed).')
        for i, interval in enumerate(intervals):
            where = f"{field}.{key}[{i}]"
            if isinstance(interval, str | bytes) or not isinstance(interval, list | tuple) or len(interval) != 2:
                raise CalendarError(where, 'An interval is a pair ["HH:MM", "HH:MM"].')
            start = _parse_time(interval[0], where, end=False)
            end = _parse_time(interval[1], where, end=True)
            if start == end:
                raise CalendarError(where, f"Empty interval: it starts and ends at {_fmt(start)}.")
            if start < end:
                per_day[day].append((start, end, where))
                continue
            # start > end: an overnight interval wrapping past midnight, or a typo.
            length = MINUTES_PER_DAY - start + end
            if length > MAX_WRAP_MINUTES:
                raise CalendarError(
                    where,
                    f"The interval ends ({_fmt(end)}) before it starts ({_fmt(start)}). An overnight interval "
                    f"wrapping past midnight may last at most 12 hours; write a longer one as its two halves, "
                    f'["{_fmt(start)}", "24:00"] on {key} and ["00:00", "{_fmt(end)}"] on the next day.',
                )
            per_day[day].append((start, MINUTES_PER_DAY, where))
            if end:
                per_day[(day + 1) % 7].append((0, end, where))
    hours: Hours = {}
    for day, items in per_day.items():
        items.sort(key=lambda item: (item[0], item[1]))
        for (s0, e0, f0), (s1, e1, f1) in zip(items, items[1:], strict=False):
            if s1 < e0:
                raise CalendarError(
                    f1,
                    f"{_fmt(s1)}–{_fmt(e1)} on {DAY_KEYS[day]} overlaps {_fmt(s0)}–{_fmt(e0)} "
                    f"(from {f0}); a day's intervals must not overlap.",
                )
        hours[day] = tuple((s, e) for s, e, _ in items)
    return hours


def business_hours_to_spec(hours: Mapping[int, Iterable[tuple[int, int]]]) -> dict[str, list[list[str]]]:
    """The canonical JSON form of parsed hours (all seven days, "24:00" for 1440): what the API echoes."""
    return {key: [[_fmt(s), _fmt(e)] for s, e in sorted(hours.get(day, ()))] for day, key in enumerate(DAY_KEYS)}


DEFAULT_BUSINESS_HOURS: Mapping[int, tuple[tuple[int, int], ...]] = {
    day: (((8 * 60, 17 * 60),) if day < 5 else ()) for day in range(7)
}
_ALL_DAY: Hours = {day: ((0, MINUTES_PER_DAY),) for day in range(7)}


def _week_of(hours: Mapping, field: str = "business_hours") -> tuple[tuple[tuple[int, int], ...], ...]:
    """Checks an already-parsed hours mapping (int weekday keys): the seven days' sorted intervals."""
    if type(hours) is _Parsed:
        return hours.week
    if not isinstance(hours, Mapping):
        raise CalendarError(field, "Parsed business hours are a mapping of weekday (0 = Monday) to intervals.")
    extra = set(hours) - set(range(7))
    if extra:
        raise CalendarError(field, f"Unknown weekday keys {sorted(extra, key=str)!r}; use 0 (Monday) to 6 (Sunday).")
    try:
        week = tuple(tuple((int(s), int(e)) for s, e in hours.get(day, ())) for day in range(7))
    except (TypeError, ValueError):
        raise CalendarError(field, "Parsed business hours hold (start, end) minutes from local midnight.")
    return _check_week(week, field)


@lru_cache(maxsize=4096)
def _check_week(week, field: str):
    out = []
    for day, intervals in enumerate(week):
        intervals = tuple(sorted(intervals))
        for s, e in intervals:
            if not 0 <= s < e <= MINUTES_PER_DAY:
                raise CalendarError(f"{field}.{DAY_KEYS[day]}", f"Bad interval ({s}, {e}) in minutes from midnight.")
        for (_, e0), (s1, _) in zip(intervals, intervals[1:], strict=False):
            if s1 < e0:
                raise CalendarError(f"{field}.{DAY_KEYS[day]}", "A day's intervals must not overlap.")
        out.append(intervals)
    return tuple(out)


def _normalise_hours(hours: Mapping, field: str = "business_hours") -> Hours:
    return dict(enumerate(_week_of(hours, field)))


class _Parsed(dict):
    """Parsed hours that are known valid, carrying their week tuple (spares re-checking them). Shared
    between calendars through caches, so read-only."""

    week: tuple = ()

    def _read_only(self, *args, **kwargs):
        raise TypeError("parsed business hours are read-only; build new ones with parse_business_hours")

    __setitem__ = __delitem__ = update = pop = popitem = clear = setdefault = __ior__ = _read_only


def _parsed(week) -> _Parsed:
    out = _Parsed(enumerate(week))
    out.week = week
    return out


@lru_cache(maxsize=4096)
def _parse_json(spec_json: str, field: str) -> _Parsed:
    return _parsed(_week_of(parse_business_hours(json.loads(spec_json), field=field), field))


# --------------------------------------------------------------------------------------------------------
# Time zones, holidays and per-day open periods (all cached at module level)


@lru_cache(maxsize=512)
def _zone(key: str) -> ZoneInfo:
    if not isinstance(key, str) or not key.strip():
        raise CalendarError("timezone", "A time zone is needed (an IANA name such as 'America/New_York').")
    try:
        return ZoneInfo(key)
    except (ZoneInfoNotFoundError, ValueError, TypeError, OSError):
        raise CalendarError("timezone", f"Unknown time zone {key!r}; use an IANA name such as 'America/New_York'.")


@lru_cache(maxsize=1024)
def _check_holidays(country: str, subdivision: str | None) -> None:
    import holidays as holidays_lib

    if country not in holidays_lib.list_supported_countries():
        raise CalendarError("holidays.country", f"No public-holiday list for country {country!r} (use ISO 3166-1 alpha-2).")
    try:
        holidays_lib.country_holidays(country, subdiv=subdivision)
    except NotImplementedError:
        if subdivision is None:
            raise CalendarError("holidays.country", f"No public-holiday list for country {country!r}.")
        raise CalendarError(
            "holidays.subdivision", f"Country {country!r} has no subdivision {subdivision!r} in the holiday lists."
        )


@lru_cache(maxsize=4096)
def _holiday_dates(country: str, subdivision: str | None, year: int) -> frozenset[dt.date]:
    import holidays as holidays_lib

    return frozenset(holidays_lib.country_holidays(country, subdiv=subdivision, years=year).keys())


def _wall_to_us(zone: ZoneInfo, day: dt.date, minute: int) -> int:
    """The first instant (µs since epoch) at which the local clock in `zone` reads `day` + `minute` or later."""
    naive = dt.datetime(day.year, day.month, day.day) + dt.timedelta(minutes=minute)
    aware = naive.replace(tzinfo=zone)  # fold=0: an ambiguous time is its first occurrence
    utc_naive = naive - aware.utcoffset()
    back = (utc_naive.replace(tzinfo=UTC)).astimezone(zone).replace(tzinfo=None)
    if back == naive:
        return (utc_naive - _EPOCH_NAIVE) // _US
    # The time does not exist (clocks jumped over it): answer the jump. fold=1 reads the time with the
    # offset after the jump, giving an instant before it; fold=0 one after it. Bisect between them (seconds).
    lo = (naive - naive.replace(tzinfo=zone, fold=1).utcoffset() - _EPOCH_NAIVE) // dt.timedelta(seconds=1)
    hi = (utc_naive - _EPOCH_NAIVE) // dt.timedelta(seconds=1)
    if lo > hi:
        lo, hi = hi, lo
    while lo < hi:
        mid = (lo + hi) // 2
        local = (_EPOCH + dt.timedelta(seconds=mid)).astimezone(zone).replace(tzinfo=None)
        if local >= naive:
            hi = mid
        else:
            lo = mid + 1
    return hi * 1_000_000


_NO_PERIODS: tuple[tuple[int, int], ...] = ()
_DAY_CACHE_LIMIT = 50_000


class _Schedule:
    """The open periods of each local date for one (zone, week, holidays, closures), memoised by date ordinal.

    Shared by every BusinessCalendar with the same definition (site_calendar builds one per call), so the
    wall-clock → UTC conversions and holiday look-ups happen once per site and date.
    """

    __slots__ = ("zone", "week", "country", "subdivision", "closures", "_days", "_holidays")

    def __init__(self, tz: str, week, country, subdivision, closures) -> None:
        self.zone = _zone(tz)
        self.week = week
        self.country, self.subdivision, self.closures = country, subdivision, closures
        self._days: dict[int, tuple[tuple[int, int], ...]] = {}
        self._holidays: dict[int, frozenset[dt.date]] = {}

    def is_business_day(self, day: dt.date) -> bool:
        return bool(self.week[day.weekday()]) and not self.closed(day)

    def closed(self, day: dt.date) -> bool:
        if day in self.closures:
            return True
        if self.country is None:
            return False
        year = self._holidays.get(day.year)
        if year is None:
            year = self._holidays[day.year] = _holiday_dates(self.country, self.subdivision, day.year)
        return day in year

    def periods(self, ordinal: int) -> tuple[tuple[int, int], ...]:
        """A local date's open intervals as (start, end) µs since epoch; none on holidays and closures;
        intervals swallowed by a DST jump vanish."""
        found = self._days.get(ordinal)
        if found is not None:
            return found
        day = dt.date.fromordinal(ordinal)
        intervals = self.week[day.weekday()]
        if not intervals or self.closed(day):
            found = _NO_PERIODS
        else:
            out = []
            for s, e in intervals:
                us_s, us_e = _wall_to_us(self.zone, day, s), _wall_to_us(self.zone, day, e)
                if us_e > us_s:
                    out.append((us_s, us_e))
            found = tuple(out)
        if len(self._days) >= _DAY_CACHE_LIMIT:
            self._days.clear()
        self._days[ordinal] = found
        return found


@lru_cache(maxsize=4096)
def _schedule(tz: str, week, country, subdivision, closures) -> _Schedule:
    return _Schedule(tz, week, country, subdivision, closures)


def clear_caches() -> None:
    """Forgets cached zones, holiday lists, parsed hours and day periods (tests use it to show that
    results don't depend on the process's TZ)."""
    _zone.cache_clear()
    _check_holidays.cache_clear()
    _holiday_dates.cache_clear()
    _schedule.cache_clear()
    _parse_json.cache_clear()
    _check_week.cache_clear()


def _to_us(moment: dt.datetime, name: str = "datetime") -> int:
    if not isinstance(moment, dt.datetime):
        raise TypeError(f"{name} must be a datetime, got {type(moment).__name__}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {moment.isoformat()}")
    return (moment - _EPOCH) // _US


def _from_us(us: int) -> dt.datetime:
    return _EPOCH + dt.timedelta(microseconds=us)


def _minutes_to_us(minutes: float, name: str = "minutes") -> int:
    if isinstance(minutes, bool) or not isinstance(minutes, int | float) or not math.isfinite(minutes):
        raise ValueError(f"{name} must be a finite number, got {minutes!r}")
    if minutes < 0:
        raise ValueError(f"{name} must not be negative, got {minutes!r}")
    return round(minutes * _US_PER_MINUTE)


# --------------------------------------------------------------------------------------------------------
# The calendar


@dataclass(frozen=True)
class BusinessCalendar:
    """A site's (or a shift's) open time: weekly hours in `timezone`, minus holidays and closures.

    `hours` maps weekday (0 = Monday) to sorted (start, end) minutes from local midnight (see
    parse_business_hours). `always_open` makes every instant open (a 24x7 wall clock: hours, holidays and
    closures are then ignored).
    """

    timezone: str
    hours: Mapping[int, tuple[tuple[int, int], ...]] = field(default_factory=lambda: dict(DEFAULT_BUSINESS_HOURS), hash=False)
    holiday_country: str | None = None
    holiday_subdivision: str | None = None
    closures: frozenset[dt.date] = frozenset()
    always_open: bool = False

    def __post_init__(self) -> None:
        _zone(self.timezone)
        week = _week_of(self.hours)
        country = self.holiday_country
        subdivision = self.holiday_subdivision
        if country is not None:
            if not isinstance(country, str) or not country.strip():
                raise CalendarError("holidays.country", "A country code is needed (ISO 3166-1 alpha-2, e.g. 'US').")
            country = country.strip().upper()
            if subdivision is not None:
                if not isinstance(subdivision, str):
                    raise CalendarError("holidays.subdivision", "A subdivision is a code such as 'CA' or 'ENG'.")
                subdivision = subdivision.strip() or None
            if subdivision is not None:
                try:
                    _check_holidays(country, subdivision)
                except CalendarError:
                    if subdivision.upper() == subdivision:
                        raise
                    subdivision = subdivision.upper()
                    _check_holidays(country, subdivision)
            else:
                _check_holidays(country, None)
        elif subdivision is not None:
            raise CalendarError("holidays.country", "A subdivision needs its country.")
        closures = self.closures
        if not (isinstance(closures, frozenset) and all(type(d) is dt.date for d in closures)):
            closures = frozenset(_as_date(d) for d in closures)
        object.__setattr__(self, "hours", self.hours if type(self.hours) is _Parsed else _parsed(week))
        object.__setattr__(self, "holiday_country", country)
        object.__setattr__(self, "holiday_subdivision", subdivision)
        object.__setattr__(self, "closures", closures)
        object.__setattr__(self, "_week", week)
        object.__setattr__(self, "_schedule", _schedule(self.timezone, week, country, subdivision, closures))

    # -- constructors ----------------------------------------------------------------------------------

    @classmethod
    def from_spec(
        cls,
        *,
        timezone: str,
        business_hours: Mapping | None = None,
        holidays: Mapping | None = None,
        closures: Iterable[dt.date | str] = (),
    ) -> BusinessCalendar:
        """From the API's shapes: `business_hours` as in the contract (None = tenant default),
        `holidays` as `{"country": "US", "subdivision": "CA"}` or None, `closures` as dates or ISO strings."""
        if business_hours is not None and isinstance(business_hours, Mapping) and business_hours and all(
            isinstance(k, int) for k in business_hours
        ):
            hours = _normalise_hours(business_hours)  # already parsed
        else:
            try:
                key = json.dumps(business_hours)
            except (TypeError, ValueError):
                hours = parse_business_hours(business_hours)  # not JSON: parse uncached (or name the error)
            else:
                hours = _parse_json(key, "business_hours")
        country = subdivision = None
        if holidays is not None:
            if not isinstance(holidays, Mapping):
                raise CalendarError("holidays", 'Holidays are {"country": "US", "subdivision": "CA"} or null.')
            country = holidays.get("country")
            if country is None:
                raise CalendarError("holidays.country", "A country code is needed (ISO 3166-1 alpha-2, e.g. 'US').")
            subdivision = holidays.get("subdivision") or None
        return cls(
            timezone=timezone, hours=hours, holiday_country=country, holiday_subdivision=subdivision,
            closures=frozenset(_as_date(d, field="closures") for d in closures),
        )

    @classmethod
    def twenty_four_seven(cls, timezone: str = "UTC") -> BusinessCalendar:
        """Every instant is open: minutes are wall-clock minutes, every local date is a business day."""
        if cls is BusinessCalendar:
            return _twenty_four_seven(timezone)
        return cls(timezone=timezone, hours=dict(_ALL_DAY), always_open=True)

    # -- queries -----------------------------------------------------------------------------------------

    def is_business_day(self, day: dt.date) -> bool:
        """A local date with hours that is neither a public holiday nor a closure."""
        if self.always_open:
            return True
        return self._schedule.is_business_day(day)

    def is_open(self, at: dt.datetime) -> bool:
        at_us = _to_us(at, "at")
        if self.always_open:
            return True
        if not any(self._week):
            return False
        for s, e in self._periods_from(at_us):
            if s > at_us:
                return False
            if at_us < e:
                return True
        return False  # pragma: no cover - _periods_from never ends

    def open_intervals(
        self, start: dt.datetime, end: dt.datetime, *, clip: bool = True
    ) -> Iterator[tuple[dt.datetime, dt.datetime]]:
        """The open periods overlapping [start, end) as (utc_start, utc_end), in order, touching periods
        merged (a night shift 22:00–24:00 + 00:00–06:00 is one period). With `clip` (the default) they are
        cut to [start, end)."""
        start_us, end_us = _to_us(start, "start"), _to_us(end, "end")
        if end_us <= start_us:
            return
        if self.always_open:
            yield _from_us(start_us), _from_us(end_us)
            return
        if not any(self._week):
            return
        pending: tuple[int, int] | None = None
        for s, e in self._periods_from(start_us):
            if s >= end_us:
                break
            if pending is not None and s <= pending[1]:
                pending = (pending[0], max(pending[1], e))
                continue
            if pending is not None:
                yield self._emit(pending, start_us, end_us, clip)
            pending = (s, e)
        if pending is not None:
            yield self._emit(pending, start_us, end_us, clip)

    def business_minutes_between(self, a: dt.datetime, b: dt.datetime) -> float:
        """Open minutes in [a, b) (real elapsed minutes); 0 when b <= a."""
        a_us, b_us = _to_us(a, "a"), _to_us(b, "b")
        if b_us <= a_us:
            return 0.0
        if self.always_open:
            return (b_us - a_us) / _US_PER_MINUTE
        if not any(self._week):
            return 0.0
        total = 0
        for s, e in self._periods_from(a_us):
            if s >= b_us:
                break
            total += min(e, b_us) - max(s, a_us)
        return total / _US_PER_MINUTE

    def add_business_minutes(self, start: dt.datetime, minutes: float) -> dt.datetime:
        """The instant at which `minutes` of open time have passed since `start`.

        Counting begins at `start` when open, else at the next opening. `minutes == 0` therefore answers
        `start` (open) or the next opening (closed); an amount that runs out exactly at a closing time
        answers that closing time, not the next opening.
        """
        start_us = _to_us(start, "start")
        remaining = _minutes_to_us(minutes)
        if self.always_open:
            return _from_us(start_us + remaining)
        for s, e in self._periods_from(start_us):
            s = max(s, start_us)
            if remaining == 0:
                return _from_us(s)
            if remaining <= e - s:
                return _from_us(s + remaining)
            remaining -= e - s
        raise AssertionError("unreachable")  # pragma: no cover

    def business_day_close(self, opened_at: dt.datetime, n: int = 1) -> dt.datetime:
        """The close (end of the last interval) of the n-th business day after the local date of `opened_at`.

        n=1 is "next business day". A night pattern [00:00–06:00, 22:00–24:00] closes at the next local midnight.
        """
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise ValueError(f"n must be a whole number of business days >= 1, got {n!r}")
        opened_us = _to_us(opened_at, "opened_at")
        zone = self._schedule.zone
        day = _from_us(opened_us).astimezone(zone).date()
        if self.always_open:
            return _from_us(_wall_to_us(zone, day + dt.timedelta(days=n), MINUTES_PER_DAY))
        self._require_some_hours()
        closed_run = 0
        one = dt.timedelta(days=1)
        while True:
            day += one
            intervals = self._week[day.weekday()]
            if not intervals or self._schedule.closed(day):
                closed_run += 1
                if closed_run > MAX_CLOSED_RUN_DAYS:
                    raise CalendarError("closures", f"No business day for {MAX_CLOSED_RUN_DAYS} days after {day}.")
                continue
            closed_run = 0
            n -= 1
            if n == 0:
                return _from_us(_wall_to_us(zone, day, intervals[-1][1]))

    # -- internals ---------------------------------------------------------------------------------------

    def _require_some_hours(self) -> None:
        if not any(self._week):
            raise CalendarError("business_hours", "The calendar has no open hours on any day.")

    def _periods_from(self, from_us: int) -> Iterator[tuple[int, int]]:
        """Open periods (µs) in order, from the first one that ends after `from_us`; endless."""
        self._require_some_hours()
        schedule = self._schedule
        cached, periods = schedule._days.get, schedule.periods
        # Earlier dates cannot matter: date D-1's periods end by the first instant the clock reads D 00:00,
        # which is no later than any instant whose local date is D.
        ordinal = _from_us(from_us).astimezone(schedule.zone).toordinal()
        closed_run = 0
        while True:
            found = cached(ordinal)
            if found is None:
                found = periods(ordinal)
            if found:
                closed_run = 0
                for period in found:
                    if period[1] > from_us:
                        yield period
            else:
                closed_run += 1
                if closed_run > MAX_CLOSED_RUN_DAYS:
                    raise CalendarError("closures", f"No open time for {MAX_CLOSED_RUN_DAYS} days in a row.")
            ordinal += 1

    @staticmethod
    def _emit(period: tuple[int, int], start_us: int, end_us: int, clip: bool) -> tuple[dt.datetime, dt.datetime]:
        s, e = period
        if clip:
            s, e = max(s, start_us), min(e, end_us)
        return _from_us(s), _from_us(e)


@lru_cache(maxsize=512)
def _twenty_four_seven(timezone: str) -> BusinessCalendar:
    return BusinessCalendar(timezone=timezone, hours=dict(_ALL_DAY), always_open=True)


def _as_date(value: object, field: str = "closures") -> dt.date:
    if isinstance(value, dt.datetime):
        raise CalendarError(field, f"Closures are local dates, not instants: {value!r}.")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise CalendarError(field, f"{value!r} is not a date (YYYY-MM-DD).")


# --------------------------------------------------------------------------------------------------------
# SLA targets

TARGET_KINDS = ("duration", "next_business_day", "business_days")
TARGET_CALENDARS = ("24x7", "business_hours")


def validate_target(target: object, field: str = "target") -> None:
    """Raises CalendarError naming the bad part, e.g. "targets[0].response.minutes"."""
    if not isinstance(target, Mapping):
        raise CalendarError(
            field,
            'A target is {"kind": "duration", "minutes": N, "calendar": "24x7"|"business_hours"}, '
            '{"kind": "next_business_day"} or {"kind": "business_days", "days": N}.',
        )
    kind = target.get("kind")
    if kind not in TARGET_KINDS:
        raise CalendarError(f"{field}.kind", f"Unknown kind {kind!r}; use one of {', '.join(TARGET_KINDS)}.")
    if kind == "duration":
        minutes = target.get("minutes")
        if isinstance(minutes, bool) or not isinstance(minutes, int | float) or not math.isfinite(minutes):
            raise CalendarError(f"{field}.minutes", f"A duration needs a number of minutes, got {minutes!r}.")
        if minutes <= 0:
            raise CalendarError(f"{field}.minutes", f"Minutes must be more than 0, got {minutes!r}.")
        if minutes > MAX_TARGET_MINUTES:
            raise CalendarError(f"{field}.minutes", f"{minutes!r} minutes is more than ten years.")
        calendar = target.get("calendar")
        if calendar not in TARGET_CALENDARS:
            raise CalendarError(
                f"{field}.calendar", f"Unknown calendar {calendar!r}; use one of {', '.join(TARGET_CALENDARS)}."
            )
    elif kind == "business_days":
        days = target.get("days")
        if isinstance(days, float) and days.is_integer():
            days = int(days)
        if isinstance(days, bool) or not isinstance(days, int):
            raise CalendarError(f"{field}.days", f"Business days are a whole number, got {target.get('days')!r}.")
        if days <= 0:
            raise CalendarError(f"{field}.days", f"Business days must be at least 1, got {days!r}.")
        if days > MAX_TARGET_DAYS:
            raise CalendarError(f"{field}.days", f"{days!r} business days is more than ten years.")


def _is_wall_clock(target: Mapping, calendar: BusinessCalendar) -> bool:
    return calendar.always_open or (target.get("kind") == "duration" and target.get("calendar") == "24x7")


def compute_due(target: Mapping, opened_at: dt.datetime, calendar: BusinessCalendar) -> dt.datetime:
    """The due instant (aware UTC) of a TARGET for a ticket opened at `opened_at` at a site with `calendar`.

    A "24x7" duration is wall-clock minutes whatever the calendar; a "business_hours" duration counts
    minutes inside the calendar's open time; the day kinds answer the close of the n-th business day after
    the local date of the opening.
    """
    validate_target(target, "target")
    kind = target["kind"]
    if kind == "duration":
        if target["calendar"] == "24x7":
            return _from_us(_to_us(opened_at, "opened_at") + _minutes_to_us(target["minutes"]))
        return calendar.add_business_minutes(opened_at, target["minutes"])
    if kind == "next_business_day":
        return calendar.business_day_close(opened_at, 1)
    return calendar.business_day_close(opened_at, int(target["days"]))


def at_risk_moment(
    opened_at: dt.datetime,
    due_at: dt.datetime,
    at_risk_percent: float,
    calendar: BusinessCalendar,
    target: Mapping | None = None,
) -> dt.datetime:
    """When `at_risk_percent` % of the time from opening to due has passed: wall-clock time for a 24x7
    target (or an always-open calendar), business minutes of `calendar` otherwise. Never after `due_at`."""
    if isinstance(at_risk_percent, bool) or not isinstance(at_risk_percent, int | float) or not 0 <= at_risk_percent <= 100:
        raise ValueError(f"at_risk_percent must be between 0 and 100, got {at_risk_percent!r}")
    opened_us, due_us = _to_us(opened_at, "opened_at"), _to_us(due_at, "due_at")
    if due_us <= opened_us:
        return _from_us(due_us)
    if _is_wall_clock(target or {}, calendar):
        return _from_us(opened_us + round((due_us - opened_us) * at_risk_percent / 100))
    total = calendar.business_minutes_between(opened_at, due_at)
    moment = calendar.add_business_minutes(opened_at, total * at_risk_percent / 100)
    return min(moment, _from_us(due_us))


def calendar_for_target(target: Mapping, calendar: BusinessCalendar) -> BusinessCalendar:
    """The calendar a target's minutes are counted on: around the clock for "24x7", else the site's."""
    return _twenty_four_seven(calendar.timezone) if _is_wall_clock(target, calendar) else calendar


def business_minutes_remaining(
    target: Mapping, calendar: BusinessCalendar, now: dt.datetime, due_at: dt.datetime
) -> float:
    """Minutes of the target's own clock from `now` until `due_at`; negative once overdue."""
    cal = calendar_for_target(target, calendar)
    if due_at >= now:
        return cal.business_minutes_between(now, due_at)
    return -cal.business_minutes_between(due_at, now)
