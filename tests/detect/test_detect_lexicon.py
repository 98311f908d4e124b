"""The shipped lexicon, user extensions and matching behaviour."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.detect import Detector, LexiconError, load_lexicon
from monitor.detect.lexicon import Lexicon, default_lexicon_dir, merge
from monitor.detect.normalise import fold


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return load_lexicon()


def keys(lexicon: Lexicon, text: str, group: str) -> list[str]:
    return [h.key for h in lexicon.find(fold(text), fold(text, casefold=False)) if h.group == group]


def test_shipped_files_are_found() -> None:
    assert (default_lexicon_dir() / "parties.yaml").is_file()


@pytest.mark.parametrize(
    ("text", "party"),
    [
        ("भाजपा की बैठक", "BJP"),
        ("बीजेपी नेता", "BJP"),
        ("झामुमो जिला समिति", "JMM"),
        ("जेएमएम के पदाधिकारी", "JMM"),
        ("झारखण्ड मुक्ति मोर्चा", "JMM"),
        ("काँग्रेस कार्यकर्ता", "INC"),
        ("AICC member", "INC"),
        ("JD(U) leaders", "JDU"),
        ("जद (यू) नेता", "JDU"),
        ("भाकपा माले", "CPIML"),
        ("निकाय चुनाव के लिए कमर कस रही 'आप'", "AAP"),
    ],
)
def test_party_aliases(lexicon: Lexicon, text: str, party: str) -> None:
    assert keys(lexicon, text, "party") == [party]


def test_word_boundaries(lexicon: Lexicon) -> None:
    assert keys(lexicon, "भाजपाई नेता", "party") == []
    assert keys(lexicon, "आजसू पार्टी", "party") == ["AJSU"]


def test_longest_name_wins(lexicon: Lexicon) -> None:
    assert keys(lexicon, "तृणमूल कांग्रेस की बैठक", "party") == ["TMC"]
    assert keys(lexicon, "Nationalist Congress Party", "party") == ["NCP"]
    # A person's name is not the official it contains.
    found = lexicon.find(fold("शुभेंदु अधिकारी ने कहा"))
    assert [h.group for h in found] == ["leader"]


def test_case_sensitive_aliases(lexicon: Lexicon) -> None:
    assert keys(lexicon, "AAP leaders", "party") == ["AAP"]
    assert keys(lexicon, "Sarkar aap ke dwar", "party") == []
    # "SP" is a police officer here, never the Samajwadi Party.
    assert keys(lexicon, "the SP said", "party") == []


def test_leaders_point_to_parties(lexicon: Lexicon) -> None:
    assert lexicon.party_of("Hemant Soren") == "JMM"
    assert keys(lexicon, "हेमंत सोरेन ने कहा", "leader") == ["Hemant Soren"]
    assert keys(lexicon, "Ravinder Raina said", "leader") == ["Ravinder Raina"]


def test_places_and_dateline_only_names(lexicon: Lexicon) -> None:
    assert keys(lexicon, "रांची में बैठक", "place") == ["Ranchi"]
    # "गया" is a verb as often as a town: only a dateline may use it.
    assert keys(lexicon, "वह घर गया", "place") == []


def test_user_file_extends_the_lexicon(tmp_path: Path) -> None:
    extra = tmp_path / "mine.yaml"
    extra.write_text(
        "parties:\n"
        "  XYZ:\n"
        "    name: Example Lok Party\n"
        "    aliases: [एक्सवाईजेड, Example Lok Party]\n"
        "  JMM:\n"
        "    aliases: [मोर्चा पार्टी]\n"
        "leaders:\n"
        "  Asha Devi: {party: XYZ, aliases: [आशा देवी]}\n"
        "meeting:\n"
        "  - गोष्ठी\n",
        encoding="utf-8",
    )
    lexicon = load_lexicon([extra])
    assert keys(lexicon, "एक्सवाईजेड की गोष्ठी", "party") == ["XYZ"]
    assert keys(lexicon, "मोर्चा पार्टी", "party") == ["JMM"]
    assert keys(lexicon, "झामुमो", "party") == ["JMM"]  # shipped aliases are kept
    assert lexicon.party_of("Asha Devi") == "XYZ"
    found = Detector(lexicon).detect("एक्सवाईजेड की जिला गोष्ठी में आशा देवी ने दिए निर्देश", "")
    assert found.meeting and found.parties == ("XYZ",) and found.people == ("Asha Devi",)


def test_malformed_user_file_names_the_key(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("leaders:\n  Someone: {aliases: [x]}\n", encoding="utf-8")
    with pytest.raises(LexiconError, match=r"leaders\.Someone\.party"):
        load_lexicon([bad])


def test_unreadable_user_file(tmp_path: Path) -> None:
    with pytest.raises(LexiconError, match=r"missing\.yaml"):
        load_lexicon([tmp_path / "missing.yaml"])


def test_merge_extends_lists_and_mappings() -> None:
    assert merge({"a": [1], "b": {"c": 1}}, {"a": [1, 2], "b": {"d": 2}}) == {
        "a": [1, 2],
        "b": {"c": 1, "d": 2},
    }
