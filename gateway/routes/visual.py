"""What a visual backend can draw: the words it understands (the animatic's vocabulary) and a check
of a prompt against them, so a user re-rolling a shot sees why "lighthouse" would not appear.

Both come from the visual service's DescribeBackend: the check is the animatic's own matching
(plurals, Hindi stems), not a copy kept here. The vocabulary is asked once per backend and kept:
it changes only with the service's code. A check is asked each time (it depends on the prompt)."""

from __future__ import annotations

import logging

import grpc
from fastapi import APIRouter, Depends, HTTPException, Query, status
from pydantic import BaseModel, ConfigDict, Field

from gateway.clients import ServiceName
from gateway.deps import Gateway, GatewayDep, require_api_key
from gateway.messages import visual_backend, visual_backends
from gateway.routes.docs import errors
from storyreel.visual.v1 import visual_service_pb2 as visual_pb

__all__ = ["VocabularyCheck", "router"]

log = logging.getLogger(__name__)

router = APIRouter(prefix="/v1/visual", tags=["visual"], dependencies=[Depends(require_api_key)])

DESCRIBE_TIMEOUT_S = 10.0
"""DescribeBackend renders nothing: a service that takes longer is stuck."""
MAX_PROMPT_CHARS = 2000
BACKEND_PATTERN = "^(" + "|".join(visual_backends()) + ")?$"


class WordGroup(BaseModel):
    name: str = Field(description="'place' (the landscape or room shown) or 'prop' (a thing drawn in it).")
    words: list[str] = Field(description="English words (plurals found too) and Hindi stems (found at a word's start).")


class Vocabulary(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"backend": "animatic", "any_prompt": False, "groups": [
            {"name": "place", "words": ["room", "market", "sea", "village", "गाँव", "नदी"]},
            {"name": "prop", "words": ["lantern", "boat", "ship", "lighthouse", "लालटेन", "नाव"]}]},
        {"backend": "comfyui", "any_prompt": True, "groups": []},
    ]})  # fmt: skip

    backend: str = Field(description="The backend described: the service's own when the request named none.")
    any_prompt: bool = Field(description="True: the backend draws from any prompt (ComfyUI, diffusers); groups empty.")
    groups: list[WordGroup]


class DrawnWord(BaseModel):
    word: str = Field(description="As the prompt writes it, in lower case.")
    group: str
    drawn_as: str = Field(description="What is drawn for it ('boat' for 'ships', 'sea' for 'harbour').")


class CheckedPrompt(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"backend": "animatic", "any_prompt": False,
         "drawn": [{"word": "lantern", "group": "prop", "drawn_as": "lantern"},
                   {"word": "boats", "group": "prop", "drawn_as": "boat"}],
         "not_drawn": ["windmill"]},
    ]})  # fmt: skip

    backend: str
    any_prompt: bool
    drawn: list[DrawnWord]
    not_drawn: list[str] = Field(description="The prompt's words that will not appear (small words left out).")


class VocabularyCheck(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"prompt": "a lantern on the steps, boats by a lighthouse", "backend": "animatic"},
    ]})  # fmt: skip

    prompt: str = Field(max_length=MAX_PROMPT_CHARS, description="A shot's picture prompt.")
    backend: str = Field(default="", pattern=BACKEND_PATTERN, description="Empty: the visual service's own.")


_VOCABULARIES: dict[tuple[str, str], Vocabulary] = {}
"""Kept per visual service address and backend: the words change only with the service's code."""


def _name(value: int) -> str:
    return str(visual_pb.VisualBackend.Name(value)).removeprefix("VISUAL_BACKEND_").lower()


async def _describe(gateway: Gateway, backend: str, prompt: str) -> visual_pb.DescribeBackendResponse:
    """DescribeBackend; the service unreachable is 503 (naming it), any other failure 502."""
    services = gateway.runtime.services
    chosen = visual_pb.VisualBackend.Name(visual_backend(backend))
    request = visual_pb.DescribeBackendRequest(backend=chosen, prompt=prompt)
    try:
        reply: visual_pb.DescribeBackendResponse = await services.visual.DescribeBackend(
            request, timeout=DESCRIBE_TIMEOUT_S
        )
    except grpc.aio.AioRpcError as error:
        explained = services.explain(ServiceName.VISUAL, error, DESCRIBE_TIMEOUT_S, "")
        log.warning("DescribeBackend failed: %s %s", error.code().name, error.details())
        if error.code() == grpc.StatusCode.UNAVAILABLE:
            raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, explained) from None
        if error.code() == grpc.StatusCode.UNIMPLEMENTED:
            explained = f"the {ServiceName.VISUAL} service is older than DescribeBackend: it cannot say what it draws"
        raise HTTPException(status.HTTP_502_BAD_GATEWAY, explained) from None
    return reply


@router.get(
    "/vocabulary", responses=errors(422, 502, 503),
    summary="The words a visual backend draws",
    description="The animatic draws a place and props only from the words it knows (English and Hindi); "
                "ComfyUI and diffusers draw from any prompt (`any_prompt`, no groups).",
)  # fmt: skip
async def vocabulary(
    gateway: GatewayDep,
    backend: str = Query(default="", pattern=BACKEND_PATTERN, description="Empty: the visual service's own."),
) -> Vocabulary:
    key = (gateway.settings.visual_address, backend)
    if key not in _VOCABULARIES:
        reply = await _describe(gateway, backend, "")
        _VOCABULARIES[key] = Vocabulary(
            backend=_name(reply.backend), any_prompt=reply.any_prompt,
            groups=[WordGroup(name=group.name, words=list(group.words)) for group in reply.vocabulary],
        )  # fmt: skip
    return _VOCABULARIES[key]


@router.post(
    "/vocabulary/check", responses=errors(422, 502, 503),
    summary="Which words of a prompt a visual backend will draw",
    description="The visual service checks the prompt with the backend's own matching (plurals, Hindi word "
                "endings): `drawn` (with what is drawn for each) and `not_drawn`. A backend that draws from "
                "any prompt answers `any_prompt` and empty lists.",
)  # fmt: skip
async def check(body: VocabularyCheck, gateway: GatewayDep) -> CheckedPrompt:
    reply = await _describe(gateway, body.backend, body.prompt)
    return CheckedPrompt(
        backend=_name(reply.backend), any_prompt=reply.any_prompt,
        drawn=[DrawnWord(word=item.word, group=item.group, drawn_as=item.drawn_as) for item in reply.drawn],
        not_drawn=list(reply.not_drawn),
    )  # fmt: skip
