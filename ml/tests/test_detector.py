"""The face detector and the alignment on a real face (scikit-image's astronaut) under what selfies do to it."""

import cv2
import numpy as np
import pytest
from skimage import data

from ml.align import FER_EYE_DISTANCE, FER_EYE_MIDPOINT, FER_EYE_TO_MOUTH, alignment_matrix, crop_face
from ml.detector import (
    LEFT_EYE,
    MOUTH,
    RIGHT_EYE,
    Detection,
    FaceDetector,
    brighten,
    face_shaped,
    ssd_anchors,
    weighted_nms,
)

# Where the astronaut's face is in the 512x512 photo (x, y, w, h), by eye.
ASTRONAUT_FACE = (175, 70, 100, 110)


@pytest.fixture(scope="module")
def detector() -> FaceDetector:
    return FaceDetector()


@pytest.fixture(scope="module")
def astronaut() -> np.ndarray:
    return data.astronaut()


@pytest.fixture(scope="module")
def face(detector, astronaut) -> Detection:
    (found,) = detector.detect(astronaut)
    return found


def centre(box) -> np.ndarray:
    x, y, w, h = box
    return np.array([x + w / 2, y + h / 2])


def roll(detection: Detection) -> float:
    dx, dy = detection.keypoints[LEFT_EYE] - detection.keypoints[RIGHT_EYE]
    return float(np.degrees(np.arctan2(dy, dx)))


def test_anchor_grids_match_blazeface_back_model():
    # 16x16 cells x 2 anchors + 8x8 cells x 6 anchors, as the model emits them.
    anchors = ssd_anchors(256, 256)
    assert anchors.shape == (896, 2)
    assert tuple(anchors[0]) == (8.0, 8.0) and tuple(anchors[511]) == (248.0, 248.0)
    assert tuple(anchors[512]) == (16.0, 16.0)
    assert ssd_anchors(224, 384).shape == (14 * 24 * 2 + 7 * 12 * 6, 2)


def test_weighted_nms_merges_overlapping_boxes_by_score():
    corners = np.array([[0, 0, 10, 10], [1, 1, 11, 11], [50, 50, 60, 60]], np.float32)
    points = np.zeros((3, 6, 2), np.float32)
    scores = np.array([0.9, 0.3, 0.5], np.float32)
    merged, _, kept_scores = weighted_nms(corners, points, scores)
    assert len(merged) == 2 and list(kept_scores) == pytest.approx([0.9, 0.5])
    assert merged[0][0] == pytest.approx(0.25)  # 0.75 x 0 + 0.25 x 1


def test_a_frontal_face_with_its_keypoints(face):
    assert np.linalg.norm(centre(face.box) - centre(ASTRONAUT_FACE)) < 15
    assert 80 < face.box[2] < 130
    right, left, mouth = face.keypoints[RIGHT_EYE], face.keypoints[LEFT_EYE], face.keypoints[MOUTH]
    assert right[0] < left[0]  # the person's right eye is on the image's left
    assert mouth[1] > max(right[1], left[1]) + 20
    assert abs(roll(face)) < 8


@pytest.mark.parametrize("light", [0.25, 0.1])
def test_a_dark_photo(detector, astronaut, face, light):
    (found,) = detector.detect((astronaut * light).astype(np.uint8))
    assert np.linalg.norm(centre(found.box) - centre(face.box)) < 10


def test_dark_photos_are_brightened_and_normal_ones_left_alone(astronaut):
    assert brighten(astronaut) is astronaut
    dim = (astronaut * 0.25).astype(np.uint8)
    assert np.percentile(brighten(dim), 99) > 200


@pytest.mark.parametrize("angle", [-30, 30])
def test_a_tilted_head_is_found_and_levelled(detector, astronaut, face, angle):
    cx, cy = centre(face.box)
    turned = cv2.warpAffine(
        astronaut, cv2.getRotationMatrix2D((cx, cy), angle, 1.0), (512, 512), borderMode=cv2.BORDER_REFLECT_101
    )
    (found,) = detector.detect(turned)
    assert np.linalg.norm(centre(found.box) - (cx, cy)) < 20
    # cv2 turns counter-clockwise for a positive angle, which lowers the person's right eye.
    assert roll(found) == pytest.approx(-angle, abs=10)
    gray, gray_turned = (cv2.cvtColor(im, cv2.COLOR_RGB2GRAY) for im in (astronaut, turned))
    upright, levelled = crop_face(gray, face).astype(float), crop_face(gray_turned, found).astype(float)
    assert np.corrcoef(upright.ravel(), levelled.ravel())[0, 1] > 0.8


def test_a_hand_over_the_mouth(detector, astronaut, face):
    """A skin-coloured block over the mouth and chin, like fingers at the lips."""
    covered = astronaut.copy()
    mx, my = face.keypoints[MOUTH]
    w = face.box[2]
    cx, cy = centre(face.box)
    skin = np.median(astronaut[int(cy) - 5 : int(cy) + 5, int(cx) + 15 : int(cx) + 25].reshape(-1, 3), axis=0)
    covered[int(my - 0.2 * w) : int(my + 0.25 * w), int(mx - 0.35 * w) : int(mx + 0.35 * w)] = skin
    (found,) = detector.detect(covered)
    assert np.linalg.norm(centre(found.box) - centre(face.box)) < 15


@pytest.mark.parametrize("x, y", [(700, 300), (100, 50), (1000, 500)])
def test_a_small_face_in_a_wide_frame(detector, astronaut, face, x, y):
    """The face at 6% of a 1280x720 frame's shorter side (43 pixels, 3.4% of its width)."""
    scale = 0.06 * 720 / face.box[2]
    small = cv2.resize(astronaut, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    frame = np.full((720, 1280, 3), (90, 110, 130), np.uint8)
    frame[y : y + small.shape[0], x : x + small.shape[1]] = small
    (found,) = detector.detect(frame)
    assert np.linalg.norm(centre(found.box) - ((x, y) + centre(face.box) * scale)) < 10


@pytest.mark.parametrize("cut", [0.4, 0.5])
def test_a_face_cut_by_the_frame_edge(detector, astronaut, face, cut):
    x0 = int(face.box[0] + cut * face.box[2])
    (found,) = detector.detect(astronaut[:, x0:].copy())
    # Its box runs over the left edge, where the face continues.
    assert found.box[0] < 0 < found.box[0] + found.box[2]
    assert abs(centre(found.box)[1] - centre(face.box)[1]) < 15


@pytest.mark.parametrize(
    "image",
    [
        pytest.param(lambda: np.full((480, 640, 3), (120, 170, 230), np.uint8), id="blank sky"),
        pytest.param(lambda: np.zeros((300, 300, 3), np.uint8), id="black"),
        pytest.param(data.coffee, id="coffee"),
        pytest.param(data.rocket, id="rocket"),
        pytest.param(data.chelsea, id="cat"),
        pytest.param(lambda: np.stack([data.brick()] * 3, -1), id="brick texture"),
        pytest.param(lambda: np.stack([data.grass()] * 3, -1), id="grass texture"),
        pytest.param(lambda: np.stack([data.gravel()] * 3, -1), id="gravel texture"),
        pytest.param(lambda: np.random.default_rng(0).integers(0, 256, (480, 640, 3), dtype=np.uint8), id="noise"),
    ],
)
def test_no_face_where_there_is_none(detector, image):
    assert detector.detect(image()) == []


def test_a_weak_candidate_lying_on_its_side_is_not_a_face():
    upright = np.array([[30, 40], [70, 40], [50, 60], [50, 80], [20, 50], [80, 50]], np.float32)
    assert face_shaped(upright, 100)
    on_its_side = upright[:, ::-1].copy()
    assert not face_shaped(on_its_side, 100)
    upside_down = upright.copy()
    upside_down[:, 1] = 100 - upside_down[:, 1]
    assert not face_shaped(upside_down, 100)


def test_grayscale_input_works(detector, astronaut, face):
    (found,) = detector.detect(cv2.cvtColor(astronaut, cv2.COLOR_RGB2GRAY))
    assert np.linalg.norm(centre(found.box) - centre(face.box)) < 10


def test_the_crop_frames_the_face_like_fer(astronaut, face):
    crop = crop_face(cv2.cvtColor(astronaut, cv2.COLOR_RGB2GRAY), face)
    assert crop.shape == (48, 48) and crop.dtype == np.uint8
    # In the crop, the eyes are level on FER+'s median eye line and the mouth where FER+'s is.
    matrix = alignment_matrix(face)
    right, left, mouth = (matrix @ (*face.keypoints[i], 1.0) for i in (RIGHT_EYE, LEFT_EYE, MOUTH))
    assert right[1] == pytest.approx(left[1], abs=0.5)
    assert (right + left)[0] / 2 == pytest.approx(FER_EYE_MIDPOINT[0], abs=0.1)
    assert (right + left)[1] / 2 == pytest.approx(FER_EYE_MIDPOINT[1], abs=0.1)
    assert mouth[1] == pytest.approx(FER_EYE_MIDPOINT[1] + FER_EYE_TO_MOUTH, abs=3)
    assert left[0] - right[0] == pytest.approx(FER_EYE_DISTANCE, abs=3)


def test_a_large_face_is_shrunk_before_the_warp_and_crops_the_same(detector, astronaut, face):
    big = cv2.resize(astronaut, (2048, 2048), interpolation=cv2.INTER_CUBIC)
    (found,) = detector.detect(big)
    small_crop = crop_face(cv2.cvtColor(astronaut, cv2.COLOR_RGB2GRAY), face).astype(float)
    big_crop = crop_face(cv2.cvtColor(big, cv2.COLOR_RGB2GRAY), found).astype(float)
    assert np.corrcoef(small_crop.ravel(), big_crop.ravel())[0, 1] > 0.98
