"""A job submission, as JSON or as a multipart form (a story file and an optional music file)."""

from __future__ import annotations

import asyncio
import json
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from fastapi import HTTPException, Request, status
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from starlette.datastructures import FormData, UploadFile

from gateway.jobs import JobOptions, JobRequest
from gateway.musicfile import check_music
from storyreel.artifacts import ArtifactStore
from storyreel.errors import InvalidInput
from storyreel.profiles import ProfileName
from storyreel.storytext import normal_text

FORM_TEXT_FIELDS = ("story", *JobOptions.model_fields)
MUSIC_SUFFIXES = frozenset({".mp3", ".wav", ".ogg", ".oga", ".flac", ".m4a", ".aac", ".opus"})
"""Kept on the stored file for people; the door (gateway.musicfile) and the audio service check
the content, not the name."""


@dataclass
class Submission:
    request: JobRequest
    music: UploadFile | None = None


def multipart_schema() -> dict[str, Any]:
    """The multipart form, for the OpenAPI document."""
    properties: dict[str, Any] = {
        "story": {"type": "string", "description": "The story as text (or send story_file)."},
        "story_file": {"type": "string", "format": "binary", "description": "The story as a UTF-8 text file."},
        "music_file": {"type": "string", "format": "binary",
                       "description": "Your own music (mp3, wav, ogg, flac): looped or trimmed to the film."},
        "title": {"type": "string", "maxLength": 300},
        "language": {"type": "string", "enum": ["en", "hi", "mixed"]},
        "max_minutes": {"type": "number", "minimum": 0, "maximum": 600},
        "visual_backend": {"type": "string", "pattern": "^[a-z0-9_-]{0,32}$"},
        "style": {"type": "string", "maxLength": 300},
        "profile": {"type": "string", "enum": [name.value for name in ProfileName]},
        "voices": {"type": "string", "description": 'JSON, as in the JSON body: {"Meera": {"pitch": 70}}'},
        "subtitles": {"type": "string",
                      "description": 'JSON, as in the JSON body: {"size": "large", "position": "top"}'},
    }
    return {"type": "object", "properties": properties}


@asynccontextmanager
async def read_submission(request: Request) -> AsyncIterator[Submission]:
    """The submission; a multipart form's files stay open (to be stored) until the block ends."""
    content_type = request.headers.get("content-type", "application/json").split(";")[0].strip().lower()
    if content_type == "multipart/form-data":
        async with request.form(max_files=2, max_fields=len(FORM_TEXT_FIELDS) + 2) as form:
            yield await _from_form(form)
        return
    if content_type != "application/json":
        raise HTTPException(status.HTTP_415_UNSUPPORTED_MEDIA_TYPE, "send application/json or multipart/form-data")
    try:
        body = await request.json()
    except (ValueError, UnicodeDecodeError) as error:
        raise InvalidInput(f"the body is not valid JSON: {error}") from None
    yield Submission(_validated(body))


async def _from_form(form: FormData) -> Submission:
    data: dict[str, Any] = {}
    for name in FORM_TEXT_FIELDS:
        value = form.get(name)
        if isinstance(value, UploadFile):
            raise InvalidInput(f"form field {name!r} must be text, not a file")
        if value not in (None, ""):
            data[name] = value
    story_file = form.get("story_file")
    if isinstance(story_file, UploadFile):
        data["story"] = _decode_story(await story_file.read())
    for name, example in (("voices", '{"Meera": {"pitch": 70}}'), ("subtitles", '{"mode": "soft"}')):
        if name in data:
            try:
                data[name] = json.loads(str(data[name]))
            except ValueError:
                raise InvalidInput(f"{name} must be JSON, e.g. {example}") from None
    if "story" not in data:
        raise InvalidInput("send the story as the 'story' field or as a 'story_file'")
    music = form.get("music_file")
    if music is not None and not isinstance(music, UploadFile):
        raise InvalidInput("music_file must be a file")
    request = _validated(data)
    if music is not None:
        await _check_music(music)
    return Submission(request, music)


async def _check_music(upload: UploadFile) -> None:
    """InvalidInput when the upload is no audio the audio service can use (gateway.musicfile)."""
    if upload.size == 0:
        raise InvalidInput("the music file is empty")
    await asyncio.to_thread(check_music, upload.file, upload.filename or "music")


def _validated(body: Any) -> JobRequest:
    """The request, its text in the normal form every service reads (storyreel.storytext)."""
    try:
        request = JobRequest.model_validate(body)
    except ValidationError as error:
        raise RequestValidationError(error.errors(include_url=False, include_context=False)) from None
    return normalised(request)


def normalised(request: JobRequest) -> JobRequest:
    """NFC and no control characters in the story, the title and the style (tabs and newlines
    stay in the story; the title and the style are one line each)."""
    return request.model_copy(update={
        "story": normal_text(request.story),
        "title": " ".join(normal_text(request.title).split()),
        "style": " ".join(normal_text(request.style).split()),
    })


def _decode_story(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InvalidInput(
            f"the story file is not UTF-8 text (byte 0x{data[error.start]:02x} at offset {error.start}); "
            "save it as UTF-8 and send it again"
        ) from None


def music_key(job_key_prefix: str, upload: UploadFile) -> str:
    suffix = PurePath(upload.filename or "").suffix.lower()
    return f"{job_key_prefix}/upload/music{suffix if suffix in MUSIC_SUFFIXES else ''}"


async def save_upload(artifacts: ArtifactStore, key: str, upload: UploadFile) -> int:
    """Copy the uploaded file under the artifact root; its size in bytes."""
    def copy() -> int:
        with artifacts.writing(key) as tmp, tmp.open("wb") as handle:
            upload.file.seek(0)
            shutil.copyfileobj(upload.file, handle, 1 << 20)
            return handle.tell()

    size = await asyncio.to_thread(copy)
    if size == 0:
        artifacts.path(key).unlink(missing_ok=True)
        raise InvalidInput("the music file is empty")
    return size
