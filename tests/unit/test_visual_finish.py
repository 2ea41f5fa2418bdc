"""A finished clip (RenderShotRequest.finish): the animatic burns in the subtitles, fades and encodes
with the film's x264 settings in its one ffmpeg run, and says so with the finish's tag; a bad finish
is refused naming its field. Real ffmpeg and libass, on small frames so it stays fast."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import grpc
import numpy as np
import pytest

from services.visual.backends.animatic import AnimaticRenderer
from services.visual.backends.base import Finish, RenderSpec
from services.visual.backends.comfyui import ComfyRenderer
from services.visual.backends.diffusers import DiffusersRenderer
from services.visual.backends.simulated import SimulatedRenderer
from services.visual.clipwork import finish_filters, x264
from services.visual.server import build_specs
from services.visual.settings import VisualBackend, VisualSettings, X264Preset
from storyreel.domain import CameraMove, Scene, Shot, ShotType
from storyreel.errors import InvalidInput, ToolFailed
from storyreel.media import filter_path
from storyreel.storyboard.v1 import finish_pb2
from storyreel.visual.v1 import visual_service_pb2, visual_service_pb2_grpc
from tests.contract.test_visual_contract import probe_counting, render_request

pb = visual_service_pb2
WIDTH, HEIGHT, FPS, DURATION_S = 320, 180, 12, 1.5
FRAMES = round(FPS * DURATION_S)
MIDDLE = FRAMES // 2
BAND = HEIGHT * 2 // 5
"""The subtitles sit in the bottom band of this height; the picture above it stays as it was."""
DEADLINE_S = 60.0
SCENE = Scene(id="s01", setting="the hill above the river")
SHOT = Shot(id="s01_01", shot_type=ShotType.WIDE, camera=CameraMove.STATIC, seed=1, visual_prompt="a lantern")
BLOCKS = "\u2588\u2588\u2588\u2588\u2588\u2588"
"""Full blocks, drawn white with a thick white outline: a solid bright bar wherever the font is."""


def ass_script(text: str) -> str:
    """One white, bold, bottom-centred line for the whole shot, at the clip's size."""
    return "\n".join([
        "[Script Info]", "ScriptType: v4.00+", f"PlayResX: {WIDTH}", f"PlayResY: {HEIGHT}", "",
        "[V4+ Styles]",
        "Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, "
        "Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, "
        "MarginL, MarginR, MarginV, Encoding",
        "Style: Default,Sans,40,&H00FFFFFF,&H00FFFFFF,&H00FFFFFF,&H00000000,1,0,0,0,100,100,0,0,1,4,0,2,10,10,12,1",
        "", "[Events]", "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text",
        f"Dialogue: 0,0:00:00.00,0:00:10.00,Default,,0,0,0,,{text}", "",
    ])  # fmt: skip


def finish(**change: Any) -> Finish:
    values: dict[str, Any] = {
        "subtitles_ass": ass_script(BLOCKS), "fade_in_s": 0.5, "fade_out_s": 0.25, "preset": X264Preset.SUPERFAST,
        "crf": 23, "params": "mbtree=1:rc-lookahead=10", "tag": "film-720p-superfast-23",
    }  # fmt: skip
    return Finish(**(values | change))


def render(folder: Path, with_finish: Finish | None, settings: VisualSettings | None = None) -> tuple[Path, str]:
    """The shot rendered by the animatic into `folder`: the clip's path and the result's finish_tag."""
    folder.mkdir(parents=True, exist_ok=True)
    spec = RenderSpec(WIDTH, HEIGHT, FPS, DURATION_S, folder / "clip.mp4", folder / "key.png", finish=with_finish)
    result = AnimaticRenderer(settings or VisualSettings()).render(SHOT, SCENE, [], spec)
    assert result.frame_count == FRAMES
    assert result.duration_s == pytest.approx(DURATION_S)
    return spec.clip_path, result.finish_tag


def gray_frames(clip: Path) -> np.ndarray[Any, np.dtype[np.float64]]:
    raw = subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-i", str(clip), "-f", "rawvideo", "-pix_fmt", "gray", "-"],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    return np.frombuffer(raw, np.uint8).reshape(-1, HEIGHT, WIDTH).astype(np.float64)


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, str]]:
    """The same shot finished and plain, rendered once for the tests that compare them."""
    root = tmp_path_factory.mktemp("finish")
    return {"finished": render(root / "finished", finish()), "plain": render(root / "plain", None)}


def test_a_finished_clip_has_its_frames_the_fades_and_the_subtitles_over_the_same_picture(
    clips: dict[str, tuple[Path, str]],
) -> None:
    (finished, tag), (plain, _) = clips["finished"], clips["plain"]
    assert tag == "film-720p-superfast-23"
    video = probe_counting(finished)["streams"][0]
    assert (int(video["nb_read_frames"]), video["width"], video["height"]) == (FRAMES, WIDTH, HEIGHT)
    assert (video["pix_fmt"], video["r_frame_rate"]) == ("yuv420p", f"{FPS}/1")

    made, before = gray_frames(finished), gray_frames(plain)
    assert len(made) == len(before) == FRAMES
    assert made[0].mean() < 20 < before[0].mean(), "the fade-in starts from black"
    assert made[-1].mean() < 0.6 * before[-1].mean(), "the fade-out darkens the last frame"
    difference = np.abs(made[MIDDLE] - before[MIDDLE])
    assert difference[-BAND:].mean() > 15, "the subtitles are burned into the bottom band"
    assert difference[:-BAND].mean() < 3, "above them the picture is the same"
    assert made[MIDDLE][-BAND:].max() > 230, "the subtitles are white"


def test_a_finished_clip_is_encoded_with_the_finish_settings_not_the_service_ones(
    clips: dict[str, tuple[Path, str]],
) -> None:
    # x264 writes its options into the stream (an SEI) as "crf=23.0 ... mbtree=1 ...".
    finished, plain = (clips[name][0].read_bytes() for name in ("finished", "plain"))
    assert b"crf=23.0" in finished and b"crf=18.0" in plain  # the finish's CRF; the service's default
    assert b"rc_lookahead=10" in finished and b"mbtree=1" in finished  # the finish's params
    assert b"cabac=1" in finished and b"cabac=0" in plain  # superfast, not the service's ultrafast
    assert b"mbtree=1" not in plain


def test_a_clip_without_a_finish_is_encoded_as_before() -> None:
    assert x264("ultrafast", 18) == ["-c:v", "libx264", "-preset", "ultrafast", "-crf", "18", "-pix_fmt", "yuv420p"]
    assert x264("superfast", 20, "mbtree=1") == [
        "-c:v", "libx264", "-preset", "superfast", "-crf", "20", "-x264-params", "mbtree=1", "-pix_fmt", "yuv420p",
    ]  # fmt: skip


def test_finish_filters_follow_the_picture_and_leave_out_what_is_not_asked() -> None:
    subtitles = Path("/clips/.subtitles-x.ass")
    assert finish_filters(finish(), subtitles, 1.5) == [
        "ass=filename=/clips/.subtitles-x.ass",
        "fade=t=in:st=0:d=0.5000",
        "fade=t=out:st=1.2500:d=0.2500",
    ]
    assert finish_filters(finish(subtitles_ass="", fade_in_s=0.0, fade_out_s=0.00001), None, 1.5) == []


def test_a_filter_path_is_escaped_for_the_option_and_for_the_filtergraph() -> None:
    # ':' and "'" escaped once inside the option value, then every backslash and quote again for the graph.
    assert filter_path(Path("/a b/c:d/it's[1],x;y.ass")) == "/a b/c\\\\:d/it\\\\\\'s\\[1\\]\\,x\\;y.ass"


@pytest.mark.parametrize(
    "text",
    [
        "\"Quoted\" it's 100% done: 50%% {\\i1}C:\\\\path\\\\x{\\i0} \\N[a];b,c='d'",
        "%{pts} %s %n \\\\ \\' \\: ,; [out]",
        "रात में दीया",  # Devanagari, as the films' Hindi subtitles
    ],
    ids=["quotes-colons-percent-backslashes", "ffmpeg-syntax", "devanagari"],
)
def test_subtitles_with_any_text_render_in_a_folder_named_with_any_character(tmp_path: Path, text: str) -> None:
    folder = tmp_path / "a shot: it's [1],x;y" / "clips"
    clip, tag = render(folder, finish(subtitles_ass=ass_script(text)))
    assert tag and int(probe_counting(clip)["streams"][0]["nb_read_frames"]) == FRAMES
    assert sorted(path.name for path in folder.iterdir()) == ["clip.mp4", "key.png"], "the ASS file is gone"


def test_the_subtitles_file_is_removed_when_the_encode_fails(tmp_path: Path) -> None:
    hasty = VisualSettings(ffmpeg_timeout_s=0.001)
    with pytest.raises(ToolFailed):
        render(tmp_path, finish(), hasty)
    assert not list(tmp_path.glob("*.ass"))


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"fade_in_s": -0.1}, "finish.fade_in_s"),
        ({"fade_out_s": float("nan")}, "finish.fade_out_s"),
        ({"crf": 60}, "finish.x264_crf"),
        ({"crf": -1}, "finish.x264_crf"),
        ({"preset": "fastest"}, "finish.x264_preset"),
        ({"params": "mbtree=1 :rc-lookahead=10"}, "finish.x264_params"),
        ({"params": "mbtree='1'"}, "finish.x264_params"),
        ({"params": "mbtree=1:"}, "finish.x264_params"),
        ({"params": "dump-yuv=frames.yuv"}, "must not set dump-yuv"),
        ({"params": "no-stats=x"}, "must not set no-stats"),
        ({"tag": ""}, "finish.tag is required"),
    ],
)
def test_a_bad_finish_is_refused_naming_the_field(change: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput, match=field):
        finish(**change)


def test_fades_longer_than_the_shot_are_refused() -> None:
    with pytest.raises(InvalidInput, match=r"finish.fade_in_s \+ finish.fade_out_s"):
        RenderSpec(WIDTH, HEIGHT, FPS, 0.5, Path("c.mp4"), Path("k.png"), finish=finish(fade_in_s=0.3))


def test_only_the_animatic_finishes_clips() -> None:
    assert AnimaticRenderer.finishes_clips
    assert not ComfyRenderer.finishes_clips
    assert not DiffusersRenderer.finishes_clips
    assert not SimulatedRenderer.finishes_clips


# Over gRPC, as the gateway calls the service.


def finish_message(**change: Any) -> finish_pb2.ClipFinish:
    values: dict[str, Any] = {
        "subtitles_ass": ass_script(BLOCKS), "fade_in_s": 0.25, "fade_out_s": 0.25, "x264_preset": "superfast",
        "x264_crf": 20, "x264_params": "mbtree=1:rc-lookahead=10", "tag": "t-720p",
    }  # fmt: skip
    return finish_pb2.ClipFinish(**(values | change))


def finished_request(**change: Any) -> pb.RenderShotRequest:
    request = render_request(SHOT, SCENE, 1.0, size=(WIDTH, HEIGHT), fps=FPS)
    request.finish.CopyFrom(finish_message(**change))
    return request


async def stub_for(grpc_channel: Any, artifact_root: Path, **settings: Any) -> Any:
    values = {"STORYREEL_ARTIFACT_ROOT": str(artifact_root), **settings}
    channel = await grpc_channel(build_specs(VisualSettings.model_validate(values)))
    return visual_service_pb2_grpc.VisualServiceStub(channel)


async def test_the_finish_tag_comes_back_from_render_shot_and_its_stream(
    grpc_channel: Any, artifact_root: Path
) -> None:
    stub = await stub_for(grpc_channel, artifact_root)
    reply = await stub.RenderShot(finished_request(), timeout=DEADLINE_S)
    assert (reply.finish_tag, reply.frame_count) == ("t-720p", FPS)
    assert b"crf=20.0" in (artifact_root / reply.clip.key).read_bytes()

    streamed = [message async for message in stub.RenderShotStream(
        pb.RenderShotStreamRequest(render=finished_request(tag="t-streamed")), timeout=DEADLINE_S)]  # fmt: skip
    assert streamed[-1].result.finish_tag == "t-streamed"

    plain = render_request(SHOT, SCENE, 1.0, size=(WIDTH, HEIGHT), fps=FPS)
    assert (await stub.RenderShot(plain, timeout=DEADLINE_S)).finish_tag == ""
    assert not list(artifact_root.rglob("*.ass"))


async def test_a_backend_that_does_not_finish_clips_ignores_the_finish(grpc_channel: Any, artifact_root: Path) -> None:
    stub = await stub_for(grpc_channel, artifact_root, backend=VisualBackend.SIMULATED.value, simulated_render_s=0)
    reply = await stub.RenderShot(finished_request(), timeout=DEADLINE_S)
    assert (reply.finish_tag, reply.frame_count) == ("", FPS)
    assert b"crf=20.0" not in (artifact_root / reply.clip.key).read_bytes()


async def test_describe_backend_says_which_backend_finishes_clips(grpc_channel: Any, artifact_root: Path) -> None:
    stub = await stub_for(grpc_channel, artifact_root)
    for backend, finishes in ((pb.VISUAL_BACKEND_ANIMATIC, True), (pb.VISUAL_BACKEND_COMFYUI, False)):
        reply = await stub.DescribeBackend(pb.DescribeBackendRequest(backend=backend), timeout=DEADLINE_S)
        assert reply.finishes_clips is finishes


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"fade_in_s": -1.0}, "finish.fade_in_s must be 0 or more"),
        ({"fade_in_s": 0.8, "fade_out_s": 0.8}, "must not be longer than the shot"),
        ({"x264_crf": 60}, "finish.x264_crf must be from 0 to 51"),
        ({"x264_preset": ""}, "finish.x264_preset must be one of"),
        ({"x264_params": "mbtree=1 rc-lookahead=10"}, "finish.x264_params"),
        ({"x264_params": 'mbtree="1"'}, "finish.x264_params"),
        ({"tag": ""}, "finish.tag is required"),
    ],
)
async def test_a_bad_finish_is_invalid_argument_over_grpc(
    grpc_channel: Any, artifact_root: Path, change: dict[str, Any], reason: str
) -> None:
    stub = await stub_for(grpc_channel, artifact_root)
    with pytest.raises(grpc.aio.AioRpcError) as error:
        await stub.RenderShot(finished_request(**change), timeout=DEADLINE_S)
    assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert reason in (error.value.details() or "")
    assert not any(artifact_root.rglob("*.mp4"))
