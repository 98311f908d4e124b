"""The labelling rules of LABELS.md on short articles written for each rule."""

from __future__ import annotations

from datetime import date

import pytest

from monitor.detect import Detector


@pytest.fixture(scope="module")
def detector() -> Detector:
    return Detector()


def test_party_district_meeting(detector: Detector) -> None:
    found = detector.detect(
        "झामुमो जिला समिति की बैठक, बूथ कमेटी बनाने का निर्देश",
        "लोहरदगा : झामुमो जिलाध्यक्ष ने गुरुवार को जिला समिति की बैठक की. "
        "उन्होंने कहा कि आने वाले चुनाव के लिए हर बूथ पर कमेटी बने.",
        published=date(2024, 6, 14),
    )
    assert found.meeting and found.election_prep
    assert found.parties == ("JMM",)
    assert found.event is not None
    assert found.event.date == "2024-06-13"
    assert found.event.status == "held"
    assert found.event.place == "Lohardaga"
    assert found.event.level == "district"
    assert found.event.mode == "in_person"


def test_cabinet_meeting_chaired_by_party_leader_is_not_a_party_meeting(
    detector: Detector,
) -> None:
    found = detector.detect(
        "हेमंत कैबिनेट की बैठक 7 जनवरी को",
        "रांची : मुख्यमंत्री हेमंत सोरेन की अध्यक्षता में कैबिनेट की बैठक शाम चार बजे होगी.",
    )
    assert not found.meeting and not found.election_prep
    assert found.event is None


def test_election_officials_meeting_is_neither(detector: Detector) -> None:
    found = detector.detect(
        "DC reviews Lok Sabha poll preparedness with nodal officers",
        "Ranchi: The deputy commissioner reviewed poll preparations, the control room and EVM "
        "storage with nodal officers on Tuesday.",
    )
    assert not found.meeting and not found.election_prep


def test_non_party_bodies(detector: Detector) -> None:
    for title in (
        "शिक्षक संघ की बैठक में आंदोलन की रणनीति बनी",
        "दुर्गा पूजा समिति की बैठक, नए अध्यक्ष चुने गए",
        "Three-day RSS prant pracharak meet begins in Ranchi",
    ):
        found = detector.detect(title, "बैठक में कई सदस्य मौजूद रहे.")
        assert not found.meeting, title


def test_related_story_teaser_is_ignored(detector: Detector) -> None:
    found = detector.detect(
        "प्रखंड कार्यालय में शिविर, एक दिन में 1,200 आवेदन",
        "गिरिडीह : प्रखंड मुख्यालय परिसर में मंगलवार को शिविर लगाया गया.\n\n"
        "इसे भी पढ़ें- झामुमो की प्रखंड कमेटी की बैठक रविवार को, बूथ एजेंटों पर होगी चर्चा\n"
        "Leave a Reply\nभाजपा की जिला कार्यसमिति बैठक कल, चुनावी तैयारी पर होगी चर्चा",
    )
    assert not found.meeting and not found.election_prep
    assert found.parties_mentioned == ()


def test_background_meeting_alone_is_not_a_meeting(detector: Detector) -> None:
    found = detector.detect(
        "सड़क शिलान्यास के मौके पर विधायक बोले- जनता का आशीर्वाद मिलेगा",
        "रांची : झामुमो विधायक ने शनिवार को सड़क का शिलान्यास किया. "
        "गौरतलब है कि पिछले महीने झामुमो की जिला समिति की बैठक में भी विधायक ने यह मुद्दा "
        "उठाया था.",
    )
    assert not found.meeting


def test_rally_is_preparation_not_meeting(detector: Detector) -> None:
    found = detector.detect(
        "BJP lines up star campaigners for Haryana; Modi to address four rallies",
        "CHANDIGARH: The BJP's campaign for the Haryana Assembly election will be carried by "
        "40 star campaigners. Modi will address four rallies over two days.",
    )
    assert not found.meeting
    assert found.election_prep
    assert found.parties == ("BJP",)


@pytest.mark.parametrize(
    "title",
    [
        "Exit polls predict big Congress win in Haryana",
        "घोसी उपचुनाव: सपा के सुधाकर सिंह 42,759 वोट से जीते, 33 राउंड में पूरी हुई गिनती",
    ],
)
def test_results_and_exit_polls_are_not_preparation(detector: Detector, title: str) -> None:
    found = detector.detect(title, "The BJP and the Congress prepared for the elections.")
    assert not found.election_prep


def test_counting_day_meeting_is_a_meeting_without_preparation(detector: Detector) -> None:
    found = detector.detect(
        "मतगणना से पहले भाजपा की वर्चुअल बैठक, जिलाध्यक्षों को दिए निर्देश",
        "भोपाल। विधानसभा चुनाव के वोटों की गिनती से पहले भाजपा प्रदेश अध्यक्ष ऑनलाइन बैठक में "
        "पदाधिकारियों से जुड़े.",
    )
    assert found.meeting and not found.election_prep
    assert found.event is not None and found.event.mode == "online"


def test_defection_alone_is_neither(detector: Detector) -> None:
    found = detector.detect(
        "लोकसभा चुनाव से पहले कांग्रेस को झटका, 600 लोग भाजपा में शामिल",
        "भोपाल : कांग्रेस के दो पूर्व विधायक भाजपा में चले गए.",
    )
    assert not found.meeting and not found.election_prep


def test_alliance_meeting_lists_member_parties(detector: Detector) -> None:
    found = detector.detect(
        "INDIA bloc close to Jharkhand seat deal; allies to meet at CM's residence",
        "RANCHI: The meeting will be held at Chief Minister Hemant Soren's residence on Friday "
        "and will be attended by RJD leader Tejashwi Yadav.",
        published=date(2024, 10, 18),
    )
    assert found.meeting and found.election_prep
    assert set(found.parties) == {"JMM", "RJD"}
    assert found.alliances == ("INDIA",)
    assert found.event is not None
    assert found.event.date == "2024-10-18" and found.event.status == "scheduled"


def test_no_party_no_detection(detector: Detector) -> None:
    found = detector.detect("", "बैठक में पदाधिकारियों ने चुनाव की तैयारी पर चर्चा की.")
    assert not found.meeting and not found.election_prep
    assert found.score < 0.6


def test_empty_article(detector: Detector) -> None:
    found = detector.detect("", "")
    assert not found.meeting and not found.election_prep and found.evidence == ()


def test_lead_sentence_dates_a_meeting_described_further_down(detector: Detector) -> None:
    # The lead's future programme (July 9) cannot be the day of a meeting reported as held.
    found = detector.detect(
        "Congress trains booth workers in Ranchi",
        "Ranchi: The membership drive will begin on July 9, state Congress chief Keshav "
        "Mahto Kamlesh announced on Monday.\n\n"
        "He held a meeting with Congress district presidents and workers on booth management "
        "for the coming Assembly election.",
        published=date(2024, 6, 26),
    )
    assert found.meeting
    assert found.event is not None
    assert found.event.status == "held"
    assert found.event.date == "2024-06-24"


def test_meeting_of_several_days_is_dated_by_its_first_day(detector: Detector) -> None:
    found = detector.detect(
        "राजद की दो दिवसीय बैठक संपन्न",
        "पटना : राजद की दो दिवसीय बैठक का समापन रविवार को हुआ. बैठक में लोकसभा चुनाव की "
        "तैयारी पर चर्चा हुई.",
        published=date(2023, 9, 11),
    )
    assert found.meeting
    assert found.event is not None
    assert found.event.date == "2023-09-09"  # Saturday; the meeting closed on Sunday the 10th
    same_day = detector.detect(
        "राजद की बैठक संपन्न",
        "पटना : राजद की बैठक का समापन रविवार को हुआ. बैठक में लोकसभा चुनाव की तैयारी पर चर्चा हुई.",
        published=date(2023, 9, 11),
    )
    assert same_day.event is not None
    assert same_day.event.date == "2023-09-10"


def test_a_party_board_meeting_is_the_party_s(detector: Detector) -> None:
    # "बोर्ड की बैठक" alone is a government board's; the party's parliamentary board is not.
    found = detector.detect(
        "लोजपा (रामविलास) संसदीय बोर्ड की बैठक, सीट बंटवारे पर चिराग को जिम्मा",
        "पटना : लोजपा (रामविलास) के संसदीय बोर्ड की बैठक रविवार को पार्टी कार्यालय में हुई. "
        "बैठक में विधानसभा चुनाव में सीट बंटवारे को लेकर रणनीति पर चर्चा हुई.",
        published=date(2025, 6, 2),
    )
    assert found.meeting and found.election_prep
    government = detector.detect(
        "खनन बोर्ड की बैठक में रॉयल्टी दर पर फैसला",
        "रांची : झारखंड खनन बोर्ड की बैठक में भाजपा विधायक भी मौजूद रहे.",
    )
    assert not government.meeting


def test_a_candidate_list_is_preparation(detector: Detector) -> None:
    found = detector.detect(
        "भाजपा ने जारी की 66 प्रत्याशियों की पहली सूची",
        "नयी दिल्ली : भाजपा ने विधानसभा चुनाव के लिए 66 प्रत्याशियों की पहली सूची जारी कर दी.",
    )
    assert found.election_prep and not found.meeting
    assert found.parties == ("BJP",)


def test_a_municipal_house_meeting_is_not_a_party_meeting(detector: Detector) -> None:
    found = detector.detect(
        "Chandigarh MC House meeting clears water tariff cut amid BJP protest",
        "Chandigarh: The Municipal Corporation House meeting chaired by the AAP mayor on "
        "Wednesday approved a cut in water tariff while BJP councillors protested.",
    )
    assert not found.meeting


def test_a_meeting_is_dated_by_its_own_day_not_by_what_it_decided(detector: Detector) -> None:
    found = detector.detect(
        "जिला कांग्रेस कमेटी की बैठक में धरने की रणनीति बनी",
        "रांची : सोमवार को कांग्रेस भवन में हुई जिला कांग्रेस कमेटी की बैठक में तय हुआ कि "
        "10 जुलाई को सभी प्रखंड मुख्यालयों पर धरना दिया जायेगा.",
        published=date(2024, 7, 2),
    )
    assert found.meeting
    assert found.event is not None
    assert (found.event.date, found.event.status) == ("2024-07-01", "held")
