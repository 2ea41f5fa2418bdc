"""The cast sheet over real gRPC on loopback, as the gateway will call it: RenderReference once per
character (and setting), then every RenderShot of that character with its reference key.

The backend is the real animatic, wrapped to count its calls and record what each shot was given.
"""

from __future__ import annotations

import io
from collections import Counter
from pathlib import Path
from typing import Any

import grpc
import numpy as np
import pytest
from PIL import Image, ImageDraw

from services.visual.backends import RenderResult, RenderSpec
from services.visual.backends.animatic import AnimaticRenderer
from services.visual.backends.base import ReferenceSpec, Subject
from services.visual.control import RenderControl
from services.visual.server import SERVICE_NAME
from services.visual.servicer import VisualServicer
from services.visual.settings import VisualSettings
from storyreel.artifacts import ArtifactStore
from storyreel.convert import to_proto
from storyreel.domain import Character, Scene, Shot, ShotType
from storyreel.grpckit import ServiceSpec
from storyreel.storyboard.v1 import storyboard_pb2
from storyreel.visual.v1 import visual_service_pb2, visual_service_pb2_grpc
from tests.contract.test_visual_contract import CAST, render_request

pb = visual_service_pb2
DEADLINE_S = 60.0
WELL = Scene(id="s01", setting="the village well at dusk")
SHOTS = [
    Shot(id="s01_01", shot_type=ShotType.WIDE, character_ids=["meera"], seed=1, visual_prompt="Meera walks"),
    Shot(id="s01_02", shot_type=ShotType.MEDIUM, character_ids=["arjun"], seed=2, visual_prompt="Arjun waits"),
    Shot(id="s01_03", shot_type=ShotType.MEDIUM, character_ids=["meera", "arjun"], seed=3),
    Shot(id="s01_04", shot_type=ShotType.CLOSE_UP, character_ids=["meera"], seed=4),
]


class CountingAnimatic:
    """The animatic, counting reference pictures made and recording each shot's references."""

    continues_from_previous_clip = False  # as the animatic it wraps
    finishes_clips = True

    def __init__(self, settings: VisualSettings) -> None:
        self.inner = AnimaticRenderer(settings)
        self.made: Counter[str] = Counter()
        self.given: dict[str, dict[str, Path]] = {}
        self.previous: dict[str, Path | None] = {}

    def render(
        self, shot: Shot, scene: Scene, characters: list[Character], spec: RenderSpec,
        control: RenderControl | None = None,
    ) -> RenderResult:  # fmt: skip
        self.given[shot.id] = dict(spec.character_references)
        self.previous[shot.id] = spec.previous_clip_path
        return self.inner.render(shot, scene, characters, spec, control)

    def render_reference(self, subject: Subject, spec: ReferenceSpec, control: RenderControl | None = None) -> None:
        self.made[subject.id] += 1
        self.inner.render_reference(subject, spec, control)


@pytest.fixture
async def cast_service(grpc_channel: Any, artifact_root: Path) -> tuple[Any, CountingAnimatic]:
    settings = VisualSettings.model_validate({"STORYREEL_ARTIFACT_ROOT": str(artifact_root), "reference_max_mb": 5})
    backend = CountingAnimatic(settings)
    servicer = VisualServicer(settings, backend, ArtifactStore.from_settings(settings))
    spec = ServiceSpec(SERVICE_NAME, lambda server: visual_service_pb2_grpc.add_VisualServiceServicer_to_server(
        servicer, server))  # fmt: skip
    return visual_service_pb2_grpc.VisualServiceStub(await grpc_channel([spec])), backend


def portrait_request(character: Character, **values: Any) -> pb.RenderReferenceRequest:
    values.setdefault("output_key", f"cast/{character.id}.png")
    return pb.RenderReferenceRequest(character=to_proto(character, storyboard_pb2.Character), **values)


def shot_request(shot: Shot, references: dict[str, str]) -> pb.RenderShotRequest:
    request = render_request(shot, WELL, 0.5, size=(320, 180))
    for cid, key in references.items():
        request.character_reference_keys[cid] = key
    return request


async def test_the_cast_is_made_once_per_character_and_reused_by_every_shot(
    cast_service: tuple[Any, CountingAnimatic], artifact_root: Path
) -> None:
    stub, backend = cast_service
    keys = {}
    for character in CAST:
        reply = await stub.RenderReference(portrait_request(character), timeout=DEADLINE_S)
        assert not reply.uploaded and (reply.width, reply.height) == (768, 1152)  # the default full-length 2:3
        with Image.open(artifact_root / reply.picture.key) as picture:
            assert picture.format == "PNG" and picture.size == (768, 1152)
        keys[character.id] = reply.picture.key
    setting = await stub.RenderReference(
        pb.RenderReferenceRequest(setting=to_proto(WELL, storyboard_pb2.Scene), output_key="cast/s01.png"),
        timeout=DEADLINE_S,
    )
    assert (setting.width, setting.height) == (1344, 768)

    for shot in SHOTS:
        reply = await stub.RenderShot(shot_request(shot, keys), timeout=DEADLINE_S)
        assert reply.frame_count == 12

    assert backend.made == Counter({"meera": 1, "arjun": 1, "s01": 1})
    for shot in SHOTS:  # each shot got the references of its own characters, and only those
        assert backend.given[shot.id] == {cid: artifact_root / keys[cid] for cid in shot.character_ids}


async def test_a_users_picture_becomes_the_reference_and_changes_that_characters_shots(
    cast_service: tuple[Any, CountingAnimatic], artifact_root: Path
) -> None:
    stub, backend = cast_service
    upload = Image.new("RGB", (300, 400), (250, 250, 250))
    ImageDraw.Draw(upload).rectangle((100, 120, 200, 380), fill=(30, 90, 200))  # a figure in blue
    (artifact_root / "uploads").mkdir()
    upload.save(artifact_root / "uploads" / "arjun.jpg", quality=92)
    arjun = CAST[1]
    reply = await stub.RenderReference(portrait_request(arjun, upload_key="uploads/arjun.jpg"), timeout=DEADLINE_S)
    assert reply.uploaded and (reply.width, reply.height) == (300, 400)
    with Image.open(artifact_root / reply.picture.key) as stored:
        assert stored.format == "PNG"
    assert backend.made == Counter()  # nothing drawn: the user's picture is the reference

    shot = SHOTS[1]
    plain = await stub.RenderShot(shot_request(shot, {}), timeout=DEADLINE_S)
    with Image.open(artifact_root / plain.keyframe.key) as picture:
        before = np.asarray(picture.convert("RGB"), dtype=np.int32)
    request = shot_request(shot, {"arjun": reply.picture.key})
    request.keyframe_key, request.output_key = "keyframes/with_upload.png", "clips/with_upload.mp4"
    uploaded = await stub.RenderShot(request, timeout=DEADLINE_S)
    with Image.open(artifact_root / uploaded.keyframe.key) as picture:
        after = np.asarray(picture.convert("RGB"), dtype=np.int32)
    blue = np.array([30, 90, 200])

    def bluish(pixels: np.ndarray) -> int:
        return int((np.abs(pixels - blue).sum(axis=-1) < 90).sum())

    assert bluish(after) > bluish(before) + 200  # Arjun's clothes take the picture's blue


def corrupt_png() -> bytes:
    data = io.BytesIO()
    Image.new("RGB", (64, 64), "red").save(data, format="PNG")
    return data.getvalue()[:120]  # cut short: the header says PNG, the pixels are not there


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (corrupt_png(), "damaged picture"),
        (b"this is not a picture at all" * 4, "not a picture"),
        (b"\x89PNG" + bytes(6 * 1024 * 1024), "over the 5 MB limit"),
    ],
    ids=["cut-short PNG", "not a picture", "6 MB over a 5 MB limit"],
)
async def test_a_bad_picture_is_refused_naming_the_problem(
    cast_service: tuple[Any, CountingAnimatic], artifact_root: Path, content: bytes, words: str
) -> None:
    stub, backend = cast_service
    (artifact_root / "uploads").mkdir()
    (artifact_root / "uploads" / "bad.png").write_bytes(content)
    with pytest.raises(grpc.aio.AioRpcError) as upload:
        await stub.RenderReference(portrait_request(CAST[0], upload_key="uploads/bad.png"), timeout=DEADLINE_S)
    assert upload.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert words in (upload.value.details() or "") and "uploads/bad.png" in (upload.value.details() or "")
    assert not (artifact_root / "cast" / "meera.png").exists()

    with pytest.raises(grpc.aio.AioRpcError) as shot:  # the same picture given straight to a shot
        await stub.RenderShot(shot_request(SHOTS[0], {"meera": "uploads/bad.png"}), timeout=DEADLINE_S)
    assert shot.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "reference picture of meera" in (shot.value.details() or "") and words in (shot.value.details() or "")
    assert backend.given == {}  # refused before any backend read it


async def test_a_50_mb_picture_is_refused_under_the_default_limit(grpc_channel: Any, artifact_root: Path) -> None:
    settings = VisualSettings.model_validate({"STORYREEL_ARTIFACT_ROOT": str(artifact_root)})
    servicer = VisualServicer(settings, CountingAnimatic(settings), ArtifactStore.from_settings(settings))
    spec = ServiceSpec(SERVICE_NAME, lambda server: visual_service_pb2_grpc.add_VisualServiceServicer_to_server(
        servicer, server))  # fmt: skip
    stub = visual_service_pb2_grpc.VisualServiceStub(await grpc_channel([spec]))
    with (artifact_root / "huge.jpg").open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    with pytest.raises(grpc.aio.AioRpcError) as error:
        await stub.RenderReference(portrait_request(CAST[0], upload_key="huge.jpg"), timeout=DEADLINE_S)
    assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "is 50.0 MB, over the 20 MB limit (STORYREEL_VISUAL_REFERENCE_MAX_MB)" in (error.value.details() or "")


async def test_a_reference_request_needs_a_subject_and_an_output_key(
    cast_service: tuple[Any, CountingAnimatic],
) -> None:
    stub, _ = cast_service
    for request, words in (
        (pb.RenderReferenceRequest(output_key="cast/x.png"), "needs a character or a setting"),
        (portrait_request(CAST[0], output_key=""), "output_key is required"),
        (portrait_request(CAST[0], width=20, height=20), "from 64 to 4096 pixels"),
    ):
        with pytest.raises(grpc.aio.AioRpcError) as error:
            await stub.RenderReference(request, timeout=DEADLINE_S)
        assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert words in (error.value.details() or "")


@pytest.mark.parametrize("continue_in_scene", [True, False])
async def test_a_shot_gets_the_previous_clip_of_its_scene_unless_continuing_is_off(
    grpc_channel: Any, artifact_root: Path, continue_in_scene: bool
) -> None:
    settings = VisualSettings.model_validate(
        {"STORYREEL_ARTIFACT_ROOT": str(artifact_root), "continue_in_scene": continue_in_scene}
    )
    backend = CountingAnimatic(settings)
    servicer = VisualServicer(settings, backend, ArtifactStore.from_settings(settings))
    spec = ServiceSpec(SERVICE_NAME, lambda server: visual_service_pb2_grpc.add_VisualServiceServicer_to_server(
        servicer, server))  # fmt: skip
    stub = visual_service_pb2_grpc.VisualServiceStub(await grpc_channel([spec]))
    first = await stub.RenderShot(shot_request(SHOTS[0], {}), timeout=DEADLINE_S)
    second = shot_request(SHOTS[1], {})
    second.previous_clip_key = first.clip.key
    await stub.RenderShot(second, timeout=DEADLINE_S)
    gone = shot_request(SHOTS[2], {})
    gone.previous_clip_key = "clips/never_made.mp4"  # not rendered (yet): the shot starts on its own
    await stub.RenderShot(gone, timeout=DEADLINE_S)
    assert backend.previous == {
        SHOTS[0].id: None,
        SHOTS[1].id: artifact_root / first.clip.key if continue_in_scene else None,
        SHOTS[2].id: None,
    }
