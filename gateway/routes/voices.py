"""Auditions: a short sample of one voice, spoken by the audio service, so a user can choose a
character's voice (or the narrator's) before rendering, on the page's voice picker or over the API.

The sample is spoken like a shot of narration with that voice as the narrator's, so it sounds as
the film will. It is kept under `auditions/` by the hash of what was asked: the same voice and text
twice is spoken once."""

from __future__ import annotations

import hashlib
import logging

import grpc
from fastapi import APIRouter, Depends, HTTPException, status
from fastapi.responses import FileResponse
from pydantic import BaseModel, ConfigDict, Field

from gateway.deps import Gateway, GatewayDep, require_api_key
from gateway.routes.docs import errors, file_response
from storyreel.audio.v1 import audio_service_pb2 as audio_pb
from storyreel.convert import to_proto
from storyreel.domain import Language, Line, Voice
from storyreel.errors import InvalidInput
from storyreel.storyboard.v1 import storyboard_pb2
from storyreel.storytext import check_scripts, check_speakable, normal_text

__all__ = ["AuditionRequest", "router"]

log = logging.getLogger(__name__)

router = APIRouter(prefix="/v1/voices", tags=["voices"], dependencies=[Depends(require_api_key)])

AUDITION_TIMEOUT_S = 60.0
"""A first audition with a model engine (Parler) may load the model: give it a minute."""
MAX_AUDITION_CHARS = 300

SAMPLES = {
    Language.EN: "The boats are coming home, and the lantern is lit on the steps.",
    Language.HI: "नावें घर लौट रही हैं, और घाट की सीढ़ियों पर दीया जल रहा है।",
    Language.MIXED: "The boats are coming home. नावें घर लौट रही हैं।",
}


class AuditionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"voice": {"engine": "espeak", "voice_id": "f3", "pitch": 70, "rate_wpm": 150}},
        {"voice": {"engine": "espeak", "pitch": 30}, "text": "नमस्ते, मैं दादी हूँ।", "language": "hi"},
    ]})

    voice: Voice = Voice()
    text: str = Field(default="", max_length=MAX_AUDITION_CHARS,
                      description="What to say; empty: a sample sentence in `language`.")
    language: Language = Language.EN


def _speak_request(audition: AuditionRequest) -> audio_pb.SpeakRequest:
    text = " ".join(normal_text(audition.text).split()) or SAMPLES[audition.language]
    check_speakable(text, "the audition's text")  # InvalidInput -> 422, as a story's would be
    check_scripts(text, "the audition's text")
    line = Line(text=text, language=audition.language)
    request = audio_pb.SpeakRequest(
        shot_id="audition", lines=[to_proto(line, storyboard_pb2.Line)],
        narrator_voice=to_proto(audition.voice, storyboard_pb2.Voice),
    )
    digest = hashlib.sha256(request.SerializeToString(deterministic=True)).hexdigest()[:24]
    request.output_key = f"auditions/{digest}.wav"
    return request


async def _spoken(gateway: Gateway, request: audio_pb.SpeakRequest) -> None:
    audio = gateway.runtime.services.audio
    try:
        await audio.CheckVoices(audio_pb.CheckVoicesRequest(narrator_voice=request.narrator_voice),
                                timeout=AUDITION_TIMEOUT_S)
        await audio.Speak(request, timeout=AUDITION_TIMEOUT_S)
    except grpc.aio.AioRpcError as error:
        if error.code() == grpc.StatusCode.INVALID_ARGUMENT:
            raise InvalidInput(f"the audio service cannot speak with this voice: {error.details()}") from None
        log.warning("audition failed: %s %s", error.code().name, error.details())
        raise HTTPException(status.HTTP_502_BAD_GATEWAY,
                            f"the audio service did not answer ({error.code().name}); try again") from None


@router.post(
    "/audition", response_class=FileResponse, responses={
        **file_response("audio/wav", "The sample as a WAV file (mono PCM, the engine's rate).", "<binary>"),
        **errors(422, 502)},
    summary="Hear a voice: a short sample spoken with it, as a WAV",
    description="The voice as a character's or the narrator's `voice` in the storyboard or the job's `voices` "
                "(engine, voice id, pitch, rate). Without `text`, a sample sentence in `language`. A voice the "
                "engine lacks is 422, as it would be for a job; nothing is stored but the sample.",
)
async def audition(audition: AuditionRequest, gateway: GatewayDep) -> FileResponse:
    request = _speak_request(audition)
    if not gateway.artifacts.exists(request.output_key):
        await _spoken(gateway, request)
    return FileResponse(gateway.artifacts.existing(request.output_key, "audition"), media_type="audio/wav")
