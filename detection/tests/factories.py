import factory
from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.tests.factories import UserFactory
from detection.models import CheckIn, CheckInFrame, FaceResult, manual_distribution


class CheckInFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CheckIn

    owner = factory.SubFactory(UserFactory, consented=True)
    kind = CheckIn.Kind.UPLOAD
    status = CheckIn.Status.QUEUED

    class Params:
        done = factory.Trait(
            status=CheckIn.Status.DONE,
            emotions=factory.LazyFunction(lambda: manual_distribution("happiness")),
            top_emotion="happiness",
            confidence=0.86,
            finished_at=factory.LazyFunction(timezone.now),
            image_width=640,
            image_height=480,
        )
        failed = factory.Trait(status=CheckIn.Status.FAILED, error="We couldn't find a face in this photo.")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # created_at is set on insert (auto_now_add), after finished_at was computed: a check-in
        # never finishes before it was created (a database constraint), so finish it then.
        finished_at = kwargs.pop("finished_at", None)
        check_in = super()._create(model_class, *args, **kwargs)
        if finished_at is not None:
            check_in.finished_at = max(finished_at, check_in.created_at)
            check_in.save(update_fields=["finished_at"])
        return check_in


class FaceResultFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FaceResult

    check_in = factory.SubFactory(CheckInFactory, done=True)
    frame_index = 0
    x = 100
    y = 80
    width = 120
    height = 120
    probabilities = factory.LazyFunction(lambda: manual_distribution("happiness"))
    top_emotion = "happiness"
    confidence = 0.86


def kept_frame(check_in: CheckIn, data: bytes | None = None, index: int = 0) -> CheckInFrame:
    """A kept image of a finished check-in, in private storage, as a keeper's analysis leaves it."""
    from detection.tests import images

    frame = CheckInFrame(check_in=check_in, index=index, width=512, height=512)
    frame.image.save("frame.jpg", ContentFile(data or images.face_jpeg()), save=False)
    frame.save()
    return frame
