"""Priors for the ETA: seconds per item of each step before this gateway has measured any.

The job view's `eta_s` is items left times seconds per item (gateway/progress.py). A step's rate
is this job's own mean, else the rate measured on recent jobs (the store's step_rates); a gateway
that has never run a step had none, so `eta_s` stayed null until the composer had run once. These
priors fill only what is missing: a measured rate always replaces its prior.

Units are the store's: wall seconds per storyboard (planning), per shot (speech, visuals), per
scene (music), per picture (cast) and per second of film (composing), with the items of a step
in flight at once.

Where the numbers come from (2 cores, Debian 12, the animatic and espeak-ng, 720p):
- visuals and composing: the 60-minute Treasure Island film of ../shared/FACTS.md (quiet machine):
  499 shots drawn and encoded in 190 + 571 CPU-s, two at a time (1.53 s each), and the composer's
  444 s for a 3323 s film (0.134 s per film second);
- planning, speech and music: `python -m bench.render_bench` on Treasure Island capped at 5 minutes
  (the gateway's own step_rates after the run; load average 3-7): 4.16 s, 0.228 s per shot,
  8.30 s per scene.
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
    "planning": 4.16,
    "speech": 0.228,
    "visuals": 1.53,
    "music": 8.30,
    "composing": 0.134,
    "cast": 0.39,
}
"""Seconds per item at 720p, by step name (gateway.jobs.Step values)."""
BY_PIXELS = ("visuals", "composing")
"""The steps whose cost follows the film's frame size (the cast sheet's pictures do not)."""


FIXED_SHARE = 0.2
"""The share of a 720p shot's (and film second's) cost that does not follow the pixel count: the
encoder's and the drawing's work per frame whatever its size (0.2 + 0.8/4 = 0.4 at preview)."""


def priors_at(width: int, height: int) -> dict[str, float]:
    """Seconds per item of every step for a film of width x height pixels."""
    base_width, base_height = ProfileName.HD720.size
    scale = FIXED_SHARE + (1 - FIXED_SHARE) * (width * height) / (base_width * base_height)
    return {step: rate * scale if step in BY_PIXELS else rate for step, rate in PRIORS_720P.items()}


def prior_rates(profile: ProfileName = ProfileName.HD720) -> dict[str, float]:
    """Seconds per item of every step for a wide film at `profile`."""
    return priors_at(*profile.size)


def with_priors(measured: Mapping[str, float], profile: ProfileName = ProfileName.HD720) -> dict[str, float]:
    """The measured rates, and a prior for every step that has none."""
    return {**prior_rates(profile), **measured}
