"""REST API for on-device analysis (docs/api.md, "Check-ins"): the results a browser made, never an image."""

import math

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import HasConsent
from ml.labels import EMOTIONS
from symphony.api import StrictInputSerializer
from symphony.schema import error_response

from . import ondevice, selectors
from .api import ERROR_RESPONSES, CheckInOutputSerializer, keep_text_field, text_field
from .models import CheckIn


class JsonNumberField(serializers.FloatField):
    """A finite JSON number: not text ("0.5"), not true/false, which DRF's FloatField would take."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | float):
            self.fail("invalid")
        try:
            value = float(data)
        except OverflowError:
            self.fail("invalid")
        if not math.isfinite(value):
            self.fail("invalid")
        return value


class JsonIntegerField(serializers.IntegerField):
    """A JSON integer: not text ("640"), not true/false, not 640.5."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class NestedStrictSerializer(StrictInputSerializer):
    """StrictInputSerializer's unknown-field rule for a nested object too (it checks the body's top level)."""

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        unknown = sorted(set(data) - set(self.fields))
        if unknown:
            raise serializers.ValidationError({name: ["Unknown field."] for name in unknown}, code="unknown_field")
        return value


def unit_field(help_text: str) -> JsonNumberField:
    return JsonNumberField(min_value=0, max_value=1, help_text=help_text)


class OnDeviceProbabilitiesSerializer(NestedStrictSerializer):
    """Every one of the eight emotions (ml.labels), no other: calibrated probabilities summing to 1."""

    def get_fields(self):
        return {name: unit_field(f"P({name}), 0 to 1.") for name in EMOTIONS}


class OnDeviceFaceSerializer(NestedStrictSerializer):
    """One face the browser found, and its reading."""

    box = serializers.ListField(
        child=JsonNumberField(min_value=0),
        min_length=4,
        max_length=4,
        help_text="[x, y, w, h] in the image's pixels; w and h above 0, inside the image (1 pixel of slack).",
    )
    probabilities = OnDeviceProbabilitiesSerializer()
    quality = unit_field("0 (too small or blurry) to 1, as ml.inference rates a face: weighs a burst's frames.")


class OnDeviceFrameSerializer(NestedStrictSerializer):
    """One image (the photo, or a frame of the burst): its size in pixels, upright, and its faces."""

    width = JsonIntegerField(min_value=1, max_value=settings.MAX_PHOTO_PIXELS)
    height = JsonIntegerField(min_value=1, max_value=settings.MAX_PHOTO_PIXELS)
    faces = serializers.ListField(
        child=OnDeviceFaceSerializer(),
        max_length=settings.MAX_FACES_PER_IMAGE,
        help_text="Every face found; none is a check-in that failed (no face).",
    )


class CheckInOnDeviceApi(APIView):
    """Store a check-in your browser analysed itself: only the results are sent, never the image."""

    permission_classes = [IsAuthenticated, HasConsent]
    # The same budget as uploads: one check-in is one check-in, wherever it was analysed.
    throttle_scope = "check_ins"
    body_limit = "on_device"

    class InputSerializer(StrictInputSerializer):
        """What the browser's analysis found, in ml's terms (ml/models/pipeline.json); never an image."""

        kind = serializers.ChoiceField(choices=[CheckIn.Kind.UPLOAD.value, CheckIn.Kind.WEBCAM.value])
        model_version = serializers.CharField(
            max_length=64, help_text="The pipeline's `model_version` (a page that is out of date is refused)."
        )
        frames = serializers.ListField(
            child=OnDeviceFrameSerializer(),
            min_length=1,
            max_length=settings.MAX_BURST_FRAMES,
            help_text=f"`upload`: the one photo; `webcam`: the burst, 1 to {settings.MAX_BURST_FRAMES} frames.",
        )
        text = text_field(required=False)
        keep_text = keep_text_field(json=True)

    @extend_schema(
        operation_id="check_ins_on_device",
        request=InputSerializer,
        responses={
            201: CheckInOutputSerializer,
            400: ERROR_RESPONSES[400],
            403: error_response(403, "No consent to face analysis yet (`consent_required`)."),
            413: error_response(413, "The body is over its limit (results only: no image)."),
        },
    )
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        check_in = ondevice.check_in_create_on_device(user=request.user, **serializer.validated_data)
        check_in = selectors.check_in_created(user=request.user, check_in=check_in)
        data = CheckInOutputSerializer(check_in, context={"request": request}).data
        return Response(data, status=status.HTTP_201_CREATED, headers={"Location": data["url"]})
