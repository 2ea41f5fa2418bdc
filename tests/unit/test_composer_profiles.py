"""Output profiles: named, default, explicit; their encoder settings; the wire enum; workers."""

from __future__ import annotations

from pathlib import Path

import pydantic
import pytest

from services.composer.models import ComposeRequest, OutputProfile, TimelineShot
from services.composer.profiles import Encoding, resolve_profile
from services.composer.servicer import profile_name_from_proto, request_from_proto
from services.composer.settings import ComposerSettings
from storyreel.composer.v1 import composer_service_pb2
from storyreel.profiles import ProfileName, SubtitleMode, SubtitlePosition, SubtitleSize
from storyreel.settings import available_cores

SETTINGS = ComposerSettings(artifact_root=Path("/tmp/unused"))
SHOT = TimelineShot(shot_id="a_0", scene_id="a", clip_key="c.mp4", duration_s=2.0)


def request(**fields: object) -> ComposeRequest:
    return ComposeRequest.model_validate({"shots": [SHOT], "video_key": "f.mp4", "srt_key": "f.srt", **fields})


def test_a_request_naming_nothing_gets_the_services_default_profile() -> None:
    profile = resolve_profile(request(), SETTINGS)
    assert profile.name is ProfileName.HD720
    assert profile.frame == OutputProfile(width=1280, height=720, fps=24)
    assert profile.encoding == Encoding(SETTINGS.x264_preset, SETTINGS.crf, SETTINGS.x264_params)
    hd = resolve_profile(request(), SETTINGS.model_copy(update={"profile": ProfileName.HD1080, "fps": 30}))
    assert (hd.frame.width, hd.frame.height, hd.frame.fps) == (1920, 1080, 30)


def test_the_preview_profile_is_small_and_encoded_fast() -> None:
    preview = resolve_profile(request(profile_name=ProfileName.PREVIEW), SETTINGS)
    assert (preview.frame.width, preview.frame.height) == (640, 360)
    assert preview.encoding == Encoding("ultrafast", 28)


def test_subtitles_are_burned_in_by_default_and_each_profile_can_turn_that_off() -> None:
    assert all(resolve_profile(request(profile_name=name), SETTINGS).burn_subtitles for name in ProfileName)
    soft = SETTINGS.model_copy(update={"burn_subtitles": False})
    assert not resolve_profile(request(), soft).burn_subtitles
    assert not resolve_profile(request(profile_name=ProfileName.HD1080), soft).burn_subtitles
    assert resolve_profile(request(profile_name=ProfileName.PREVIEW), soft).burn_subtitles
    soft_preview = SETTINGS.model_copy(update={"preview_burn_subtitles": False})
    assert not resolve_profile(request(profile_name=ProfileName.PREVIEW), soft_preview).burn_subtitles
    assert resolve_profile(request(), soft_preview).burn_subtitles


@pytest.mark.parametrize("mode", list(SubtitleMode))
def test_a_requests_subtitle_mode_wins_over_the_profiles_burn_setting(mode: SubtitleMode) -> None:
    style = {"mode": mode.value, "size": "large", "position": "top"}
    for settings in (SETTINGS, SETTINGS.model_copy(update={"burn_subtitles": False, "preview_burn_subtitles": False})):
        for name in ProfileName:
            profile = resolve_profile(request(profile_name=name, subtitles=style), settings)
            assert profile.subtitles.mode is mode
            assert (profile.subtitles.size, profile.subtitles.position) == (SubtitleSize.LARGE, SubtitlePosition.TOP)
            assert profile.burn_subtitles is (mode is SubtitleMode.BURNED)
            assert profile.soft_track is (mode is not SubtitleMode.NONE)


def test_a_request_naming_no_mode_gets_burned_or_soft_as_the_profile_says() -> None:
    soft = SETTINGS.model_copy(update={"burn_subtitles": False})
    assert resolve_profile(request(subtitles={"size": "small"}), SETTINGS).subtitles.mode is SubtitleMode.BURNED
    assert resolve_profile(request(subtitles={"size": "small"}), soft).subtitles.mode is SubtitleMode.SOFT
    assert resolve_profile(request(), soft).subtitles.size is SubtitleSize.MEDIUM


def test_a_wire_subtitle_style_reaches_the_model_and_unspecified_fields_are_the_defaults() -> None:
    wire = composer_service_pb2
    message = wire.ComposeRequest(
        shots=[wire.TimelineShot(shot_id="a_0", scene_id="a", clip_key="c.mp4", duration_s=2.0)],
        video_key="f.mp4", srt_key="f.srt",
    )
    default = request_from_proto(message).subtitles
    assert (default.mode, default.size, default.position) == (None, SubtitleSize.MEDIUM, SubtitlePosition.BOTTOM)
    message.subtitles.CopyFrom(wire.SubtitleStyle(mode=wire.SUBTITLE_MODE_NONE, position=wire.SUBTITLE_POSITION_TOP))
    chosen = request_from_proto(message).subtitles
    assert (chosen.mode, chosen.size, chosen.position) == (SubtitleMode.NONE, SubtitleSize.MEDIUM, SubtitlePosition.TOP)


def test_an_explicit_size_and_rate_win_and_the_named_profile_still_sets_the_encoder() -> None:
    explicit = OutputProfile(width=320, height=180, fps=12)
    preview = resolve_profile(request(profile=explicit, profile_name=ProfileName.PREVIEW), SETTINGS)
    assert (preview.frame, preview.encoding.preset) == (explicit, "ultrafast")
    default = resolve_profile(request(profile=explicit), SETTINGS)
    assert (default.frame, default.encoding.preset) == (explicit, SETTINGS.x264_preset)


def test_every_wire_profile_name_maps_to_the_model_and_unspecified_to_none() -> None:
    wire = composer_service_pb2.ProfileName
    assert profile_name_from_proto(wire.PROFILE_NAME_UNSPECIFIED) is None
    named = [profile_name_from_proto(number) for number in wire.values() if number]
    assert set(named) == set(ProfileName) and len(named) == len(ProfileName)


def test_a_wire_request_keeps_its_profile_name_and_explicit_profile() -> None:
    message = composer_service_pb2.ComposeRequest(
        shots=[composer_service_pb2.TimelineShot(shot_id="a_0", scene_id="a", clip_key="c.mp4", duration_s=2.0)],
        video_key="f.mp4",
        srt_key="f.srt",
        vtt_key="f.vtt",
        profile_name=composer_service_pb2.PROFILE_NAME_HD1080,
    )
    converted = request_from_proto(message)
    assert (converted.profile_name, converted.profile, converted.vtt_key) == (ProfileName.HD1080, None, "f.vtt")
    message.profile.CopyFrom(composer_service_pb2.OutputProfile(width=640, height=360, fps=25))
    assert request_from_proto(message).profile == OutputProfile(width=640, height=360, fps=25)


@pytest.mark.parametrize("params", ["mbtree=1;rm -rf", "bframes=3 --output=x", "=1", "a=1:"])
def test_x264_params_must_be_plain_key_value_pairs(params: str) -> None:
    with pytest.raises(pydantic.ValidationError, match="x264_params"):
        ComposerSettings(artifact_root=Path("/tmp/unused"), x264_params=params)


def test_workers_default_to_one_per_core_and_can_be_set() -> None:
    assert SETTINGS.encode_workers() == available_cores() >= 1
    assert SETTINGS.model_copy(update={"segment_workers": 3}).encode_workers() == 3


@pytest.mark.parametrize(("cpu_max", "expected"), [("max 100000\n", None), ("150000 100000\n", 2), ("50000 100000", 1)])
def test_a_containers_cpu_quota_caps_the_cores(tmp_path: Path, cpu_max: str, expected: int | None) -> None:
    (tmp_path / "cpu.max").write_text(cpu_max)
    cores = available_cores(tmp_path / "missing")
    assert available_cores(tmp_path / "cpu.max") == (cores if expected is None else min(cores, expected))
