"""The consent text users agree to before any face is analysed.

Changing what we analyse or keep means a new CONSENT_VERSION: everyone who
agreed to an older version is asked again before their next check-in. (Saying where the analysis
runs, on our server or in the browser, changed neither: 2026-11 stands.)
"""

from django.conf import settings

CONSENT_VERSION = "2026-11"

CONSENT_TITLE = "Face analysis: what we do with your selfies"


def consent_sections() -> list[dict[str, str]]:
    """Plain-words sections of the current consent text (headings + paragraphs)."""
    days = settings.KEEP_IMAGES_DAYS
    login_days = settings.LOGIN_HISTORY_DAYS
    stale_minutes = int(settings.ANALYSIS_STALE_AFTER.total_seconds() // 60)
    return [
        {
            "heading": "What is analysed",
            "body": (
                "When you check in with a selfie or a short webcam burst, we look for faces in it and estimate "
                "the emotion each face shows (neutral, happiness, surprise, sadness, anger, disgust, fear or "
                "contempt). Nothing else is read from your face: no identity, age or other traits."
            ),
        },
        {
            "heading": "What is kept",
            "body": (
                "We keep the result: the emotions found, where the face was in the picture, the songs we suggested "
                "and how you reacted to them (likes, skips, plays). This is your mood history and trains your "
                "personal recommendations. A picture our server analysed is deleted as soon as the analysis is "
                'finished, unless you switch on "keep my face images" in your profile.'
            ),
        },
        {
            "heading": "For how long",
            "body": (
                f"Pictures you chose to keep are deleted after {days} days. Your mood history stays until you "
                f"delete it or your account. Login records (time, address, browser) are kept for {login_days} "
                "days to protect your account."
            ),
        },
        {
            "heading": "On our server, or on your device",
            "body": (
                'Our server analyses your pictures unless you switch on "analyse my face in this browser" in your '
                "profile. On our server: the picture (or the burst's frames) is sent to us, waits at most "
                f"{stale_minutes} minutes for an analyser and is deleted once analysed (unless you keep images). On "
                "your device: your browser finds the faces and reads them with the same models, and the picture "
                "never leaves your device. Only the results are sent: for each face its eight emotion probabilities, "
                "where it is in the picture and how clear it is, with the picture's size and the model's version."
            ),
        },
        {
            "heading": "Your choices",
            "body": (
                "You can withdraw this consent at any time with one click; we then stop analysing new pictures. "
                "You can download everything we hold about you, or delete your account and all of its data, "
                'from the "Your data" page.'
            ),
        },
    ]


def consent_text() -> str:
    """The full consent text as plain text (for the API and the data export)."""
    parts = [CONSENT_TITLE]
    for section in consent_sections():
        parts.append(f"{section['heading']}\n{section['body']}")
    return "\n\n".join(parts)
