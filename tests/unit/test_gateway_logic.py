"""The gateway's pure parts: what each request depends on (its hash), storyboard edits, the ETA,
and WebVTT from SRT."""

from __future__ import annotations

import pytest

from gateway import edits, messages
from gateway.jobs import JobOptions, JobState, RerollRequest, Step, StepProgress, VoiceChoice
from gateway.progress import Pace, eta_s
from storyreel.domain import Character, Line, Scene, Shot, Storyboard, Voice
from storyreel.errors import InvalidInput

FILM = messages.FilmProfile(640, 360, 24)
PLAIN = JobOptions()


def board() -> Storyboard:
    meera = Character(id="meera", name="Meera", aliases=["Old Meera"], description="blue shawl")
    return Storyboard(characters=[meera], scenes=[
        Scene(id="s01", shots=[
            Shot(id="s01_01", lines=[Line(text="Meera lit the lantern.")], character_ids=["meera"], seed=1),
            Shot(id="s01_02", lines=[Line(text="Hold it high.", speaker_id="meera")], seed=2),
        ]),
    ])


def hashes(storyboard: Storyboard, options: JobOptions = PLAIN) -> dict[str, str]:
    result = {}
    for scene in storyboard.scenes:
        result[f"music/{scene.id}"] = messages.request_hash(messages.music_request("job", scene))
        for shot in scene.shots:
            result[f"speech/{shot.id}"] = messages.request_hash(messages.speech_request(storyboard, shot))
            render = messages.render_request(storyboard, scene, shot, options, FILM)
            result[f"visuals/{shot.id}"] = messages.request_hash(render)
    return result


def changed(before: Storyboard, after: Storyboard, options: JobOptions = PLAIN) -> set[str]:
    old, new = hashes(before), hashes(after, options)
    return {name for name in old if old[name] != new[name]}


def test_a_new_prompt_or_seed_changes_only_that_shots_picture() -> None:
    after = edits.reroll(board(), "s01_02", RerollRequest(prompt="a lantern, close up"))
    assert changed(board(), after) == {"visuals/s01_02"}
    assert after.shots()[1].seed != 2


def test_a_description_changes_the_pictures_that_show_the_character() -> None:
    after = board()
    after.characters[0].description = "red coat"
    assert changed(board(), after) == {"visuals/s01_01"}


def test_a_voice_changes_speech_only() -> None:
    after = board()
    after.characters[0].voice = Voice(pitch=80)
    assert changed(board(), after) == {"speech/s01_01", "speech/s01_02"}


def test_a_style_changes_every_picture_and_nothing_else() -> None:
    assert changed(board(), board(), JobOptions(style="ink")) == {"visuals/s01_01", "visuals/s01_02"}
    shot = board().shots()[0]
    request = messages.render_request(board(), board().scenes[0], shot, JobOptions(style="ink"), FILM)
    assert request.shot.visual_prompt == "ink"  # an empty prompt takes the style alone
    assert messages.styled_prompt("a river", "ink") == "a river, ink"


def test_music_depends_on_mood_and_length_not_on_shot_seeds() -> None:
    after = board()
    after.scenes[0].shots[0].seed = 99
    assert "music/s01" not in changed(board(), after)
    after.scenes[0].shots[0].duration_s = 9.0
    assert "music/s01" in changed(board(), after)
    assert messages.music_seed("job", "s01") == messages.music_seed("job", "s01") != messages.music_seed("j2", "s01")


def test_voices_match_names_ids_and_aliases_in_any_case() -> None:
    voices = {"old meera": VoiceChoice(pitch=70), "Narrator": VoiceChoice(rate_wpm=140), "Ravi": VoiceChoice()}
    result = edits.apply_voices(board(), voices)
    assert result.characters[0].voice.pitch == 70 and result.characters[0].voice.rate_wpm == 165
    assert result.narrator_voice.rate_wpm == 140
    assert edits.unmatched_voices(result, voices) == ["Ravi"]


def test_reroll_of_an_unknown_shot_and_with_a_given_seed() -> None:
    with pytest.raises(KeyError):
        edits.reroll(board(), "s09_09", RerollRequest())
    assert edits.reroll(board(), "s01_01", RerollRequest(seed=1)).shots()[0].seed == 1


def test_check_storyboard_accepts_a_good_one_and_names_what_is_wrong() -> None:
    edits.check_storyboard(board())
    bad = board()
    bad.scenes[0].shots[1].id = "s01/../x"
    with pytest.raises(InvalidInput, match="must be 1-64 letters"):
        edits.check_storyboard(bad)


def _steps(**done_total: tuple[int, int, float | None]) -> dict[Step, StepProgress]:
    return {Step(name): StepProgress(done=d, total=t, seconds_per_item=s) for name, (d, t, s) in done_total.items()}


def test_eta_adds_steps_and_overlaps_pictures_with_music() -> None:
    steps = _steps(planning=(1, 1, 1.0), speech=(2, 4, 0.5), visuals=(0, 4, 6.0), music=(0, 2, 1.0),
                   composing=(0, 1, 0.1))
    pace = Pace(parallel={Step.SPEECH: 2, Step.VISUALS: 2, Step.MUSIC: 2, Step.COMPOSING: 1})
    # speech 2*0.5/2 = 0.5; visuals 4*6/2 = 12 (music 1 overlaps); composing 0.1 s per film second * 30 s = 3
    assert eta_s(JobState.RENDERING, steps, film_s=30.0, pace=pace) == pytest.approx(15.5)


def test_eta_is_unknown_before_planning_or_without_a_measurement() -> None:
    unplanned = _steps(planning=(0, 1, None), speech=(0, 0, None), visuals=(0, 0, None), music=(0, 0, None),
                       composing=(0, 1, None))
    assert eta_s(JobState.PLANNING, unplanned, 0.0, Pace()) is None
    unmeasured = _steps(planning=(1, 1, 1.0), speech=(0, 2, None), visuals=(0, 2, 5.0), music=(0, 1, 1.0),
                        composing=(0, 1, 0.1))
    assert eta_s(JobState.SPEAKING, unmeasured, 10.0, Pace()) is None
    assert eta_s(JobState.DONE, unmeasured, 10.0, Pace()) == 0.0
    assert eta_s(JobState.CANCELLED, unmeasured, 10.0, Pace()) is None
