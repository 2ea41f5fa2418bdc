"""PlannerService over real gRPC: both samples, bad input, and the process on its own."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import grpc
import pytest

from services.planner.server import SERVICE_NAME, build_specs
from services.planner.settings import PlannerSettings
from storyreel.convert import from_proto
from storyreel.domain import NARRATOR, Language, Storyboard
from storyreel.planner.v1 import planner_service_pb2, planner_service_pb2_grpc
from storyreel.storyboard.v1 import storyboard_pb2
from tests.conftest import SAMPLES
from tests.service_process import assert_runs_alone_and_stops_on_sigterm

DEADLINE_S = 30


async def planner(grpc_channel: Any, **settings: Any) -> planner_service_pb2_grpc.PlannerServiceStub:
    channel = await grpc_channel(build_specs(PlannerSettings(**settings)))
    return planner_service_pb2_grpc.PlannerServiceStub(channel)


async def plan_sample(stub: planner_service_pb2_grpc.PlannerServiceStub, name: str, **fields: Any) -> Storyboard:
    story = (SAMPLES / name).read_text(encoding="utf-8")
    request = planner_service_pb2.PlanRequest(story=story, **fields)
    reply = await stub.Plan(request, timeout=DEADLINE_S)
    return from_proto(reply.storyboard, Storyboard)


def dialogue(board: Storyboard) -> list[tuple[str, str]]:
    return [(line.speaker_id, line.text) for shot in board.shots() for line in shot.lines if line.speaker_id]


async def test_plans_the_english_sample(grpc_channel: Any) -> None:
    board = await plan_sample(await planner(grpc_channel), "the_lantern_keeper.txt")
    assert board.title == "The Lantern Keeper" and board.language is Language.EN
    assert [c.name for c in board.characters] == ["Meera", "Arjun"]
    assert len(board.scenes) == 4 and all(scene.shots for scene in board.scenes)
    speakers = {speaker for speaker, _ in dialogue(board)}
    assert speakers == {"c_arjun", "c_meera"}
    assert all(3.0 <= shot.duration_s <= 12.0 for shot in board.shots())
    assert board.characters[1].description in board.scenes[1].shots[1].visual_prompt


async def test_plans_the_hindi_sample_with_hindi_lines(grpc_channel: Any) -> None:
    board = await plan_sample(await planner(grpc_channel), "kuan_ka_deepak.txt")
    assert board.title == "कुएँ का दीपक" and board.language is Language.HI
    lines = [line for shot in board.shots() for line in shot.lines]
    assert lines and all(line.language is Language.HI for line in lines)
    assert {speaker for speaker, _ in dialogue(board)} == {"c_gudiya", "c_dadi"}
    assert any(line.speaker_id == NARRATOR for line in lines)
    assert all(3.0 <= shot.duration_s <= 12.0 for shot in board.shots())


async def test_the_request_title_and_language_are_used(grpc_channel: Any) -> None:
    stub = await planner(grpc_channel)
    board = await plan_sample(
        stub, "the_lantern_keeper.txt", title="My Film", language=storyboard_pb2.LANGUAGE_MIXED, max_minutes=0.75
    )
    assert board.title == "My Film" and board.language is Language.MIXED
    assert board.total_duration_s() <= 45


@pytest.mark.parametrize(
    ("story", "max_minutes", "reason"),
    [
        ("   \n ", 0.0, "empty"),
        ("!!! ...", 0.0, "no words"),
        ("A story.", -1.0, "max_minutes"),
        ("x" * 2001, 0.0, "over the limit of 2,000"),
    ],
)
async def test_bad_input_is_invalid_argument_with_the_reason(
    grpc_channel: Any, story: str, max_minutes: float, reason: str
) -> None:
    stub = await planner(grpc_channel, max_story_bytes=2000)
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await stub.Plan(planner_service_pb2.PlanRequest(story=story, max_minutes=max_minutes), timeout=DEADLINE_S)
    assert raised.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert reason in (raised.value.details() or "")


async def test_the_service_runs_alone_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    await assert_runs_alone_and_stops_on_sigterm("planner", SERVICE_NAME, tmp_path)


async def test_plan_response_says_how_much_condensing_cut(grpc_channel: Any) -> None:
    stub = await planner(grpc_channel)
    story = (SAMPLES / "the_lantern_keeper.txt").read_text(encoding="utf-8")
    reply = await stub.Plan(planner_service_pb2.PlanRequest(story=story, max_minutes=0.75), timeout=DEADLINE_S)
    assert reply.condensing.sentences_before == 16 and 0 < reply.condensing.sentences_kept < 16
    assert 0 < reply.condensing.fraction_cut < 1 and reply.condensing.seconds_kept < reply.condensing.seconds_before
    assert reply.report.backend == "rules" and not reply.report.fallback_scene_ids


async def test_plan_scenes_then_plan_shots_per_scene_is_plan(grpc_channel: Any) -> None:
    stub = await planner(grpc_channel)
    story = (SAMPLES / "kuan_ka_deepak.txt").read_text(encoding="utf-8")
    scenes = await stub.PlanScenes(planner_service_pb2.PlanScenesRequest(story=story), timeout=DEADLINE_S)
    assert not scenes.storyboard.scenes and scenes.outlines and scenes.seed_key
    planned = []
    for outline in scenes.outlines:
        request = planner_service_pb2.PlanShotsRequest(
            outline=outline, characters=scenes.storyboard.characters, seed_key=scenes.seed_key
        )
        planned.append((await stub.PlanShots(request, timeout=DEADLINE_S)).scene)
    whole = await stub.Plan(planner_service_pb2.PlanRequest(story=story), timeout=DEADLINE_S)
    assert list(whole.storyboard.scenes) == planned


async def test_the_frame_shape_reaches_the_planner_in_plan_and_plan_shots(grpc_channel: Any) -> None:
    """ASPECT_TALL over the wire plans no wide shots and pans only close-ups; UNSPECIFIED (an older
    gateway) and ASPECT_WIDE plan the same storyboard."""
    stub = await planner(grpc_channel)
    story = (SAMPLES / "the_lantern_keeper.txt").read_text(encoding="utf-8")
    pans = (storyboard_pb2.CAMERA_MOVE_PAN_LEFT, storyboard_pb2.CAMERA_MOVE_PAN_RIGHT)
    boards = {}
    for aspect in (planner_service_pb2.ASPECT_UNSPECIFIED, planner_service_pb2.ASPECT_WIDE,
                   planner_service_pb2.ASPECT_TALL):
        request = planner_service_pb2.PlanRequest(story=story, aspect=aspect)
        boards[aspect] = (await stub.Plan(request, timeout=DEADLINE_S)).storyboard
    assert boards[planner_service_pb2.ASPECT_UNSPECIFIED] == boards[planner_service_pb2.ASPECT_WIDE]
    tall_shots = [shot for scene in boards[planner_service_pb2.ASPECT_TALL].scenes for shot in scene.shots]
    assert not any(shot.shot_type == storyboard_pb2.SHOT_TYPE_WIDE for shot in tall_shots)
    assert all(shot.shot_type == storyboard_pb2.SHOT_TYPE_CLOSE_UP for shot in tall_shots if shot.camera in pans)
    assert any(shot.camera == storyboard_pb2.CAMERA_MOVE_TILT_UP for shot in tall_shots)

    scenes = await stub.PlanScenes(planner_service_pb2.PlanScenesRequest(story=story), timeout=DEADLINE_S)
    request = planner_service_pb2.PlanShotsRequest(outline=scenes.outlines[0], characters=scenes.storyboard.characters,
                                                   seed_key=scenes.seed_key, aspect=planner_service_pb2.ASPECT_TALL)
    scene = (await stub.PlanShots(request, timeout=DEADLINE_S)).scene
    assert scene == boards[planner_service_pb2.ASPECT_TALL].scenes[0], "PlanShots frames for the shape too"


async def test_an_edited_scene_is_re_planned_alone(grpc_channel: Any) -> None:
    """The gateway re-plans one scene: it sends that scene's outline with the lines it wants."""
    stub = await planner(grpc_channel)
    story = (SAMPLES / "the_lantern_keeper.txt").read_text(encoding="utf-8")
    scenes = await stub.PlanScenes(planner_service_pb2.PlanScenesRequest(story=story), timeout=DEADLINE_S)
    outline = planner_service_pb2.SceneOutline()
    outline.CopyFrom(scenes.outlines[1])
    outline.sentences[0].lines[0].line.text = "A new first line, written by the user."
    request = planner_service_pb2.PlanShotsRequest(outline=outline, characters=scenes.storyboard.characters)
    scene = (await stub.PlanShots(request, timeout=DEADLINE_S)).scene
    assert scene.id == outline.scene.id and scene.shots[0].id == f"{outline.scene.id}_01"
    assert scene.shots[0].lines[0].text == "A new first line, written by the user."


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ("no sentences", "no sentences"),
        ("no scene id", "no id"),
        ("unknown speaker", "unknown characters"),
    ],
)
async def test_a_bad_outline_is_invalid_argument(grpc_channel: Any, change: str, reason: str) -> None:
    stub = await planner(grpc_channel)
    story = (SAMPLES / "the_lantern_keeper.txt").read_text(encoding="utf-8")
    scenes = await stub.PlanScenes(planner_service_pb2.PlanScenesRequest(story=story), timeout=DEADLINE_S)
    request = planner_service_pb2.PlanShotsRequest(outline=scenes.outlines[1], characters=scenes.storyboard.characters)
    if change == "no sentences":
        del request.outline.sentences[:]
    elif change == "no scene id":
        request.outline.scene.id = ""
    else:
        del request.characters[:]
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await stub.PlanShots(request, timeout=DEADLINE_S)
    assert raised.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert reason in (raised.value.details() or "")
