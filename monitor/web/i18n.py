"""The interface in English and Hindi: message catalogue and dates in the chosen language."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime

LANGUAGES = ("en", "hi")
IST = ZoneInfo("Asia/Kolkata")

# English text is the key; a missing Hindi entry falls back to English.
HINDI: dict[str, str] = {
    "Events": "घटनाएँ",
    "This week": "इस सप्ताह",
    "Articles": "लेख",
    "Sources": "स्रोत",
    "Activity": "गतिविधि",
    "Log in": "लॉग इन",
    "Log out": "लॉग आउट",
    "User name": "उपयोगकर्ता नाम",
    "Password": "पासवर्ड",
    "Wrong user name or password.": "गलत उपयोगकर्ता नाम या पासवर्ड।",
    "Too many attempts; try again later.": "बहुत अधिक प्रयास; बाद में फिर कोशिश करें।",
    "Party": "दल",
    "State": "राज्य",
    "District": "ज़िला",
    "Label": "लेबल",
    "Status": "स्थिति",
    "Meeting date from": "बैठक की तिथि से",
    "Meeting date to": "बैठक की तिथि तक",
    "Reported from": "रिपोर्ट की तिथि से",
    "Reported to": "रिपोर्ट की तिथि तक",
    "Source": "स्रोत",
    "Language": "भाषा",
    "Text": "पाठ",
    "Review": "समीक्षा",
    "Filter": "छाँटें",
    "Clear": "साफ़ करें",
    "any": "कोई भी",
    "meeting": "बैठक",
    "election_prep": "चुनाव की तैयारी",
    "held": "हो चुकी",
    "scheduled": "निर्धारित",
    "online": "ऑनलाइन",
    "in_person": "प्रत्यक्ष",
    "open": "खुली",
    "all": "सभी",
    "confirmed": "पुष्ट",
    "false_positive": "गलत पहचान",
    "merged": "विलय",
    "unreviewed": "समीक्षा बाकी",
    "events": "घटनाएँ",
    "No events match.": "कोई घटना नहीं मिली।",
    "Previous": "पिछला",
    "Next": "अगला",
    "Page": "पृष्ठ",
    "of": "में से",
    "When": "कब",
    "Where": "कहाँ",
    "Mode": "माध्यम",
    "Level": "स्तर",
    "Election": "चुनाव",
    "Who": "कौन",
    "People": "लोग",
    "Reports": "रिपोर्टें",
    "Outlet": "समाचार स्रोत",
    "Published": "प्रकाशित",
    "Original": "मूल लेख",
    "Evidence": "साक्ष्य",
    "Alerts sent": "भेजे गए अलर्ट",
    "Channel": "चैनल",
    "Time": "समय",
    "Attempts": "प्रयास",
    "No alerts.": "कोई अलर्ट नहीं।",
    "Confirm": "पुष्टि करें",
    "Mark false positive": "गलत पहचान चिह्नित करें",
    "Reason": "कारण",
    "Correct a field": "फ़ील्ड सुधारें",
    "Field": "फ़ील्ड",
    "Value": "मान",
    "Save": "सहेजें",
    "Merge another event into this one": "दूसरी घटना को इसमें मिलाएँ",
    "Event number": "घटना संख्या",
    "Merge": "मिलाएँ",
    "Move out": "अलग करें",
    "Review history": "समीक्षा इतिहास",
    "Search": "खोजें",
    "results": "परिणाम",
    "No articles match.": "कोई लेख नहीं मिला।",
    "Detection": "पहचान",
    "none": "कुछ नहीं",
    "Health": "स्वास्थ्य",
    "Last crawl": "अंतिम क्रॉल",
    "Failures": "विफलताएँ",
    "Newest article": "नवीनतम लेख",
    "Next due": "अगली बारी",
    "Last error": "अंतिम त्रुटि",
    "Recent articles": "हाल के लेख",
    "Meetings per party per week": "प्रति सप्ताह दलवार बैठकें",
    "Preparation per party per week": "प्रति सप्ताह दलवार चुनावी तैयारी",
    "Events per state": "राज्यवार घटनाएँ",
    "Nothing scheduled.": "कुछ भी निर्धारित नहीं।",
    "Atom feed": "एटम फ़ीड",
    "Calendar": "कैलेंडर",
    "unknown": "अज्ञात",
    "Event": "घटना",
    "by": "द्वारा",
    "Not found": "नहीं मिला",
    "Bad request": "गलत अनुरोध",
}


# Stored codes shown to English readers.
ENGLISH: dict[str, str] = {
    "election_prep": "election prep",
    "in_person": "in person",
    "false_positive": "false positive",
}


def translate(lang: str, text: str) -> str:
    if lang == "hi":
        return HINDI.get(text, text)
    return ENGLISH.get(text, text)


def day_text(lang: str, value: date | str | None, *, weekday: bool = False) -> str:
    """A date as a reader of `lang` writes it: "21 November 2023" / "21 नवंबर 2023"."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            day = date.fromisoformat(value[:10])
        except ValueError:
            return value
    else:
        day = value
    pattern = "EEEE, d MMMM y" if weekday else "d MMMM y"
    return format_date(day, pattern, locale=lang)


def moment_text(lang: str, value: datetime | None) -> str:
    """A stored (UTC) time shown in India time, in the reader's language."""
    if value is None:
        return ""
    return format_datetime(value.astimezone(IST), "d MMM y, HH:mm", tzinfo=IST, locale=lang)
