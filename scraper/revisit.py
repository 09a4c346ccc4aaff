"""When an archived article is fetched again: publishers edit fresh stories most.

An article's age runs from its publication (from its first sighting when it has no date, or
a date in the future): up to REVISIT_FRESH_DAYS it is re-checked on every run, then every
REVISIT_SLOW_EVERY_DAYS up to REVISIT_HORIZON_DAYS, then never again (`--refresh` still
fetches everything). No article is re-checked within REVISIT_MIN_HOURS of its last check:
a run resumed after a kill, or started again by hand, does not fetch again what the last
one just saw. A re-check is a conditional request (scraper/conditional.py), so an
unchanged page costs a 304.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Self


@dataclass(frozen=True)
class RevisitPolicy:
    fresh_days: float = 2.0
    slow_every_days: float = 7.0
    horizon_days: float = 30.0
    min_hours: float = 1.0

    @classmethod
    def from_settings(cls, settings: Any) -> Self:
        return cls(settings.getfloat("REVISIT_FRESH_DAYS"),
                   settings.getfloat("REVISIT_SLOW_EVERY_DAYS"),
                   settings.getfloat("REVISIT_HORIZON_DAYS"),
                   settings.getfloat("REVISIT_MIN_HOURS"))

    def due(self, published: str | None, first_seen: str | None, last_seen: str | None,
            now: datetime | None = None) -> bool:
        """True when an archived article (its `articles` dates, ISO 8601) is to be fetched
        again at `now` (default: the current time)."""
        now = now or datetime.now(UTC)
        checked = moment(last_seen) or moment(first_seen)
        if checked is None:
            return True  # the archive knows nothing of when it was seen
        since_check = now - checked
        if since_check < timedelta(hours=self.min_hours):
            return False
        born = moment(published)
        if born is None or born > now:
            born = moment(first_seen) or checked
        age = now - born
        if age <= timedelta(days=self.fresh_days):
            return True
        if age <= timedelta(days=self.horizon_days):
            return since_check >= timedelta(days=self.slow_every_days)
        return False


def moment(value: str | None) -> datetime | None:
    """An ISO 8601 date or time as an aware datetime (UTC when it names no zone)."""
    if not value:
        return None
    try:
        found = datetime.fromisoformat(value)
    except ValueError:
        return None
    return found if found.tzinfo else found.replace(tzinfo=UTC)
