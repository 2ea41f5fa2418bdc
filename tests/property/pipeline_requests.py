"""Every request the pipeline would send for a story, built and checked the way the services
check them, without running any service: the door's check, the rules planner, speech of a
synthetic length (as the audio service times it: silent lines are empty spans), audio-first
timing with the gateway's timeline module, and the compose request the gateway would build,
validated with the composer's own models and timeline rules.

accepted(story) is the rule of issue 14 in one function: a story the door accepts gives only
valid requests; anything else raises (the test fails)."""

from __future__ import annotations

from dataclasses import dataclass

from gateway import edits, messages, timeline
from gateway.jobs import JobOptions, JobRequest
from gateway.settings import GatewaySettings
from gateway.submit import normalised
from services.audio.models import MusicInput, SpeakInput
from services.audio.text import speakable as audio_would_speak
from services.composer.models import ComposeRequest
from services.composer.servicer import request_from_proto
from services.composer.subtitles import layout
from services.composer.timeline import absolute_cues, place_shots
from services.planner.backends.rules import RulesPlanner
from services.visual.servicer import shot_from_proto
from storyreel.composer.v1 import composer_service_pb2 as composer_pb
from storyreel.convert import from_proto, to_proto
from storyreel.domain import Character, Scene, Storyboard, check_story
from storyreel.errors import InvalidInput
from storyreel.storyboard.v1 import storyboard_pb2

SETTINGS = GatewaySettings()
JOB_ID = "j-property"
PAUSE_S = 0.3
"""The audio service's default pause between two lines of a shot."""


@dataclass(frozen=True)
class Checked:
    shots: int
    lines: int
    cues: int
    film_s: float


def door(story: str, title: str = "") -> JobRequest | str:
    """The request as the gateway stores it, or the reason it refuses it."""
    request = normalised(JobRequest(story=story, title=title[:300]))
    try:
        check_story(request.story, SETTINGS.max_story_bytes)
    except InvalidInput as refused:
        return str(refused)
    return request


def speech_of(shot_lines: list[str]) -> timeline.SpeechResult:
    """What Speak would answer: each line about as long as its text, a line with nothing to say an
    empty span, a pause between lines that are heard."""
    spans, at = [], 0.0
    for text in shot_lines:
        length = 0.1 + 0.06 * len(text) if audio_would_speak(text) else 0.0
        if length and at:
            at += PAUSE_S
        spans.append((at, at + length))
        at += length
    return timeline.SpeechResult("jobs/j/speech/x.wav", at or PAUSE_S, spans)


def accepted(request: JobRequest) -> Checked:
    """Plan the stored request and check every request of every step; raises on the first invalid one."""
    plan = RulesPlanner().plan(request.story, request.title, request.language, request.max_minutes)
    board = from_proto(to_proto(plan.storyboard, storyboard_pb2.Storyboard), Storyboard)  # as the gateway reads it
    edits.check_storyboard(board)  # the planned storyboard is one a user could PUT back unchanged
    speech = {}
    for shot in board.shots():
        speak = messages.speech_request(board, shot)
        speak.output_key = f"jobs/{JOB_ID}/speech/{shot.id}.wav"
        from_proto(speak, SpeakInput)
        speech[shot.id] = speech_of([line.text for line in shot.lines])
    timed = timeline.timed(board, speech, SETTINGS.speech_air_s, SETTINGS.min_shot_s, SETTINGS.fps)
    film = messages.FilmProfile(SETTINGS.width, SETTINGS.height, SETTINGS.fps)
    options = JobOptions()
    tails = timeline.music_tails(timed, SETTINGS.music_crossfade_s)
    for scene in timed.scenes:
        music = messages.music_request(JOB_ID, scene, tails[scene.id])
        music.output_key = f"jobs/{JOB_ID}/music/{scene.id}.wav"
        from_proto(music, MusicInput)
        for shot in scene.shots:
            render = messages.render_request(timed, scene, shot, options, film)
            assert render.duration_s > 0 and render.width >= 16 and render.height >= 16
            shot_from_proto(render.shot)
            from_proto(render.scene, Scene)
            for character in render.characters:
                from_proto(character, Character)
    clips = {shot.id: f"jobs/{JOB_ID}/clips/{shot.id}.mp4" for shot in timed.shots()}
    music_keys = {scene.id: f"jobs/{JOB_ID}/music/{scene.id}.wav" for scene in timed.scenes}
    compose = composer_pb.ComposeRequest(
        title=timed.title,
        shots=timeline.timeline_shots(timed, speech, clips),
        music=timeline.music_cues(timed, music_keys, SETTINGS.music_crossfade_s),
    )
    film.set_on(compose)
    messages.set_film_outputs(compose, f"jobs/{JOB_ID}/film-x")
    checked: ComposeRequest = request_from_proto(compose)  # the composer's own validation
    assert checked.profile is not None
    cues = absolute_cues(place_shots(checked.shots, checked.profile.fps))
    layout(cues, 42)
    lines = sum(len(shot.lines) for shot in timed.shots())
    return Checked(len(timed.shots()), lines, len(cues), timed.total_duration_s())
