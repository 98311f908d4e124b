"""No date, text or publication date makes detection raise."""

from __future__ import annotations

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitor.detect import Detector

DETECTOR = Detector()

# Words that steer the text into the detector's rules (parties, meetings, preparation,
# elections, dates, weekdays, relative days, times, places), mixed with arbitrary text.
WORDS = [
    "BJP", "भाजपा", "कांग्रेस", "JMM", "Shiv Sena (UBT)", "बैठक", "meeting", "मीटिंग",
    "तैयारी", "तैयारियों", "preparation", "Lok Sabha", "लोकसभा चुनाव", "विधानसभा", "2024",
    "2095", "2099", "9999", "1900", "0", "31", "32", "फरवरी", "February 30", "29 February",
    "सोमवार", "Sunday", "कल", "आज", "tomorrow", "this evening", "शाम", "बजे", "10:30 am",
    "25:99", "रांची में", "in Ranchi", "वर्चुअल", "online", "होगी", "हुई", "will", "was held",
    "15 तारीख", "20/11/2017", "31/02/2024", "99/99/9999", "Published : ", "2 day", "ended",
    ":", "।", ".", ",", "\n", "\n\n", "—", "(", ")", "*", "12", "1 जनवरी 0001",
]  # fmt: skip
NOISE = st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=12)), max_size=60).map(" ".join)
# Positive sentences, so that the field readers (dates, election, place) run on most examples.
POSITIVE = st.sampled_from(
    [
        "भाजपा की बैठक में लोकसभा चुनाव की तैयारी पर चर्चा हुई।",
        "Congress will hold a meeting to prepare for the Lok Sabha polls.",
        "झामुमो की वर्चुअल बैठक शुक्रवार को होगी।",
        "",
    ]
)
TEXT = st.tuples(POSITIVE, NOISE, POSITIVE).map(" ".join)
PUBLISHED = st.one_of(
    st.none(),
    st.dates(min_value=date.min, max_value=date.max),
    # Near and beyond the end of any table of election years.
    st.dates(min_value=date(2090, 1, 1), max_value=date(2200, 12, 31)),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=TEXT, text=TEXT, published=PUBLISHED, lang=st.sampled_from([None, "hi", "en"]))
def test_no_exception_escapes_detection(
    title: str, text: str, published: date | None, lang: str | None
) -> None:
    found = DETECTOR.detect(title, text, lang=lang, published=published)
    assert isinstance(found.meeting, bool) and isinstance(found.election_prep, bool)
    found.to_json("fuzz")


def test_lok_sabha_preparation_published_in_the_far_future_names_the_election() -> None:
    found = DETECTOR.detect(
        "भाजपा ने लोकसभा चुनाव की तैयारी शुरू की",
        "रांची में भाजपा की बैठक में लोकसभा चुनाव की तैयारी पर चर्चा हुई।",
        published=date(2099, 7, 1),
    )
    assert found.election_prep
    assert found.event is not None and found.event.election == "Lok Sabha 2104"
