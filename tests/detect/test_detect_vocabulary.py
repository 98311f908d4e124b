"""How reporters write of party meetings and election preparation beyond the commonest words:
meeting kinds, preparation work, seat talk, target years, weekday direction and tense, in
Hindi and English. Every article here is written for the test."""

from __future__ import annotations

from datetime import date

import pytest

from monitor.detect import Detector
from monitor.detect.dates import Tense, find_dates, resolve
from monitor.detect.normalise import fold
from monitor.detect.tense import sentence_tense


@pytest.fixture(scope="module")
def detector() -> Detector:
    return Detector()


@pytest.mark.parametrize(
    ("title", "text"),
    [
        (
            "भाजपा कार्यकर्ताओं की गोष्ठी में संगठन पर जोर",
            "सीतापुर : भाजपा की मंडल स्तरीय कार्यकर्ता गोष्ठी रविवार को पार्टी कार्यालय में हुई.",
        ),
        (
            "कांग्रेस का दो दिवसीय अभ्यास वर्ग शुरू",
            "भोपाल : कांग्रेस पदाधिकारियों का अभ्यास वर्ग सोमवार को प्रदेश कार्यालय में शुरू हुआ.",
        ),
        (
            "BJD leaders brainstorm on strengthening the organisation",
            "Bhubaneswar: Senior BJD leaders brainstormed on Friday on how to strengthen the "
            "party's organisation in the western districts.",
        ),
        (
            "CPI(M) Polit Bureau meets in Delhi",
            "New Delhi: The CPI(M) Polit Bureau meets on Saturday to take stock of the "
            "party's work.",
        ),
    ],
)
def test_meeting_kinds(detector: Detector, title: str, text: str) -> None:
    assert detector.detect(title, text, published=date(2025, 3, 10)).meeting


@pytest.mark.parametrize(
    ("title", "text"),
    [
        (
            "राजद ने बनाईं बूथ कमेटियां",
            "दरभंगा : राजद ने प्रखंड के हर पंचायत में बूथों का गठन पूरा कर लिया है.",
        ),
        (
            "सपा ने घोषित किए तीन सीटों के उम्मीदवार",
            "लखनऊ : समाजवादी पार्टी ने शनिवार को उपचुनाव के लिए उम्मीदवारों की घोषणा कर दी.",
        ),
        (
            "कांग्रेस और राजद मिलकर चुनाव लड़ेंगे",
            "पटना : कांग्रेस और राजद ने कहा कि दोनों दल मिलकर चुनाव लड़ेंगे और सीटों की "
            "अदला-बदली पर बातचीत चल रही है.",
        ),
        (
            "AAP names candidates for civic polls",
            "Chandigarh: The AAP named candidates for 20 wards on Monday and appointed "
            "observers for each ward.",
        ),
        (
            "SP workers go door to door ahead of 2027",
            "Kannauj: SP workers went door to door on Sunday with leaflets on the party's "
            "promises, ahead of 2027.",
        ),
    ],
)
def test_preparation_work(detector: Detector, title: str, text: str) -> None:
    assert detector.detect(title, text, published=date(2025, 3, 10)).election_prep


def test_booth_level_officers_are_the_election_commissions(detector: Detector) -> None:
    found = detector.detect(
        "बीएलओ की बैठक में मतदाता सूची पर चर्चा",
        "गया : बूथ लेवल अधिकारियों की बैठक में भाजपा और राजद के बूथ एजेंटों के साथ मतदाता "
        "सूची के पुनरीक्षण पर चर्चा हुई.",
        published=date(2025, 3, 10),
    )
    assert not found.meeting and not found.election_prep


def test_a_crime_headline_in_either_word_order_blocks_preparation(detector: Detector) -> None:
    found = detector.detect(
        "भाजपा नेता को मारी गोली, पुलिस जांच में जुटी",
        "मेरठ : नेता का बेटा आगामी पंचायत चुनाव लड़ने की तैयारी कर रहा था.",
        published=date(2025, 3, 10),
    )
    assert not found.election_prep


def test_sp_is_the_party_only_by_context(detector: Detector) -> None:
    party = detector.detect(
        "SP chief holds meeting with district presidents",
        "Lucknow: SP chief Akhilesh Yadav held a meeting with district presidents on Monday.",
        published=date(2025, 3, 10),
    )
    police = detector.detect(
        "SP holds meeting with station officers",
        "Kannauj: The SP held a meeting with station officers on Monday.",
        published=date(2025, 3, 10),
    )
    assert party.meeting and party.parties[:1] == ("SP",)
    assert not police.meeting


def test_the_first_sentence_naming_the_holder_decides_whose_meeting(detector: Detector) -> None:
    found = detector.detect(
        "लोजपा (रामविलास) की बैठक में सीटों पर मंथन",
        "पटना : लोजपा (रामविलास) की बैठक मंगलवार को हुई. इसमें एनडीए के भीतर सीटों को लेकर चर्चा हुई.",
        published=date(2025, 3, 10),
    )
    assert found.event is not None and found.event.party == "LJPRV"


@pytest.mark.parametrize(
    ("text", "tense", "expected"),
    [
        ("बीते रविवार को बैठक हुई", None, date(2025, 7, 13)),
        ("आगामी सोमवार को बैठक", "past", date(2025, 7, 21)),
        ("party will review it, as it did last monday", "future", date(2025, 7, 14)),
        ("the committee meets next friday", None, date(2025, 7, 18)),
        ("गत दिवस पार्टी कार्यालय में बैठक हुई", "past", date(2025, 7, 15)),
        ("the leaders met last night", "past", date(2025, 7, 15)),
    ],
)
def test_direction_words_before_a_weekday(text: str, tense: Tense | None, expected: date) -> None:
    mention = find_dates(fold(text))[0]
    assert resolve(mention, date(2025, 7, 16), tense) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("भाजपा की बैठक सोमवार को होने जा रही है", "future"),
        ("कार्यसमिति की बैठक 12 मई को निर्धारित है", "future"),
        ("the party is likely to meet on Monday", "future"),
        ("the BJD hosted its workers on Monday", "past"),
        ("जदयू कार्यकर्ताओं की बैठक कल", "future"),
        ("कांग्रेस का प्रशिक्षण शिविर आज से", "future"),
        ("जदयू कार्यकर्ताओं की बैठक कल हुई", "past"),
    ],
)
def test_tense_of_scheduling_phrases(text: str, expected: str) -> None:
    assert sentence_tense(fold(text)) == expected


@pytest.mark.parametrize(
    ("title", "text"),
    [
        (
            "भाजपा का जोर कमजोर बूथों को मजबूत करने पर",
            "रायपुर : भाजपा ने तय किया है कि हारे हुए बूथों पर विशेष टोली काम करेगी.",
        ),
        (
            "BJP names polls incharge for three districts",
            "Pune: The BJP named a polls incharge for each of three districts on Sunday.",
        ),
    ],
)
def test_booth_strength_and_in_charges(detector: Detector, title: str, text: str) -> None:
    assert detector.detect(title, text, published=date(2025, 3, 10)).election_prep


@pytest.mark.parametrize(
    ("title", "text"),
    [
        (
            "मतदाता जागरूकता रैली में भाजपा और कांग्रेस के बूथ एजेंट भी शामिल",
            "गया : स्वीप कार्यक्रम के तहत मतदाता जागरूकता रैली में आगामी चुनाव के लिए बूथ एजेंट भी पहुंचे.",
        ),
        (
            "कांग्रेस के पूर्व विधायक भाजपा में शामिल",
            "लखनऊ : आगामी विधानसभा चुनाव से पहले कांग्रेस के पूर्व विधायक ने मिलन समारोह में "
            "भाजपा की सदस्यता ग्रहण की.",
        ),
    ],
)
def test_officials_work_and_joinings_are_not_preparation(
    detector: Detector, title: str, text: str
) -> None:
    assert not detector.detect(title, text, published=date(2025, 3, 10)).election_prep


def test_of_several_dates_the_meeting_nouns_or_first_verb_decides(detector: Detector) -> None:
    found = detector.detect(
        "Congress screening panel meets again",
        "Hyderabad: The Congress screening committee met in Delhi on Wednesday to finalise "
        "names and will sit again on Thursday.",
        published=date(2023, 9, 21),
    )
    assert found.event is not None
    assert (found.event.date, found.event.status) == ("2023-09-20", "held")


def test_a_committee_that_sat_is_a_meeting_held(detector: Detector) -> None:
    found = detector.detect(
        "कांग्रेस स्क्रीनिंग कमेटी दिल्ली में",
        "नई दिल्ली : विधानसभा चुनाव के उम्मीदवार तय करने के लिए कांग्रेस की स्क्रीनिंग कमेटी "
        "गुरुवार को दिल्ली में बैठी.",
        published=date(2023, 9, 22),
    )
    assert found.meeting and found.event is not None
    assert (found.event.date, found.event.status) == ("2023-09-21", "held")


@pytest.mark.parametrize(
    ("title", "text"),
    [
        (
            "राजद ने बनाई कार्यकर्ताओं की सूची",
            "दरभंगा : राजद के प्रखंड अध्यक्ष कार्यकर्ताओं के साथ बैठकर उनकी समस्याएं सुनेंगे.",
        ),
        (
            "Congress says it is meeting the demands of party workers",
            "Bhopal: The Congress said on Monday it was meeting the demands of its workers.",
        ),
    ],
)
def test_words_that_only_look_like_a_meeting(detector: Detector, title: str, text: str) -> None:
    assert not detector.detect(title, text, published=date(2025, 3, 10)).meeting


@pytest.mark.parametrize(
    ("title", "text"),
    [
        (
            "जदयू की संगोष्ठी में संगठन विस्तार पर चर्चा",
            "मुजफ्फरपुर : जदयू की जिला स्तरीय संगोष्ठी शनिवार को पार्टी कार्यालय में हुई.",
        ),
        (
            "JD(S) holds meet in Hassan",
            "Hassan: The JD(S) convened its taluk presidents on Sunday to discuss the party's "
            "organisation.",
        ),
    ],
)
def test_more_meeting_kinds(detector: Detector, title: str, text: str) -> None:
    assert detector.detect(title, text, published=date(2025, 3, 10)).meeting


def test_a_victory_celebration_is_not_preparation(detector: Detector) -> None:
    found = detector.detect(
        "उपचुनाव में जीत का जश्न, भाजपा कार्यकर्ताओं ने निकाला विजय जुलूस",
        "रामपुर : उपचुनाव में जीत का जश्न मनाते हुए भाजपा कार्यकर्ताओं ने विजय जुलूस निकाला.",
        published=date(2025, 3, 10),
    )
    assert not found.election_prep


@pytest.mark.parametrize(
    ("title", "text", "published", "expected"),
    [
        (
            "BJP screening panel in Lucknow for four days",
            "Lucknow: The BJP screening committee began its consultations in Lucknow on Monday, "
            "four days of talks ending August 31.",
            date(2023, 8, 28),
            "2023-08-28",
        ),
        (
            "भाजपा का प्रशिक्षण शिविर",
            "रायपुर : भाजपा का प्रशिक्षण शिविर 9 जुलाई तक चलेगा, जो 7 जुलाई को शुरू होगा.",
            date(2025, 7, 1),
            "2025-07-07",
        ),
    ],
)
def test_the_close_of_a_span_does_not_date_the_meeting(
    detector: Detector, title: str, text: str, published: date, expected: str
) -> None:
    found = detector.detect(title, text, published=published)
    assert found.event is not None and found.event.date == expected


def test_the_party_named_just_before_the_meeting_word_holds_it(detector: Detector) -> None:
    found = detector.detect(
        "BJP leaders attend AGP meeting on seat talks",
        "Guwahati: Senior BJP leaders attended an AGP meeting on Sunday on seats for the "
        "assembly polls.",
        published=date(2021, 3, 1),
    )
    assert found.event is not None and found.event.party == "AGP"


def test_a_headline_meeting_this_evening_is_still_to_come(detector: Detector) -> None:
    found = detector.detect(
        "Congress election committee meets this evening to pick candidates",
        "New Delhi: The Congress central election committee sits on Saturday evening with "
        "the party president present, party sources said.",
        published=date(2021, 3, 13),
    )
    assert found.event is not None
    assert (found.event.date, found.event.status) == ("2021-03-13", "scheduled")


def test_congress_units_by_their_initials(detector: Detector) -> None:
    found = detector.detect(
        "KPCC political affairs committee meets in Thiruvananthapuram",
        "Thiruvananthapuram: The KPCC political affairs committee met on Thursday to review "
        "the party's preparedness for the local body polls.",
        published=date(2025, 3, 10),
    )
    assert found.meeting and found.election_prep
    assert found.parties[:1] == ("INC",)


def test_kerala_fronts_are_alliances(detector: Detector) -> None:
    found = detector.detect(
        "LDF meeting to finalise seat sharing for the assembly polls",
        "Thiruvananthapuram: The LDF meeting on Friday will finalise seat sharing among its "
        "constituents for the assembly polls.",
        published=date(2026, 1, 20),
    )
    assert found.meeting and found.election_prep
    assert found.event is not None and found.event.party == "LDF"


def test_an_attack_on_a_yatra_is_not_preparation(detector: Detector) -> None:
    found = detector.detect(
        "परिवर्तन यात्रा पर नक्सली हमला",
        "सुकमा : विधानसभा चुनाव से पहले परिवर्तन यात्रा पर निकले कांग्रेस नेताओं के काफिले पर "
        "नक्सलियों ने हमला किया.",
        published=date(2013, 5, 26),
    )
    assert not found.election_prep
