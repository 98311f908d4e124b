"""Election framing, campaign work, look-alikes and the fields they carry, on short articles
written for each rule."""

from __future__ import annotations

from datetime import date

import pytest

from monitor.detect import Detector
from monitor.detect.normalise import fold


@pytest.fixture(scope="module")
def detector() -> Detector:
    return Detector()


def test_a_meeting_about_a_coming_election_is_preparation(detector: Detector) -> None:
    found = detector.detect(
        "आगामी विधानसभा चुनाव को लेकर कांग्रेस की जिला बैठक",
        "गया : कांग्रेस जिला कमेटी की बैठक रविवार को हुई. इसमें संगठन की समीक्षा की गई.",
        published=date(2025, 3, 10),
    )
    assert found.meeting and found.election_prep
    english = detector.detect(
        "BJD leaders meet at Naveen Niwas ahead of the Lok Sabha polls",
        "Bhubaneswar: Senior BJD leaders met at Naveen Niwas on Monday.",
        published=date(2024, 3, 6),
    )
    assert english.meeting and english.election_prep


def test_a_meeting_after_a_defeat_or_for_the_party_s_own_poll_is_not(
    detector: Detector,
) -> None:
    review = detector.detect(
        "उपचुनाव में हार के बाद राजद की समीक्षा बैठक",
        "पटना : राजद की बैठक में उपचुनाव में हार के कारणों पर चर्चा हुई.",
    )
    assert review.meeting and not review.election_prep
    internal = detector.detect(
        "Working committee meets; party to elect new president at delegate session",
        "Chandigarh: The SAD working committee met on Tuesday to fix the organisational "
        "election of the party president.",
    )
    assert internal.meeting and not internal.election_prep


def test_campaign_work_needs_an_election(detector: Detector) -> None:
    drive = detector.detect(
        "भाजपा का सदस्यता अभियान शुरू",
        "रांची : भाजपा ने जिले में सदस्यता अभियान शुरु किया. कार्यकर्ता घर-घर जाएंगे.",
    )
    assert not drive.election_prep
    framed = detector.detect(
        "पंचायत चुनाव से पहले सपा ने गांवों में बूथ अध्यक्ष तय किए",
        "आजमगढ़ : सपा ने पंचायत चुनाव के लिए बूथ अध्यक्ष तय कर दिए हैं.",
    )
    assert framed.election_prep


def test_seat_claims_and_candidate_decisions_are_preparation(detector: Detector) -> None:
    found = detector.detect(
        "विधानसभा उपचुनाव में दोनों सीटों पर निषाद पार्टी ने ठोकी दावेदारी",
        "वाराणसी : निषाद पार्टी ने उपचुनाव में सीट पर अपना दावा पेश किया.",
    )
    assert found.election_prep
    english = detector.detect(
        "Congress screening panel meets to finalise candidates for the assembly polls",
        "Hyderabad: The Congress screening committee met in Delhi on Wednesday.",
    )
    assert english.meeting and english.election_prep


def test_a_defection_before_the_polls_is_not_preparation(detector: Detector) -> None:
    found = detector.detect(
        "Three Congress MLAs ready to leave the party before the assembly polls",
        "Panaji: Three Congress MLAs are ready to leave the party before the assembly polls, "
        "sources said.",
    )
    assert not found.election_prep and not found.meeting


def test_shiv_sena_factions_and_jlkm_are_their_own_parties(detector: Detector) -> None:
    shinde = detector.detect(
        "शिंदे गुट की शिवसेना की बैठक ठाणे में",
        "ठाणे : शिंदे गुट के पदाधिकारियों की बैठक सोमवार को हुई.",
    )
    assert shinde.parties[:1] == ("SHS",)
    uddhav = detector.detect(
        "Thackeray faction holds meeting of office-bearers in Mumbai",
        "Mumbai: The Shiv Sena (UBT) met its office-bearers at Sena Bhavan on Sunday.",
    )
    assert uddhav.parties[:1] == ("SSUBT",)
    jlkm = detector.detect(
        "चाईबासा में जेएलकेएम की बैठक",
        "चाईबासा : झारखंड लोकतांत्रिक क्रांतिकारी मोर्चा की बैठक रविवार को हुई.",
    )
    assert jlkm.meeting and jlkm.parties[:1] == ("JLKM",)


def test_the_date_next_to_the_meeting_word_is_the_meeting_s(detector: Detector) -> None:
    found = detector.detect(
        "SAD fixes delegate session",
        "Chandigarh, Apr 8 (PTI) A session will be held in Amritsar on April 12, the party "
        "announced on Tuesday after a working committee meeting of the SAD.",
        published=date(2025, 4, 8),
    )
    assert found.event is not None and found.event.date == "2025-04-08"


def test_a_dash_dateline_is_not_the_meeting_s_date(detector: Detector) -> None:
    found = detector.detect(
        "संभल में बसपा पदाधिकारियों की बैठक",
        "संभल, जुलाई 17 -- गांव में बुधवार को बसपा पदाधिकारियों की बैठक हुई.",
        published=date(2025, 7, 17),
    )
    assert found.event is not None and found.event.date == "2025-07-16"
    assert found.event.status == "held"


def test_a_meeting_later_today_is_scheduled_and_one_under_way_is_held(
    detector: Detector,
) -> None:
    later = detector.detect(
        "AIADMK district secretaries meet today at 4 pm",
        "Chennai: The AIADMK district secretaries meet today at 4 pm at the party office.",
        published=date(2025, 8, 30),
    )
    assert later.event is not None and later.event.status == "scheduled"
    assert later.event.date == "2025-08-30"
    ongoing = detector.detect(
        "नवीन निवास में बीजद की बैठक जारी",
        "भुवनेश्वर : बीजद की अहम बैठक आज नवीन निवास पर चल रही है.",
        published=date(2024, 3, 18),
    )
    assert ongoing.event is not None and ongoing.event.status == "held"


def test_a_virtual_gathering_is_an_online_meeting(detector: Detector) -> None:
    found = detector.detect(
        "आसनसोल भाजपा दफ्तर में वर्चुअल सभा",
        "आसनसोल : भाजपा कार्यकर्ता सोमवार को पार्टी की वर्चुअल सभा से जुड़े.",
        published=date(2020, 7, 6),
    )
    assert found.meeting
    assert found.event is not None and found.event.mode == "online"


@pytest.mark.parametrize(
    ("variant", "standard"),
    [("शुरु", "शुरू"), ("मिटिंग", "मीटिंग"), ("बेठक", "बैठक"), ("तैय्यारी", "तैयारी")],
)
def test_variant_spellings_fold_to_the_standard(variant: str, standard: str) -> None:
    assert fold(variant) == fold(standard)


def test_the_election_s_date_is_not_the_meeting_s(detector: Detector) -> None:
    found = detector.detect(
        "दिल्ली में भाजपा कोर कमेटी की बैठक",
        "नई दिल्ली : 10 फरवरी से शुरू हो रहे विधानसभा चुनाव से पहले भाजपा की कोर कमेटी की बैठक मंगलवार को हुई.",
        published=date(2022, 1, 12),
    )
    assert found.event is not None
    assert found.event.date == "2022-01-11" and found.event.status == "held"


def test_a_headline_date_takes_its_year_from_the_body(detector: Detector) -> None:
    found = detector.detect(
        "दुर्ग में भाजपा जिला कार्यसमिति की बैठक 4 फरवरी को",
        "दुर्ग : शनिवार, 04 फरवरी 2023 को भाजपा जिला कार्यसमिति की बैठक होगी.",
    )
    assert found.event is not None
    assert found.event.date == "2023-02-04" and found.event.status == "scheduled"


def test_an_undated_report_of_a_meeting_is_held(detector: Detector) -> None:
    found = detector.detect(
        "भाजपा पदाधिकारियों की बैठक में संगठन पर चर्चा",
        "रांची : भाजपा पदाधिकारियों की बैठक में संगठन विस्तार पर चर्चा.",
    )
    assert found.meeting and found.event is not None and found.event.status == "held"
