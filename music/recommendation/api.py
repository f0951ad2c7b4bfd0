"""The recommendation API: lists for a stated mood, and the lists a listener was given."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from music.catalog.api import SongOutputSerializer
from music.emotions import EMOTIONS
from music.library import selectors
from music.library.models import Recommendation
from music.recommendation.recommender import GOALS
from music.recommendation.services import recommendation_create
from symphony.api import StrictInputSerializer
from symphony.pagination import paginated
from symphony.schema import one_of


class RecommendationOutputSerializer(serializers.ModelSerializer):
    @extend_schema_serializer(component_name="RecommendationItem")
    class ItemSerializer(serializers.Serializer):
        rank = serializers.IntegerField()
        song = SongOutputSerializer()
        score = serializers.FloatField()
        explanation = serializers.CharField()

    check_in = serializers.IntegerField(source="check_in_id", allow_null=True)
    items = ItemSerializer(many=True)
    note = serializers.CharField(help_text="Why the list is shorter than asked (e.g. the genres you avoid), or empty.")

    class Meta:
        model = Recommendation
        fields = ["id", "check_in", "goal", "emotions", "note", "created_at", "items"]


@extend_schema_field(
    {
        "type": "object",
        "properties": {name: {"type": "number", "minimum": 0, "maximum": 1} for name in EMOTIONS},
        "additionalProperties": False,
        # normalize_distribution's last rule: something to rescale.
        "anyOf": [
            {"required": [name], "properties": {name: {"minimum": 0, "exclusiveMinimum": True}}} for name in EMOTIONS
        ],
        "description": "Emotion names to probabilities (rescaled to sum to 1); at least one above 0.",
    }
)
class DistributionField(serializers.DictField):
    """An emotion distribution as music.emotions.normalize_distribution takes it (its 400s, in the schema)."""

    def __init__(self, **kwargs):
        super().__init__(child=serializers.FloatField(min_value=0, max_value=1), **kwargs)


class RecommendationListCreateApi(APIView):
    # Each new list runs the recommender: limited per user; reading lists is not.
    throttle_scope = "recommendations"

    def get_throttles(self):
        return super().get_throttles() if self.request.method == "POST" else []

    @extend_schema_serializer(component_name="RecommendationCreateInput")
    class InputSerializer(StrictInputSerializer):
        emotions = DistributionField(required=False)
        emotion = serializers.ChoiceField(choices=EMOTIONS, required=False)
        goal = serializers.ChoiceField(choices=GOALS, required=False, help_text="Defaults to the profile's goal.")
        seed = serializers.IntegerField(required=False, min_value=0, max_value=2**62)
        schema_rules = one_of("emotions", "emotion")

        def validate(self, attrs):
            attrs = super().validate(attrs)
            if ("emotions" in attrs) == ("emotion" in attrs):
                raise serializers.ValidationError("Send either `emotions` (a distribution) or `emotion` (a name).")
            return attrs

    @extend_schema(responses=RecommendationOutputSerializer(many=True), summary="Your recommendation lists")
    def get(self, request):
        lists = selectors.recommendation_list(user=request.user)
        return paginated(request, self, lists, RecommendationOutputSerializer)

    @extend_schema(
        request=InputSerializer,
        responses={201: RecommendationOutputSerializer},
        summary="Songs for a mood you state by hand",
    )
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        emotions = values["emotions"] if "emotions" in values else {values["emotion"]: 1.0}
        rec = recommendation_create(
            user=request.user, emotions=emotions, goal=values.get("goal"), seed=values.get("seed")
        )
        rec = selectors.recommendation_list(user=request.user).get(pk=rec.pk)
        return Response(RecommendationOutputSerializer(rec).data, status=status.HTTP_201_CREATED)


class RecommendationDetailApi(APIView):
    @extend_schema(responses=RecommendationOutputSerializer)
    def get(self, request, pk: int):
        rec = get_object_or_404(selectors.recommendation_list(user=request.user), pk=pk)
        return Response(RecommendationOutputSerializer(rec).data)
