"""Small real inputs for composer tests: clips of exact frame counts, speech and music tones, and a
timeline of three shots in two scenes with English and Hindi cues."""

from __future__ import annotations

from bench.composer_bench import make_clip, make_tone
from services.composer.models import ComposeRequest, MusicCue, OutputProfile, SubtitleCue, TimelineShot
from storyreel.artifacts import ArtifactStore
from storyreel.domain import Language

PROFILE = OutputProfile(width=320, height=180, fps=24)
LITERAL_EN = 'He said: "50% {off}" \\n C:\\path'
HINDI = "किसान कुएँ के पास गया।"
SHOT_S = (2.0, 1.5, 2.5)


def cue(text: str, language: Language, start_s: float, end_s: float) -> SubtitleCue:
    return SubtitleCue(text=text, language=language, start_s=start_s, end_s=end_s)


def small_request(store: ArtifactStore, profile: OutputProfile = PROFILE) -> ComposeRequest:
    """Three shots (2 s, 1.5 s, 2.5 s) in scenes 'well' and 'lamp', each with its own clip and speech,
    one music cue per scene. Inputs live under in/, outputs go to out/."""
    cues = (
        [cue(LITERAL_EN, Language.EN, 0.1, 1.9)],
        [cue(HINDI, Language.HI, 0.0, 1.5)],
        [cue("The lamp still burns.", Language.EN, 0.2, 1.2), cue("दीपक जल रहा है।", Language.HI, 1.2, 2.4)],
    )
    scenes = (("well", "At the well: दिन"), ("well", "At the well: दिन"), ("lamp", "The lamp"))
    shots = []
    for n, (seconds, shot_cues, (scene_id, title)) in enumerate(zip(SHOT_S, cues, scenes, strict=True)):
        make_clip(store.path(f"in/clip{n}.mp4"), seconds, profile.width, profile.height, profile.fps, moving=False)
        make_tone(store.path(f"in/speech{n}.wav"), seconds * 0.6, 500 + 100 * n, 22050, 1)
        shots.append(
            TimelineShot(
                shot_id=f"{scene_id}_{n}",
                scene_id=scene_id,
                scene_title=title,
                clip_key=f"in/clip{n}.mp4",
                speech_key=f"in/speech{n}.wav",
                duration_s=seconds,
                cues=shot_cues,
            )
        )
    make_tone(store.path("in/music_well.wav"), 3.5, 220, 44100, 2, volume=0.4)
    make_tone(store.path("in/music_lamp.wav"), 2.5, 330, 44100, 2, volume=0.4)
    music = [
        MusicCue(audio_key="in/music_well.wav", start_s=0.0, duration_s=3.5),
        MusicCue(audio_key="in/music_lamp.wav", start_s=3.5, duration_s=2.5),
    ]
    return ComposeRequest(
        title="The Well", shots=shots, music=music, profile=profile, video_key="out/film.mp4", srt_key="out/film.srt"
    )
