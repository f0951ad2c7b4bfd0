import factory
from django.utils import timezone

from accounts.tests.factories import UserFactory
from detection.models import FaceResult, Submission
from detection.services import manual_distribution


class SubmissionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Submission

    owner = factory.SubFactory(UserFactory, consented=True)
    kind = Submission.Kind.UPLOAD
    status = Submission.Status.QUEUED

    class Params:
        done = factory.Trait(
            status=Submission.Status.DONE,
            emotions=factory.LazyFunction(lambda: manual_distribution("happiness")),
            top_emotion="happiness",
            confidence=0.86,
            finished_at=factory.LazyFunction(timezone.now),
            image_width=640,
            image_height=480,
        )
        failed = factory.Trait(status=Submission.Status.FAILED, error="We couldn't find a face in this photo.")


class FaceResultFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FaceResult

    submission = factory.SubFactory(SubmissionFactory, done=True)
    frame_index = 0
    x = 100
    y = 80
    width = 120
    height = 120
    probabilities = factory.LazyFunction(lambda: manual_distribution("happiness"))
    top_emotion = "happiness"
    confidence = 0.86
