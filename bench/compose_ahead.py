"""How soon the film is ready after its last shot, on a GPU-like deployment, with the composer
encoding ahead (each scene as its shots finish) and without (all of it after the last shot).

    python -m bench.compose_ahead [STORY] [--max-minutes 26] [--render-s 1.5] [--visual-parallel 1]

The visual service runs its simulated backend: each shot waits render-s (no CPU, as a service
waiting on a GPU would), then writes a flat clip of the exact length; visual-parallel shots at a
time (one GPU: 1). Everything else is real (planner, espeak-ng speech, music, the composer at the
default 720p profile with burned subtitles). Both variants render the same story in one run,
ahead first, each on a fresh stack; the report gives each one's figures (see bench.render_bench)
and the ratio of their last-shot-to-film times. Default: Treasure Island capped at 26 minutes,
about 200 shots.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from bench.render_bench import REPO_ROOT, Result, render_once, report

DEFAULT_STORY = REPO_ROOT.parent / "shared" / "stories" / "en_long_treasure_island.txt"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("story", type=Path, nargs="?", default=DEFAULT_STORY)
    parser.add_argument("--max-minutes", type=float, default=26.0)
    parser.add_argument("--render-s", type=float, default=1.5, help="the simulated render time of one shot")
    parser.add_argument("--visual-parallel", type=int, default=1, help="shots rendered at once (GPUs)")
    parser.add_argument("--profile", default="720p")
    args = parser.parse_args()
    common = {
        "STORYREEL_VISUAL_BACKEND": "simulated",
        "STORYREEL_VISUAL_SIMULATED_RENDER_S": str(args.render_s),
        "STORYREEL_GATEWAY_VISUAL_PARALLEL": str(args.visual_parallel),
    }
    results: dict[str, Result] = {}
    for ahead in (True, False):
        label = "composing ahead" if ahead else "composing after the last shot"
        env = common | {"STORYREEL_GATEWAY_COMPOSE_AHEAD": str(ahead).lower()}
        results[label] = render_once(label, args.story, args.max_minutes, args.profile, env)
        print(report(results[label]), flush=True)
    on, off = results["composing ahead"], results["composing after the last shot"]
    print(f"\nlast shot to film: {on.last_shot_to_film_s:.1f} s composing ahead, "
          f"{off.last_shot_to_film_s:.1f} s after the last shot "
          f"({off.last_shot_to_film_s / on.last_shot_to_film_s:.1f}x sooner), "
          f"{on.shots} shots, {on.film_s / 60:.1f} min film")
    print(f"wall: {on.wall_s:.1f} s against {off.wall_s:.1f} s; composer CPU {on.cpu_s.get('composer', 0):.1f} s "
          f"against {off.cpu_s.get('composer', 0):.1f} s")


if __name__ == "__main__":
    main()
