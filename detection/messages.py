"""What a person is told when their check-in cannot be analysed (shown on the result page and in the API)."""

NO_FACE_PHOTO = (
    "We couldn't find a face in this photo. Try a well-lit photo facing the camera, "
    "or just tell us how you feel instead."
)
NO_FACE_WEBCAM = (
    "We couldn't see a face on the webcam — the room may be too dark, or your face was out of frame. "
    "Try more light, upload a photo instead, or just tell us how you feel."
)
IMAGE_GONE = "The photo was deleted before it could be analysed. Please submit it again."
TOO_MANY_ATTEMPTS = "This picture stopped the analyser {attempts} times, so we gave up and deleted it. Try another."
TOO_SLOW = "The analysis took too long. Please try again with a smaller photo."
STALE = "The analysis did not finish in time, so we deleted the picture. Please submit it again."
CONSENT_GONE = "You withdrew your consent to face analysis, so this picture was not analysed and has been deleted."
MODEL_MISSING = "Mood analysis is not available right now (the emotion model is not installed). Please try later."
PAGE_OUT_OF_DATE = (
    "This page is out of date: reload it to get the current face analysis, then try again "
    "(it used model {sent}; we now use {current})."
)
