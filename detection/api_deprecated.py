"""/api/v1/submissions/… — the old name of /api/v1/checkins/…, kept for one version.

Each answers exactly as its successor does, plus `Deprecation` and `Link` headers
(docs/api.md, "Deprecated"). Delete this module and its URLs in the next version."""

from symphony.api import DeprecatedApiMixin

from . import api


class _Renamed(DeprecatedApiMixin):
    renamed_kwargs = {"submission_id": "check_in_id"}


class SubmissionListCreateApi(_Renamed, api.CheckInListCreateApi):
    successor = "api-v1:check-in-list"


class SubmissionDetailApi(_Renamed, api.CheckInDetailApi):
    successor = "api-v1:check-in-detail"


class SubmissionCorrectionApi(_Renamed, api.CheckInCorrectionApi):
    successor = "api-v1:check-in-correction"


class SubmissionFaceSelectApi(_Renamed, api.CheckInFaceSelectApi):
    successor = "api-v1:check-in-face"


class SubmissionImageApi(_Renamed, api.CheckInImageApi):
    successor = "api-v1:check-in-image"
