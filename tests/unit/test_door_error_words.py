"""Issue 14: a request a service refuses as invalid comes back as a sentence naming the problem,
never pydantic's dump ("2 validation errors for ComposeRequest ... input_value=..., For further
information visit https://errors.pydantic.dev/...")."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import grpc
import pytest
from pydantic import ValidationError

from services.composer.models import ComposeRequest
from services.composer.server import build_specs
from services.composer.settings import ComposerSettings
from storyreel.composer.v1 import composer_service_pb2 as pb
from storyreel.composer.v1 import composer_service_pb2_grpc
from storyreel.grpckit import validation_words

DUMP_MARKS = ("validation error", "input_value", "input_type", "errors.pydantic.dev", "[type=")


def silent_cues_request() -> pb.ComposeRequest:
    """What the gateway sent for a story of quotes inside quotes: two lines that were only "'"."""
    cues = [pb.SubtitleCue(text="'", start_s=5.115, end_s=5.115), pb.SubtitleCue(text="{", start_s=5.115, end_s=5.115)]
    shot = pb.TimelineShot(shot_id="s01_01", scene_id="s01", clip_key="clips/a.mp4", duration_s=6.0, cues=cues)
    return pb.ComposeRequest(shots=[shot], video_key="out/film.mp4", srt_key="out/film.srt")


def test_validation_words_name_the_place_and_the_problem_in_one_sentence() -> None:
    with pytest.raises(ValidationError) as caught:
        ComposeRequest.model_validate(
            {"shots": [{"shot_id": "a", "scene_id": "s", "clip_key": "c", "duration_s": 5,
                        "cues": [{"text": "'", "start_s": 5.115, "end_s": 5.115}] * 2}],
             "video_key": "v", "srt_key": "s"}
        )
    words = validation_words(caught.value)
    assert words == (
        "invalid ComposeRequest: shots[0].cues[0]: subtitle cue ends at 5.115 s, not after its start 5.115 s"
        " (and 1 more problem)"
    )
    assert "\n" not in words and not any(mark in words for mark in DUMP_MARKS)


async def test_the_composer_answers_invalid_argument_in_words(grpc_channel: Any, artifact_root: Path) -> None:
    settings = ComposerSettings().model_copy(update={"artifact_root": artifact_root})
    stub = composer_service_pb2_grpc.ComposerServiceStub(await grpc_channel(build_specs(settings)))
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stub.Compose(silent_cues_request(), timeout=30)
    details = str(caught.value.details())
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "shots[0].cues[0]: subtitle cue ends at 5.115 s, not after its start" in details
    assert "\n" not in details and not any(mark in details for mark in DUMP_MARKS), details
