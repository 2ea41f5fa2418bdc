"""Priors for the ETA: seconds per item of each step before this gateway has measured any.

The job view's `eta_s` is items left times seconds per item (gateway/progress.py). A step's rate
is this job's own mean, else the rate measured on recent jobs (the store's step_rates); a gateway
that has never run a step had none, so `eta_s` stayed null until the composer had run once. These
priors fill only what is missing: a measured rate always replaces its prior.

Units are the store's: wall seconds per storyboard (planning), per shot (speech, visuals), per
scene (music), per picture (cast) and per second of film (composing), with the items of a step
in flight at once.

Where the numbers come from (2 cores, Debian 12, the animatic and espeak-ng, 720p):
- planning, speech, visuals, music: `python -m bench.render_bench
  ../shared/stories/en_long_treasure_island.txt --max-minutes 60` (406 shots, a 49-minute film;
  each step's own mean in the finished job's view; load average 0.4 before, 2.7 after): 2.15 s
  for the storyboard, 0.126 s per shot's speech, 3.23 s per shot's picture (finished clips, two
  rendered at a time, so a shot is done every 1.6 s), 2.90 s per scene's music;
- composing, which is the Compose call after the last shot (the rest is done ahead, while shots
  render): 0.001 s per film second where the clips come finished (the animatic with
  STORYREEL_GATEWAY_FINISH_CLIPS: the composer joins them by stream copy beside the sound mixed
  ahead), 0.063 where they come plain (the composer encodes the pictures: the same run with plain
  clips, 193 s from the last shot to a 2966 s film). A job that names a backend other than the
  animatic (ComfyUI, diffusers) gets the plain rate;
- the cast sheet (a portrait per character shown, a picture per recurring setting, drawn at the
  backend's own size whatever the film's profile): 0.39 s a picture, the animatic's, this job's
  own mean in the job view of a fresh gateway's first job (samples/the_lantern_keeper.txt, 2 cast
  pictures, preview profile, load average 2-3; 0.56 s in the same run at 720p at load 4-6).
Other profiles and frame shapes scale the two picture steps by their pixels against 720p, with a
part that does not shrink (FIXED_SHARE): measured on one story at both sizes in one sitting
(samples/the_lantern_keeper.txt, fresh gateways, load average 5-7), a preview shot cost 0.38 of a
720p one (1.36 s against 3.58 s) and a preview film second 0.42 (0.148 s against 0.349 s), where
the pixels alone (a quarter) would say 0.25. Larger frames are not measured: the same line is
drawn on through them.

gateway/progress.py uses these for a step with no measured rate, and says so: the job view's
`eta_basis` is `prior` while any step still to run is estimated from here, and admission's
Retry-After does not count such an ETA as measured.
"""

from __future__ import annotations

from collections.abc import Mapping

from storyreel.profiles import ProfileName

PRIORS_720P = {
    "planning": 2.15,
    "speech": 0.126,
    "visuals": 3.23,
    "music": 2.90,
    "composing": 0.063,
    "cast": 0.39,
}
"""Seconds per item at 720p, by step name (gateway.jobs.Step values); composing for plain clips."""
JOINED_COMPOSING_720P = 0.001
"""Composing's seconds per film second at 720p where the clips come finished (joined, not encoded)."""
FINISHING_BACKENDS = ("", "animatic")
"""Backends that finish their clips (DescribeBackend's finishes_clips): the animatic, and '' (the visual
service's own, the animatic unless it is set to another). The run asks; a prior can only guess."""
BY_PIXELS = ("visuals", "composing")
"""The steps whose cost follows the film's frame size (the cast sheet's pictures do not)."""


FIXED_SHARE = 0.2
"""The share of a 720p shot's (and film second's) cost that does not follow the pixel count: the
encoder's and the drawing's work per frame whatever its size (0.2 + 0.8/4 = 0.4 at preview)."""


def priors_at(width: int, height: int, finished_clips: bool = False) -> dict[str, float]:
    """Seconds per item of every step for a film of width x height pixels, its clips finished or plain."""
    base_width, base_height = ProfileName.HD720.size
    scale = FIXED_SHARE + (1 - FIXED_SHARE) * (width * height) / (base_width * base_height)
    rates = {**PRIORS_720P, "composing": JOINED_COMPOSING_720P} if finished_clips else PRIORS_720P
    return {step: rate * scale if step in BY_PIXELS else rate for step, rate in rates.items()}


def finishes_clips(finish_clips: bool, backend: str) -> bool:
    """Whether a job naming `backend` ('' for the service's own) will likely get finished clips from a
    gateway whose STORYREEL_GATEWAY_FINISH_CLIPS is `finish_clips`."""
    return finish_clips and backend in FINISHING_BACKENDS


def prior_rates(profile: ProfileName = ProfileName.HD720, finished_clips: bool = False) -> dict[str, float]:
    """Seconds per item of every step for a wide film at `profile`."""
    return priors_at(*profile.size, finished_clips=finished_clips)


def with_priors(measured: Mapping[str, float], profile: ProfileName = ProfileName.HD720) -> dict[str, float]:
    """The measured rates, and a prior for every step that has none."""
    return {**prior_rates(profile), **measured}
