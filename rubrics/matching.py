"""Which evidence a clause accepts, and whether it falls inside a time window."""

from __future__ import annotations

from datetime import date

from records import Evidence
from records.vocab import LEVEL_RANK
from rubrics.schema import Match, Window


def matches(match: Match, ev: Evidence, indicator_id: str | None = None) -> bool:
    if match.doc_types and ev.doc_type not in match.doc_types:
        return False
    if match.levels and ev.level not in match.levels:
        return False
    if match.min_level and LEVEL_RANK[ev.level] < LEVEL_RANK[match.min_level]:
        return False
    if match.grades and ev.award_grade not in match.grades:
        return False
    issuer = ev.issuer or ""
    if match.issuer_any and not any(s in issuer for s in match.issuer_any):
        return False
    if match.issuer_none and any(s in issuer for s in match.issuer_none):
        return False
    if match.cues_any or match.cues_none:
        text = ev.text_for_cues(indicator_id)
        if match.cues_any and not any(s in text for s in match.cues_any):
            return False
        if match.cues_none and any(s in text for s in match.cues_none):
            return False
    return True


def _years_before(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year - years)
    except ValueError:  # 29 February
        return d.replace(year=d.year - years, day=28)


def window_start(window: Window, as_of: date) -> date:
    starts = [date.min]
    if window.years:
        starts.append(_years_before(as_of, window.years))
    if window.since:
        starts.append(window.since)
    if window.calendar_year:
        starts.append(date(as_of.year, 1, 1))
    return max(starts)


def in_window(window: Window | None, d: date | None, as_of: date) -> tuple[bool, bool]:
    """Return (inside, undated). Dates after as_of are outside: they cannot be known yet."""
    if window is None:
        return True, False
    if d is None:
        return False, True
    end = _years_before(as_of, window.min_age_years) if window.min_age_years else as_of
    return window_start(window, as_of) <= d <= end, False


def window_text(window: Window | None) -> str:
    if window is None:
        return "不限"
    if window.text:
        return window.text
    if window.since:
        return f"{window.since.isoformat()}以后"
    if window.years:
        return f"近{window.years}年"
    if window.min_age_years:
        return f"{window.min_age_years}年以前"
    return "本年度"
