"""DescribeBackend over real gRPC on loopback, as the gateway calls it once per job run: the real
visual service says whether the backend asked for starts a shot from the previous shot's clip
(ComfyUI and a picture-to-video diffusers model do, the animatic does not, and none does with
STORYREEL_VISUAL_CONTINUE_IN_SCENE off); a service older than the RPC answers UNIMPLEMENTED, which
the gateway's call takes for "does not continue". That a continuing backend really starts from the
clip is tested with the backends (tests/comfyui/test_comfy_cast_fake.py,
tests/unit/test_visual_diffusers_cast.py) and at the servicer (test_visual_cast_contract.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import grpc
import pytest

from gateway.clients import describe_visual_backend
from services.visual.server import SERVICE_NAME, build_specs
from services.visual.settings import VisualSettings
from storyreel.grpckit import ServiceSpec
from storyreel.visual.v1 import visual_service_pb2, visual_service_pb2_grpc

pb = visual_service_pb2
DEADLINE_S = 60.0


async def describe(grpc_channel: Any, artifact_root: Path, backend: int, **settings: Any) -> pb.DescribeBackendResponse:
    values = {"STORYREEL_ARTIFACT_ROOT": str(artifact_root), **settings}
    channel = await grpc_channel(build_specs(VisualSettings.model_validate(values)))
    stub = visual_service_pb2_grpc.VisualServiceStub(channel)
    reply: pb.DescribeBackendResponse = await stub.DescribeBackend(
        pb.DescribeBackendRequest(backend=pb.VisualBackend.Name(backend)), timeout=DEADLINE_S
    )
    return reply


@pytest.mark.parametrize(
    ("backend", "continue_in_scene", "described", "continues"),
    [
        (pb.VISUAL_BACKEND_UNSPECIFIED, True, pb.VISUAL_BACKEND_ANIMATIC, False),  # the configured one
        (pb.VISUAL_BACKEND_ANIMATIC, True, pb.VISUAL_BACKEND_ANIMATIC, False),
        (pb.VISUAL_BACKEND_COMFYUI, True, pb.VISUAL_BACKEND_COMFYUI, True),
        (pb.VISUAL_BACKEND_COMFYUI, False, pb.VISUAL_BACKEND_COMFYUI, False),
    ],
)
async def test_describe_backend_says_whether_a_shot_starts_from_the_previous_clip(
    grpc_channel: Any, artifact_root: Path, backend: int, continue_in_scene: bool, described: int, continues: bool
) -> None:
    reply = await describe(grpc_channel, artifact_root, backend, continue_in_scene=continue_in_scene)
    assert (reply.backend, reply.continues_from_previous_clip) == (described, continues)


@pytest.mark.parametrize(
    ("mode", "family", "continues"),
    [
        ("keyframe_then_animate", "ltx_i2v", True),  # animates a picture: the previous clip's last frame
        ("text_to_video", "ltx_t2v", True),  # continued by LTX's picture-to-video pipeline
        ("text_to_video", "mochi_t2v", False),  # nothing of its family takes a picture
    ],
)
async def test_diffusers_continues_where_its_pipelines_take_a_picture(
    grpc_channel: Any, artifact_root: Path, mode: str, family: str, continues: bool
) -> None:
    pytest.importorskip("diffusers", reason="the `visual-gpu` extra is not installed")
    reply = await describe(grpc_channel, artifact_root, pb.VISUAL_BACKEND_DIFFUSERS, diffusers_mode=mode,
                           diffusers_video_family=family, diffusers_keyframe_family="sdxl")  # fmt: skip
    assert (reply.backend, reply.continues_from_previous_clip) == (pb.VISUAL_BACKEND_DIFFUSERS, continues)


def old_visual_service() -> ServiceSpec:
    """VisualService as a server built before DescribeBackend: RenderShot only, nothing else."""
    def add(server: grpc.aio.Server) -> None:
        async def render(request: pb.RenderShotRequest, context: Any) -> pb.RenderShotResponse:
            return pb.RenderShotResponse()

        handlers = {"RenderShot": grpc.unary_unary_rpc_method_handler(
            render, request_deserializer=pb.RenderShotRequest.FromString,
            response_serializer=pb.RenderShotResponse.SerializeToString)}  # fmt: skip
        server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(SERVICE_NAME, handlers),))

    return ServiceSpec(SERVICE_NAME, add)


async def test_a_service_older_than_describe_backend_is_taken_for_one_that_does_not_continue(
    grpc_channel: Any,
) -> None:
    stub = visual_service_pb2_grpc.VisualServiceStub(await grpc_channel([old_visual_service()]))
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await stub.DescribeBackend(pb.DescribeBackendRequest(), timeout=DEADLINE_S)
    assert raised.value.code() == grpc.StatusCode.UNIMPLEMENTED
    reply = await describe_visual_backend(stub, pb.DescribeBackendRequest(), DEADLINE_S)
    assert not reply.continues_from_previous_clip


async def test_another_failure_of_describe_backend_is_not_taken_for_an_answer(
    grpc_channel: Any, artifact_root: Path
) -> None:
    settings = VisualSettings.model_validate({"STORYREEL_ARTIFACT_ROOT": str(artifact_root),
                                              "comfyui_workflow_dir": str(artifact_root / "no_such_folder")})
    stub = visual_service_pb2_grpc.VisualServiceStub(await grpc_channel(build_specs(settings)))
    with pytest.raises(grpc.aio.AioRpcError) as raised:  # the ComfyUI backend cannot start without its workflows
        await describe_visual_backend(stub, pb.DescribeBackendRequest(backend=pb.VISUAL_BACKEND_COMFYUI), DEADLINE_S)
    assert raised.value.code() != grpc.StatusCode.UNIMPLEMENTED
    assert "comfyui backend cannot start" in (raised.value.details() or "")


async def describe_prompt(
    grpc_channel: Any, artifact_root: Path, backend: int, prompt: str
) -> pb.DescribeBackendResponse:
    values = {"STORYREEL_ARTIFACT_ROOT": str(artifact_root)}
    channel = await grpc_channel(build_specs(VisualSettings.model_validate(values)))
    stub = visual_service_pb2_grpc.VisualServiceStub(channel)
    reply: pb.DescribeBackendResponse = await stub.DescribeBackend(
        pb.DescribeBackendRequest(backend=pb.VisualBackend.Name(backend), prompt=prompt), timeout=DEADLINE_S
    )
    return reply


async def test_the_animatic_lists_the_words_it_draws(grpc_channel: Any, artifact_root: Path) -> None:
    reply = await describe_prompt(grpc_channel, artifact_root, pb.VISUAL_BACKEND_ANIMATIC, "")
    groups = {group.name: list(group.words) for group in reply.vocabulary}
    assert not reply.any_prompt
    assert {"lantern", "boat", "लालटेन", "नाव"} <= set(groups["prop"])
    assert {"sea", "village", "गाँव"} <= set(groups["place"])
    assert (list(reply.drawn), list(reply.not_drawn)) == ([], [])  # no prompt, no check


async def test_a_prompt_is_checked_with_the_animatics_own_matching(grpc_channel: Any, artifact_root: Path) -> None:
    """'boats' (a plural), 'ships' (drawn as a boat), नावें (a Hindi stem's inflection) and
    'lighthouse' (learned from the stories) are drawn; a windmill and पवनचक्की are not; small
    words ('a', 'the', 'and', 'two') are left out of not_drawn."""
    prompt = "A lighthouse above the harbour, two boats, ships and नावें, a windmill, पवनचक्की।"
    reply = await describe_prompt(grpc_channel, artifact_root, pb.VISUAL_BACKEND_ANIMATIC, prompt)
    drawn = [(word.word, word.group, word.drawn_as) for word in reply.drawn]
    assert drawn == [("lighthouse", "prop", "lighthouse"), ("harbour", "place", "sea"), ("boats", "prop", "boat"),
                     ("ships", "prop", "boat"), ("नावें", "prop", "boat")]  # fmt: skip
    assert list(reply.not_drawn) == ["above", "windmill", "पवनचक्की"]


async def test_comfyui_takes_any_prompt(grpc_channel: Any, artifact_root: Path) -> None:
    reply = await describe_prompt(grpc_channel, artifact_root, pb.VISUAL_BACKEND_COMFYUI, "a lighthouse")
    assert reply.any_prompt
    assert (list(reply.vocabulary), list(reply.drawn), list(reply.not_drawn)) == ([], [], [])


async def test_a_keyword_of_several_words_draws_its_noun_only(grpc_channel: Any, artifact_root: Path) -> None:
    """'the well' is the animatic's keyword (a bare 'well' is an adverb): 'well' is drawn, 'the' is
    no word of its own, nor is a number."""
    reply = await describe_prompt(grpc_channel, artifact_root, pb.VISUAL_BACKEND_ANIMATIC, "by the well, 3 dogs")
    assert [(word.word, word.drawn_as) for word in reply.drawn] == [("well", "well"), ("dogs", "dog")]
    assert list(reply.not_drawn) == []
