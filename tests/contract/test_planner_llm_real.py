"""The planner's LLM backend over real gRPC against a REAL OpenAI-compatible server process:
llama-cpp-python's server running SmolLM2-135M-Instruct (scripts/setup_llm_server.sh).

The model is tiny: its answers are often wrong (then re-prompted, then the rules step in), and
sometimes right. Either way the storyboard must be whole and valid, and the report must say
what happened. These tests fail (never skip) when the server is not installed.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import grpc
import pytest

from services.planner.plan import Plan, PlanReport, ScenesPlan, ShotsPlan
from services.planner.server import build_specs
from services.planner.settings import PlannerSettings
from storyreel.convert import from_proto, to_proto
from storyreel.planner.v1 import planner_service_pb2 as pb
from storyreel.planner.v1 import planner_service_pb2_grpc
from storyreel.storyboard.v1 import storyboard_pb2
from tests.conftest import SAMPLES
from tests.planner_llm import real_server
from tests.unit.test_planner_rules import assert_every_sentence_spoken_once_in_order, assert_sound_storyboard

DEADLINE_S = 240
STORY = "\n\n".join((SAMPLES / "the_lantern_keeper.txt").read_text(encoding="utf-8").split("\n\n")[:3])
"""The title and two paragraphs of the English sample (four sentences): small, because the model
writes about 20 tokens a second on two cores, and a request may take 200."""


@pytest.fixture(scope="module")
def llm_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[real_server.RealLlm]:
    reason = real_server.missing_install()
    if reason:
        pytest.fail(reason)
    server = real_server.start(tmp_path_factory.mktemp("llm"))
    yield server
    real_server.stop(server)


async def planner(grpc_channel: Any, server: real_server.RealLlm, **settings: Any) -> Any:
    values = {
        "backend": "llm",
        "llm_base_url": server.url,
        "llm_model": "smollm2-135m",
        "llm_context_tokens": real_server.CONTEXT_TOKENS,
        "llm_max_answer_tokens": 200,
        "llm_parallel_scenes": 1,
        "llm_retries": 1,
        "llm_backoff_s": 0.0,
        **settings,
    }
    channel = await grpc_channel(build_specs(PlannerSettings(**values)))
    return planner_service_pb2_grpc.PlannerServiceStub(channel)


def assert_report_agrees(report: PlanReport, scene_ids: list[str]) -> None:
    assert report.backend == "llm" and report.model == "smollm2-135m"
    assert set(report.fallback_scene_ids) <= set(scene_ids)
    fallbacks = len(report.fallback_scene_ids) + report.scenes_fell_back
    assert len(report.notes) >= fallbacks and report.requests >= 1 + len(scene_ids)


async def test_the_small_model_plans_a_story_over_grpc(grpc_channel: Any, llm_server: real_server.RealLlm) -> None:
    stub = await planner(grpc_channel, llm_server)
    reply = await stub.Plan(pb.PlanRequest(story=STORY), timeout=DEADLINE_S)
    plan = from_proto(reply, Plan)
    assert_every_sentence_spoken_once_in_order(STORY, plan.storyboard)
    assert_sound_storyboard(plan.storyboard)
    assert_report_agrees(plan.report, [scene.id for scene in plan.storyboard.scenes])
    print(
        f"\nreal SmolLM2: {plan.report.requests} requests, {plan.report.retries} retries, "
        f"{len(plan.report.fallback_scene_ids)} scene fallbacks, scenes fell back: {plan.report.scenes_fell_back}"
    )


async def test_one_scene_is_re_planned_by_the_model(grpc_channel: Any, llm_server: real_server.RealLlm) -> None:
    stub = await planner(grpc_channel, llm_server, llm_retries=0)
    rules = await planner(grpc_channel, llm_server, backend="rules")
    scenes = from_proto(await rules.PlanScenes(pb.PlanScenesRequest(story=STORY), timeout=DEADLINE_S), ScenesPlan)
    outline = scenes.outlines[-1]
    request = pb.PlanShotsRequest(
        outline=to_proto(outline, pb.SceneOutline),
        characters=[to_proto(character, storyboard_pb2.Character) for character in scenes.storyboard.characters],
        seed_key=scenes.seed_key,
    )
    shots = from_proto(await stub.PlanShots(request, timeout=DEADLINE_S), ShotsPlan)
    spoken = [line.line.text for sentence in outline.sentences for line in sentence.lines]
    assert [line.text for shot in shots.scene.shots for line in shot.lines] == spoken
    assert shots.scene.id == outline.scene.id and shots.report.requests >= 1
    assert shots.report.fallback_scene_ids in ([], [outline.scene.id])


async def test_a_server_that_refuses_the_response_format_style_falls_back_to_rules(
    grpc_channel: Any, llm_server: real_server.RealLlm
) -> None:
    """llama.cpp's server refuses response_format json_schema (FACTS): the planner still answers."""
    stub = await planner(grpc_channel, llm_server, llm_response_format="json_schema", llm_http_retries=0)
    plan = from_proto(await stub.Plan(pb.PlanRequest(story=STORY), timeout=DEADLINE_S), Plan)
    assert_every_sentence_spoken_once_in_order(STORY, plan.storyboard)
    report = plan.report
    assert report.scenes_fell_back and report.fallback_scene_ids == [s.id for s in plan.storyboard.scenes]
    assert "json_object" in report.notes[0], "the server's own words say what it accepts"


async def test_bad_input_is_still_invalid_argument(grpc_channel: Any, llm_server: real_server.RealLlm) -> None:
    stub = await planner(grpc_channel, llm_server)
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await stub.Plan(pb.PlanRequest(story="!!! ... —"), timeout=DEADLINE_S)
    assert raised.value.code() is grpc.StatusCode.INVALID_ARGUMENT
