"""What the command line checks before it starts anything: the job's options (with the gateway's own
model of them, so the CLI and the API cannot disagree) and every storyreel setting in the
environment or .env (a misspelled key, or a value its settings class refuses). Each problem is
one line naming the option or the key; the caller exits 2."""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from dotenv import dotenv_values
from pydantic import AliasChoices, ValidationError
from pydantic_settings import BaseSettings

from gateway.cast import check_picture
from gateway.jobs import JobOptions
from gateway.messages import check_options
from storyreel.errors import InvalidInput

PREFIX = "STORYREEL_"
SERVICE_PREFIXES = tuple(f"{PREFIX}{name}_" for name in
                         ("GATEWAY", "PLANNER", "AUDIO", "VISUAL", "COMPOSER", "LAUNCHER"))
"""Keys under these prefixes belong to a settings class: one it does not know is a mistake.
Other STORYREEL_ keys (the scripts' STORYREEL_TAG, STORYREEL_COMFYUI_HOME, ...) are refused only
when they look like a misspelled setting."""
SECRET_WORDS = ("TOKEN", "KEY", "PASSWORD", "SECRET", "DATABASE_URL")
"""A refused value of such a key is not echoed to the terminal."""
OPTION_NAMES = {"max_minutes": "--max-minutes", "visual_backend": "--visual-backend", "voices": "--voice"}


class OptionError(ValueError):
    """An option or a setting the user must fix; str() is one line."""


def settings_classes() -> list[type[BaseSettings]]:
    from cli.settings import LauncherSettings
    from gateway.settings import GatewaySettings
    from services.audio.settings import AudioSettings
    from services.composer.settings import ComposerSettings
    from services.planner.settings import PlannerSettings
    from services.visual.settings import VisualSettings
    from storyreel.settings import CommonSettings

    return [CommonSettings, PlannerSettings, AudioSettings, VisualSettings, ComposerSettings, GatewaySettings,
            LauncherSettings]


def env_names(settings: type[BaseSettings]) -> dict[str, str]:
    """Field name -> the environment key that sets it."""
    prefix = str(settings.model_config.get("env_prefix", ""))
    names = {}
    for name, field in settings.model_fields.items():
        alias = field.validation_alias
        names[name] = str(alias.choices[0]) if isinstance(alias, AliasChoices) else f"{prefix}{name}".upper()
    return names


def given_settings(env: Mapping[str, str], env_file: Path) -> dict[str, str]:
    """Every STORYREEL_ key set, with where: the environment wins over .env, as in the settings."""
    where: dict[str, str] = {}
    if env_file.is_file():
        for key in dotenv_values(env_file):
            if key.upper().startswith(PREFIX):
                where[key.upper()] = str(env_file)
    for key in env:
        if key.upper().startswith(PREFIX):
            where[key.upper()] = "the environment"
    return where


def check_settings(env: Mapping[str, str] | None = None, env_file: Path = Path(".env")) -> None:
    """OptionError for the first setting that is misspelled or invalid."""
    env = os.environ if env is None else env
    classes = settings_classes()
    known = {key for settings in classes for key in env_names(settings).values()}
    for key, where in sorted(given_settings(env, env_file).items()):
        if key in known:
            continue
        close = difflib.get_close_matches(key, known, n=1, cutoff=0.85)
        if key.startswith(SERVICE_PREFIXES) or close:
            hint = f"; did you mean {close[0]}?" if close else " (.env.example lists every key)"
            raise OptionError(f"unknown setting {key} in {where}{hint}")
    for settings in classes:
        try:
            settings()
        except ValidationError as error:
            raise OptionError(_setting_error(settings, error)) from None


def _setting_error(settings: type[BaseSettings], error: ValidationError) -> str:
    first = error.errors()[0]
    names = env_names(settings)
    loc = [str(part) for part in first.get("loc", ())]
    message = str(first.get("msg", "is not valid")).removeprefix("Value error, ")
    if not loc:  # a check across fields: its message names the keys
        return f"the settings are not valid: {message}"
    key = names.get(loc[0], loc[0].upper())
    value = first.get("input")
    secret = any(word in key for word in SECRET_WORDS)
    shown = f"={value!r}" if isinstance(value, str | int | float) and not secret else ""
    return f"setting {key}{shown} is not valid: {message}"


def check_job_options(options: Mapping[str, Any]) -> JobOptions:
    """The options as the gateway will read them; OptionError naming the option that is wrong."""
    try:
        job = JobOptions.model_validate({name: value for name, value in options.items() if value is not None})
        check_options(job)
    except ValidationError as error:
        raise OptionError(_option_error(error)) from None
    except InvalidInput as error:
        raise OptionError(str(error).replace("visual_backend", "--visual-backend", 1)) from None
    return job


def _option_error(error: ValidationError) -> str:
    first = error.errors()[0]
    loc = [str(part) for part in first.get("loc", ())]
    option = OPTION_NAMES.get(loc[0], f"--{loc[0].replace('_', '-')}") if loc else "an option"
    if loc[:1] == ["voices"] and len(loc) > 1:
        option = f"--voice {loc[1]}"
    return f"{option}: {_plain(first)}"


def _plain(error: Mapping[str, Any]) -> str:
    message = str(error.get("msg", "is not valid"))
    return message[0].lower() + message[1:] if message else message


def parse_voices(pairs: Iterable[str]) -> dict[str, dict[str, str]]:
    """--voice NAME=VOICE (repeatable): a character's name, id or alias, or 'narrator', and the
    speech engine's voice id (e.g. an espeak-ng variant, 'f3'); ENGINE:VOICE picks the engine too."""
    voices: dict[str, dict[str, str]] = {}
    for pair in pairs:
        name, sep, voice = pair.partition("=")
        if not sep or not name.strip() or not voice.strip():
            raise OptionError(f"--voice {pair!r}: write NAME=VOICE, e.g. --voice Meera=f3 or --voice narrator=m7")
        engine, colon, voice_id = voice.strip().partition(":")
        choice = {"engine": engine, "voice_id": voice_id} if colon else {"voice_id": voice.strip()}
        voices[name.strip()] = choice
    return voices


_PICTURE_TYPES = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}


def parse_cast(pairs: Iterable[str], max_mb: float) -> dict[str, tuple[Path, bytes, str]]:
    """--cast NAME=FILE (repeatable): a character's name, id or alias and a PNG or JPEG of them,
    read and decoded now (as the gateway will: gateway.cast.check_picture), so a bad file is one
    line before anything starts; NAME -> (file, its bytes, its content type). Whether NAME is a
    character can only be known once the story is planned."""
    cast: dict[str, tuple[Path, bytes, str]] = {}
    for pair in pairs:
        name, sep, file = pair.partition("=")
        if not sep or not name.strip() or not file.strip():
            raise OptionError(f"--cast {pair!r}: write NAME=FILE, e.g. --cast Meera=meera.png")
        path = Path(file.strip()).expanduser()
        try:
            body = path.read_bytes()
        except OSError as error:
            raise OptionError(f"--cast {pair}: cannot read {path}: {error.strerror}") from None
        if len(body) > max_mb * 1024 * 1024:
            raise OptionError(f"--cast {pair}: {path} is {len(body) / 1024 / 1024:.1f} MB, over the {max_mb:g} MB "
                              "limit (STORYREEL_GATEWAY_MAX_REFERENCE_MB)")
        kind = next((kind for magic, kind in _PICTURE_TYPES.items() if body.startswith(magic)), "")
        if not kind:
            raise OptionError(f"--cast {pair}: {path} is not a PNG or JPEG picture")
        try:
            check_picture(body, kind)
        except InvalidInput as refused:
            raise OptionError(f"--cast {pair}: {path}: {refused}") from None
        cast[name.strip()] = (path, body, kind)
    return cast
