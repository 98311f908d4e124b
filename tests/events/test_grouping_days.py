"""Reports of one meeting dated differently: a meeting of several days, and a report that
dates only its own publication."""

from __future__ import annotations

import datetime as dt

from monitor.events.grouping import JOIN_SCORE, Report, day_months, match_score


def report(
    *, date: dt.date | None, published: dt.date | None, text: str = "", place: str = "udaipur"
) -> Report:
    return Report(
        parties=frozenset({"INC"}),
        date=date,
        published=published,
        place=place,
        mode="in_person",
        people=frozenset({"Sonia Gandhi"}),
        numbers=frozenset(),
        days=day_months(text),
    )


def test_other_days_of_a_meeting_of_several_days_join_when_a_report_names_them() -> None:
    preview = report(
        date=dt.date(2022, 5, 15),
        published=dt.date(2022, 5, 12),
        text="The shivir opens on May 13 and closes on May 15.",
    )
    opening = report(date=dt.date(2022, 5, 13), published=dt.date(2022, 5, 13), text="उदयपुर")
    score = match_score(opening, [preview])
    assert score is not None and score >= JOIN_SCORE


def test_meetings_two_days_apart_stay_apart_when_no_report_names_the_other_day() -> None:
    first = report(date=dt.date(2022, 5, 15), published=dt.date(2022, 5, 15), text="May 15")
    second = report(date=dt.date(2022, 5, 13), published=dt.date(2022, 5, 13), text="13 मई")
    assert match_score(second, [first]) is None


def test_a_report_without_a_meeting_date_is_compared_with_the_others_meeting_date() -> None:
    preview = report(date=dt.date(2023, 1, 16), published=dt.date(2023, 1, 4))
    on_the_day = report(date=None, published=dt.date(2023, 1, 16))
    score = match_score(on_the_day, [preview])
    assert score is not None and score >= JOIN_SCORE
    weeks_later = report(date=None, published=dt.date(2023, 2, 1))
    assert match_score(weeks_later, [preview]) is None
