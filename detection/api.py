"""REST API for check-ins (docs/api.md, "Check-ins")."""

from django.http import FileResponse, Http404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import HasConsent
from ml.labels import EMOTIONS
from ml.text import TEXT_MAX_CHARS
from music.recommendation.api import RecommendationOutputSerializer
from symphony.api import ObjectIdField, StrictInputSerializer, preferred_wait, validated_query
from symphony.pagination import paginate
from symphony.schema import error_response, one_of, prefer_wait_parameter
from symphony.shortcuts import object_or_404

from . import selectors, services
from .models import FINISHED_STATUSES, CheckIn

ERROR_RESPONSES = {
    400: error_response(400, "Bad input, with a message saying what is wrong."),
    404: error_response(404, "No such check-in (or it belongs to someone else)."),
}


def text_field(**kwargs) -> serializers.CharField:
    return serializers.CharField(
        min_length=1,
        max_length=TEXT_MAX_CHARS,
        help_text=f"How you feel, in words (1 to {TEXT_MAX_CHARS} characters): read by our text model. "
        "A check-in of kind `words` on its own; with `image` or `frames`, read beside the face.",
        **kwargs,
    )


class JsonBooleanField(serializers.BooleanField):
    """A boolean in a JSON body is true or false: not 0, 1 or "yes" (a form's strings are another matter)."""

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


def keep_text_field(json: bool = False) -> serializers.BooleanField:
    return (JsonBooleanField if json else serializers.BooleanField)(
        required=False, default=True, help_text="False: store only the emotions read from the words, not the text."
    )


@extend_schema_field(OpenApiTypes.BINARY)
class UploadField(serializers.FileField):
    """A file part of a multipart body (documented as binary, not as a URL)."""


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


class ReadingOutputSerializer(serializers.Serializer):
    emotions = serializers.DictField(child=serializers.FloatField())
    top = serializers.ChoiceField(choices=EMOTIONS)
    confidence = serializers.FloatField()


class ReadingsOutputSerializer(serializers.Serializer):
    face = ReadingOutputSerializer(required=False, help_text="The face's own reading (a selfie with words).")
    words = ReadingOutputSerializer(required=False, help_text="The words' reading.")


class CheckInOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=CheckIn.Kind.choices)
    status = serializers.ChoiceField(choices=CheckIn.Status.choices)
    analysed_on = serializers.ChoiceField(choices=CheckIn.AnalysedOn.choices, help_text="`device`: no image was sent.")
    error = serializers.SerializerMethodField(help_text="Why it failed, for the user; null unless failed.")
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    top_emotion = serializers.SerializerMethodField()
    confidence = serializers.FloatField(allow_null=True)
    low_confidence = serializers.BooleanField(source="is_low_confidence")
    corrected_emotion = serializers.SerializerMethodField()
    effective_emotion = serializers.SerializerMethodField(help_text="The correction if any, else the top emotion.")
    emotions = serializers.DictField(child=serializers.FloatField(), allow_null=True)
    text = serializers.SerializerMethodField(help_text="The words given, if kept; null without words or when not kept.")
    readings = ReadingsOutputSerializer(
        help_text="With words: each reading on its own; `emotions` is then their confidence-weighted fusion."
    )
    read_from = serializers.SerializerMethodField(help_text="What the mood was read from; null when picked by hand.")
    disagreement = serializers.SerializerMethodField(help_text="When the face and the words differ, in words.")
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

    def get_text(self, obj) -> str | None:
        return obj.text or None

    @extend_schema_field({"type": "string", "enum": ["face", "words", "face and words"], "nullable": True})
    def get_read_from(self, obj) -> str | None:
        return obj.read_from or None

    def get_disagreement(self, obj) -> str | None:
        return obj.disagreement or None

    def get_effective_emotion(self, obj) -> str | None:
        return obj.effective_emotion or None

    @extend_schema_field(FaceOutputSerializer(many=True))
    def get_faces(self, obj) -> list[dict]:
        context = {"selected_face_id": obj.selected_face_id}
        return FaceOutputSerializer(obj.faces.all(), many=True, context=context).data

    def get_image_size(self, obj) -> list[int] | None:
        return [obj.image_width, obj.image_height] if obj.image_width else None

    def get_has_image(self, obj) -> bool:
        return bool(obj.frames.all())  # the prefetched frames: no query per row

    def get_image_url(self, obj) -> str | None:
        if not obj.frames.all():
            return None
        return reverse("api-v1:check-in-image", args=[obj.pk])

    def get_url(self, obj) -> str:
        return reverse("api-v1:check-in-detail", args=[obj.pk])

    @extend_schema_field({"type": "object", "nullable": True, "description": "The music app's recommendation."})
    def get_recommendation(self, obj) -> dict | None:
        # A list view hands in every row's list, read in two queries for the whole page.
        lists = self.context.get("recommendations")
        recommendation = lists.get(obj.pk) if lists is not None else selectors.check_in_recommendation(obj)
        if recommendation is None:
            return None
        return RecommendationOutputSerializer(recommendation, context={"request": self.context.get("request")}).data


def _output_context(request, check_in: CheckIn) -> dict:
    context = {"request": request}
    if check_in.status not in FINISHED_STATUSES:
        context["recommendations"] = {}  # songs come with the result: no query for an unfinished one
    return context


def _check_in_create(user, data: dict) -> CheckIn:
    words = {"text": data.get("text"), "keep_text": data.get("keep_text", True)}
    if data.get("emotion"):
        return services.check_in_create_manual(user=user, emotion=data["emotion"])
    if data.get("image"):
        return services.check_in_create(user=user, files=[data["image"]], kind=CheckIn.Kind.UPLOAD, **words)
    if data.get("frames"):
        return services.check_in_create(user=user, files=data["frames"], kind=CheckIn.Kind.WEBCAM, **words)
    return services.check_in_create_words(user=user, **words)


class CheckInListCreateApi(APIView):
    """List your check-ins, or submit a selfie (`image`) or a webcam burst (`frames`)."""

    throttle_scope = "check_ins"
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
        text = text_field(required=False)
        keep_text = keep_text_field()

        def validate(self, attrs):
            ways = [name for name in ("image", "frames", "emotion", "text") if attrs.get(name)]
            # Words may go with a photo or a burst, or stand alone.
            if len(ways) != 1 and not (len(ways) == 2 and "text" in ways and "emotion" not in ways):
                raise serializers.ValidationError(
                    "Send exactly one of: image (a photo), frames (a webcam burst), emotion or text; "
                    "text may also go with image or frames."
                )
            return attrs

    @extend_schema_serializer(component_name="CheckInSaidInput")
    class SaidInputSerializer(StrictInputSerializer):
        emotion = serializers.ChoiceField(choices=EMOTIONS, required=False, help_text="How you feel, picked by hand.")
        text = text_field(required=False)
        keep_text = keep_text_field(json=True)
        schema_rules = one_of("emotion", "text")

        def validate(self, attrs):
            attrs = super().validate(attrs)
            if ("emotion" in attrs) == ("text" in attrs):
                raise serializers.ValidationError("Send either `emotion` (picked by hand) or `text` (your words).")
            return attrs

    def get_permissions(self):
        if self.request.method == "POST":
            return [IsAuthenticated(), HasConsent()]
        return [IsAuthenticated()]

    def get_throttles(self):
        # Only creating costs a worker's time; listing is not throttled beyond the defaults.
        return super().get_throttles() if self.request.method == "POST" else []

    @extend_schema(
        operation_id="check_ins_list",
        responses={200: CheckInOutputSerializer(many=True)},
    )
    def get(self, request):
        page, paginator = paginate(request, self, selectors.check_in_list(user=request.user))
        lists = selectors.check_in_recommendations(user=request.user, check_ins=page)
        data = CheckInOutputSerializer(page, many=True, context={"request": request, "recommendations": lists}).data
        return paginator.get_paginated_response(data)

    @extend_schema(
        operation_id="check_ins_create",
        request={"multipart/form-data": InputSerializer, "application/json": SaidInputSerializer},
        parameters=[prefer_wait_parameter("the analysis")],
        responses={
            202: CheckInOutputSerializer,
            201: OpenApiResponse(
                CheckInOutputSerializer,
                description="Finished: picked by hand, words, or analysed within `Prefer: wait`.",
            ),
            400: ERROR_RESPONSES[400],
            403: error_response(403, "No consent to face analysis yet (`consent_required`)."),
            413: error_response(413, "A file is over the size or pixel limit."),
        },
    )
    def post(self, request):
        json_body = not hasattr(request.data, "getlist")  # a JSON body: a mood said, by hand or in words
        serializer = (self.SaidInputSerializer if json_body else self.InputSerializer)(data=request.data)
        serializer.is_valid(raise_exception=True)
        check_in = _check_in_create(request.user, serializer.validated_data)
        wait = preferred_wait(request, selectors.MAX_WAIT_S)
        check_in = selectors.check_in_created(user=request.user, check_in=check_in, wait=wait)
        data = CheckInOutputSerializer(check_in, context=_output_context(request, check_in)).data
        code = status.HTTP_201_CREATED if check_in.is_finished else status.HTTP_202_ACCEPTED
        applied = {"Preference-Applied": f"wait={wait:g}"} if wait else {}
        return Response(data, status=code, headers={"Location": data["url"], **applied})


class CheckInDetailApi(APIView):
    class FilterSerializer(serializers.Serializer):
        wait = serializers.FloatField(
            required=False,
            min_value=0,
            max_value=selectors.MAX_WAIT_S,
            help_text="Seconds to hold the answer while the analysis is queued or running (long polling).",
        )

    @extend_schema(
        operation_id="check_ins_retrieve",
        parameters=[FilterSerializer],
        responses={200: CheckInOutputSerializer, **ERROR_RESPONSES},
    )
    def get(self, request, check_in_id: int):
        wait = validated_query(self.FilterSerializer, request).get("wait") or 0
        check_in = object_or_404(selectors.check_in_get(user=request.user, check_in_id=check_in_id, wait=wait))
        return Response(CheckInOutputSerializer(check_in, context=_output_context(request, check_in)).data)

    @extend_schema(operation_id="check_ins_destroy", responses={204: None, 404: ERROR_RESPONSES[404]})
    def delete(self, request, check_in_id: int):
        services.check_in_delete(
            check_in=object_or_404(selectors.check_in_get(user=request.user, check_in_id=check_in_id))
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class CheckInStatusApi(APIView):
    """A cheap poll for API clients: a few bytes and one small query per answer (the result page
    long-polls its own HTML, detection.views.check_in_detail)."""

    @extend_schema(
        operation_id="check_ins_status",
        parameters=[CheckInDetailApi.FilterSerializer],
        responses={
            200: inline_serializer(
                "CheckInStatus",
                {
                    "id": serializers.IntegerField(),
                    "status": serializers.ChoiceField(choices=CheckIn.Status.choices),
                    "finished": serializers.BooleanField(help_text="done or failed: read the check-in now."),
                },
            ),
            **ERROR_RESPONSES,
        },
        description="The status of a check-in; with `?wait=S` the answer is held until it is finished (long polling).",
    )
    def get(self, request, check_in_id: int):
        wait = validated_query(CheckInDetailApi.FilterSerializer, request).get("wait") or 0
        found = object_or_404(selectors.check_in_status(user=request.user, check_in_id=check_in_id, wait=wait))
        return Response({**found, "finished": found["status"] in FINISHED_STATUSES})


class CheckInCorrectionApi(APIView):
    class InputSerializer(StrictInputSerializer):
        emotion = serializers.ChoiceField(choices=EMOTIONS)

    @extend_schema(
        operation_id="check_ins_correction",
        request=InputSerializer,
        responses={200: CheckInOutputSerializer, **ERROR_RESPONSES},
    )
    def post(self, request, check_in_id: int):
        check_in = object_or_404(selectors.check_in_get(user=request.user, check_in_id=check_in_id))
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.check_in_correct(check_in=check_in, emotion=serializer.validated_data["emotion"])
        return Response(CheckInOutputSerializer(check_in, context={"request": request}).data)


class CheckInFaceSelectApi(APIView):
    class InputSerializer(StrictInputSerializer):
        face = ObjectIdField(help_text="The id of one of this check-in's faces.")

    @extend_schema(
        operation_id="check_ins_face_select",
        request=InputSerializer,
        responses={200: CheckInOutputSerializer, **ERROR_RESPONSES},
        description='Say which detected face is "you"; the mood and songs follow that face.',
    )
    def post(self, request, check_in_id: int):
        check_in = object_or_404(selectors.check_in_get(user=request.user, check_in_id=check_in_id))
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.check_in_face_select(check_in=check_in, face_id=serializer.validated_data["face"])
        return Response(CheckInOutputSerializer(check_in, context={"request": request}).data)


class CheckInImageApi(APIView):
    @extend_schema(
        operation_id="check_ins_image",
        parameters=[OpenApiParameter("frame", int, description="Frame of a webcam burst (default: the one shown).")],
        responses={
            (200, "image/jpeg"): OpenApiResponse(bytes, description="The stored, EXIF-free JPEG."),
            404: error_response(404, "Not yours, or no longer stored."),
        },
    )
    def get(self, request, check_in_id: int):
        check_in = object_or_404(selectors.check_in_get(user=request.user, check_in_id=check_in_id))
        frame_index = request.query_params.get("frame")
        if frame_index is None:
            selected = check_in.selected_face
            frame_index = selected.frame_index if selected else 0
        frame = check_in.frames.filter(index=frame_index).first() if str(frame_index).isdecimal() else None
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
