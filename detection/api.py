"""REST API for submissions (shared/API.md, "Submissions")."""

from django.conf import settings
from django.core.exceptions import TooManyFilesSent, ValidationError
from django.http import FileResponse, Http404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import HasConsent
from ml.labels import EMOTIONS
from symphony.api import ObjectIdField, StrictInputSerializer

from . import selectors, services
from .models import Submission

ERROR_RESPONSES = {
    400: OpenApiResponse(description="Bad input, with a message saying what is wrong."),
    404: OpenApiResponse(description="No such submission (or it belongs to someone else)."),
}


@extend_schema_field(OpenApiTypes.BINARY)
class UploadField(serializers.FileField):
    """A file part of a multipart body (documented as binary, not as a URL)."""


def _submission_or_404(request, submission_id) -> Submission:
    submission = selectors.submission_get(user=request.user, submission_id=submission_id)
    if submission is None:
        raise Http404
    return submission


def _validation_response(exc: ValidationError) -> Response:
    code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE if exc.code == "too_large" else status.HTTP_400_BAD_REQUEST
    return Response({"detail": " ".join(exc.messages)}, status=code)


def _recommendation_data(submission: Submission, request):
    recommendation = selectors.submission_recommendation(submission)
    if recommendation is None:
        return None
    from music.api import RecommendationOutputSerializer

    return RecommendationOutputSerializer(recommendation, context={"request": request}).data


class FaceOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    frame = serializers.IntegerField(source="frame_index")
    box = serializers.ListField(child=serializers.IntegerField(), min_length=4, max_length=4, help_text="[x, y, w, h]")
    emotions = serializers.DictField(child=serializers.FloatField(), source="probabilities")
    top_emotion = serializers.CharField()
    confidence = serializers.FloatField()
    selected = serializers.SerializerMethodField(help_text='True for the face taken as "you".')

    def get_selected(self, face) -> bool:
        return face.pk == self.context["selected_face_id"]


class SubmissionOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Submission.Kind.choices)
    status = serializers.ChoiceField(choices=Submission.Status.choices)
    error = serializers.SerializerMethodField(help_text="Why it failed, for the user; null unless failed.")
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    top_emotion = serializers.SerializerMethodField()
    confidence = serializers.FloatField(allow_null=True)
    low_confidence = serializers.BooleanField(source="is_low_confidence")
    corrected_emotion = serializers.SerializerMethodField()
    effective_emotion = serializers.SerializerMethodField(help_text="The correction if any, else the top emotion.")
    emotions = serializers.DictField(child=serializers.FloatField(), allow_null=True)
    faces = serializers.SerializerMethodField()
    image_size = serializers.SerializerMethodField(help_text="[width, height] of the analysed image; boxes use it.")
    has_image = serializers.SerializerMethodField()
    image_url = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    recommendation = serializers.SerializerMethodField()

    def get_error(self, obj) -> str | None:
        return obj.error or None

    def get_top_emotion(self, obj) -> str | None:
        return obj.top_emotion or None

    def get_corrected_emotion(self, obj) -> str | None:
        return obj.corrected_emotion or None

    def get_effective_emotion(self, obj) -> str | None:
        return obj.effective_emotion or None

    @extend_schema_field(FaceOutputSerializer(many=True))
    def get_faces(self, obj) -> list[dict]:
        context = {"selected_face_id": obj.selected_face_id}
        return FaceOutputSerializer(obj.faces.all(), many=True, context=context).data

    def get_image_size(self, obj) -> list[int] | None:
        return [obj.image_width, obj.image_height] if obj.image_width else None

    def get_has_image(self, obj) -> bool:
        return obj.frames.exists()

    def get_image_url(self, obj) -> str | None:
        if not obj.frames.exists():
            return None
        return reverse("api-v1:submission-image", args=[obj.pk])

    def get_url(self, obj) -> str:
        return reverse("api-v1:submission-detail", args=[obj.pk])

    @extend_schema_field({"type": "object", "nullable": True, "description": "The music app's recommendation."})
    def get_recommendation(self, obj) -> dict | None:
        return _recommendation_data(obj, self.context.get("request"))


class SubmissionPagination(PageNumberPagination):
    page_size = 20


class SubmissionListCreateApi(APIView):
    """List your submissions, or submit a selfie (`image`) or a webcam burst (`frames`)."""

    throttle_scope = "submissions"
    # A burst of full-size frames (symphony.middleware refuses more before reading it).
    body_limit = "upload"

    class InputSerializer(serializers.Serializer):
        # Empty files pass here so the service can say what is wrong with them.
        image = UploadField(required=False, allow_empty_file=True, help_text="One photo (JPEG, PNG, WebP, ...).")
        frames = serializers.ListField(
            child=UploadField(allow_empty_file=True),
            required=False,
            help_text="A webcam burst: several frames, in order.",
        )
        emotion = serializers.ChoiceField(
            choices=EMOTIONS, required=False, help_text="Say how you feel instead of sending a photo."
        )

        def validate(self, attrs):
            if len([name for name in ("image", "frames", "emotion") if attrs.get(name)]) != 1:
                raise serializers.ValidationError(
                    "Send exactly one of: image (a photo), frames (a webcam burst) or emotion."
                )
            return attrs

    class ManualInputSerializer(serializers.Serializer):
        emotion = serializers.ChoiceField(choices=EMOTIONS, help_text="How you feel, picked by hand.")

    def get_permissions(self):
        if self.request.method == "POST":
            return [IsAuthenticated(), HasConsent()]
        return [IsAuthenticated()]

    def get_throttles(self):
        # Only creating costs a worker's time; listing is not throttled beyond the defaults.
        return super().get_throttles() if self.request.method == "POST" else []

    @extend_schema(
        operation_id="submissions_list",
        responses={200: SubmissionOutputSerializer(many=True)},
    )
    def get(self, request):
        paginator = SubmissionPagination()
        page = paginator.paginate_queryset(selectors.submission_list(user=request.user), request, view=self)
        data = SubmissionOutputSerializer(page, many=True, context={"request": request}).data
        return paginator.get_paginated_response(data)

    @extend_schema(
        operation_id="submissions_create",
        request={"multipart/form-data": InputSerializer, "application/json": ManualInputSerializer},
        responses={
            202: SubmissionOutputSerializer,
            201: OpenApiResponse(SubmissionOutputSerializer, description="An emotion picked by hand: done at once."),
            400: ERROR_RESPONSES[400],
            403: OpenApiResponse(description="Not logged in, or no consent to face analysis yet."),
            413: OpenApiResponse(description="A file is over the size or pixel limit."),
        },
    )
    def post(self, request):
        try:
            serializer = self.InputSerializer(data=request.data)
        except TooManyFilesSent:
            return Response(
                {"detail": f"Too many files: at most {settings.MAX_BURST_FRAMES} frames allowed."},
                status=status.HTTP_400_BAD_REQUEST,
            )
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            if data.get("emotion"):
                submission = services.submission_create_manual(user=request.user, emotion=data["emotion"])
            elif data.get("image"):
                submission = services.submission_create(
                    user=request.user, files=[data["image"]], kind=Submission.Kind.UPLOAD
                )
            else:
                submission = services.submission_create(
                    user=request.user, files=data["frames"], kind=Submission.Kind.WEBCAM
                )
        except ValidationError as exc:
            return _validation_response(exc)
        submission.refresh_from_db()
        data = SubmissionOutputSerializer(submission, context={"request": request}).data
        code = status.HTTP_201_CREATED if submission.kind == Submission.Kind.MANUAL else status.HTTP_202_ACCEPTED
        return Response(data, status=code, headers={"Location": data["url"]})


class SubmissionDetailApi(APIView):
    class FilterSerializer(serializers.Serializer):
        wait = serializers.FloatField(
            required=False,
            min_value=0,
            max_value=selectors.MAX_WAIT_S,
            help_text="Seconds to hold the answer while the analysis is queued or running (long polling).",
        )

    @extend_schema(
        operation_id="submissions_retrieve",
        parameters=[FilterSerializer],
        responses={200: SubmissionOutputSerializer, **ERROR_RESPONSES},
    )
    def get(self, request, submission_id: int):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        submission = _submission_or_404(request, submission_id)
        wait = filters.validated_data.get("wait")
        if wait and not submission.is_finished:
            # One cheap status query at a time here beats a client re-sending the whole request.
            selectors.submission_wait_finished(submission_id=submission.pk, timeout=wait)
            submission = _submission_or_404(request, submission_id)
        return Response(SubmissionOutputSerializer(submission, context={"request": request}).data)

    @extend_schema(operation_id="submissions_destroy", responses={204: None, 404: ERROR_RESPONSES[404]})
    def delete(self, request, submission_id: int):
        services.submission_delete(submission=_submission_or_404(request, submission_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class SubmissionCorrectionApi(APIView):
    class InputSerializer(StrictInputSerializer):
        emotion = serializers.ChoiceField(choices=EMOTIONS)

    @extend_schema(
        operation_id="submissions_correction",
        request=InputSerializer,
        responses={200: SubmissionOutputSerializer, **ERROR_RESPONSES},
    )
    def post(self, request, submission_id: int):
        submission = _submission_or_404(request, submission_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            services.submission_correct(submission=submission, emotion=serializer.validated_data["emotion"])
        except ValidationError as exc:
            return _validation_response(exc)
        return Response(SubmissionOutputSerializer(submission, context={"request": request}).data)


class SubmissionFaceSelectApi(APIView):
    class InputSerializer(StrictInputSerializer):
        face = ObjectIdField(help_text="The id of one of this submission's faces.")

    @extend_schema(
        operation_id="submissions_face_select",
        request=InputSerializer,
        responses={200: SubmissionOutputSerializer, **ERROR_RESPONSES},
        description='Say which detected face is "you"; the mood and songs follow that face.',
    )
    def post(self, request, submission_id: int):
        submission = _submission_or_404(request, submission_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            services.submission_face_select(submission=submission, face_id=serializer.validated_data["face"])
        except ValidationError as exc:
            return _validation_response(exc)
        return Response(SubmissionOutputSerializer(submission, context={"request": request}).data)


class SubmissionImageApi(APIView):
    @extend_schema(
        operation_id="submissions_image",
        parameters=[OpenApiParameter("frame", int, description="Frame of a webcam burst (default: the one shown).")],
        responses={
            (200, "image/jpeg"): OpenApiResponse(bytes, description="The stored, EXIF-free JPEG."),
            404: OpenApiResponse(description="Not yours, or no longer stored."),
        },
    )
    def get(self, request, submission_id: int):
        submission = _submission_or_404(request, submission_id)
        frame_index = request.query_params.get("frame")
        if frame_index is None:
            selected = submission.selected_face
            frame_index = selected.frame_index if selected else 0
        frame = submission.frames.filter(index=frame_index).first() if str(frame_index).isdecimal() else None
        if frame is None:
            raise Http404
        try:
            handle = frame.image.open("rb")
        except FileNotFoundError as exc:
            raise Http404 from exc
        response = FileResponse(handle, content_type="image/jpeg")
        # Faces are personal: no shared cache may keep a copy.
        response["Cache-Control"] = "private, no-store"
        return response
