"""Figures of the planner, per story: what a director would check, and how fast.

python -m bench.planner_bench [STORY ...]
    The rules backend on every story in ../shared/stories (and samples/), or on the files given.
    One row per story: words, sentences, coverage (the story's words heard in order, in %),
    dialogue lines, speakers found, characters, scenes, shots, the most shots in a scene, film
    minutes, and words per second. Then Treasure Island alone in a fresh process: words per
    second (best of --repeat) and the process's peak memory (goal: 20,000 words/s, under 300 MB).

python -m bench.planner_bench --backend llm [--base-url URL --model NAME | --start-server] [STORY ...]
    The LLM backend: per story, requests, retries, scenes the rules split, scenes whose shots
    the rules cut, and wall seconds. --start-server runs the SmolLM2-135M server that
    scripts/setup_llm_server.sh installed (a tiny model on CPU: slow, and mostly wrong, which is
    what makes the retry and fallback figures worth reading).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from services.planner.backends.llm import LlmPlanner
from services.planner.backends.rules import RulesPlanner
from services.planner.plan import Plan
from services.planner.settings import PlannerBackend, PlannerSettings
from storyreel.domain import Storyboard

ROOT = Path(__file__).resolve().parent.parent
SHARED_STORIES = ROOT.parent / "shared" / "stories"
NOVEL = SHARED_STORIES / "en_long_treasure_island.txt"
_TOKEN = re.compile(r"[^\W_]+")
_SENTENCE_END = tuple(".!?।॥")
GOAL_WORDS_PER_S, GOAL_PEAK_MB = 20_000, 300


@dataclass(frozen=True)
class Coverage:
    heard: int
    """Words of the story heard, in order."""
    left_out: int
    """Words of headings, titles and front matter (before the first line heard): not meant to be heard."""
    missing: int
    """Words of story sentences not heard: a planner bug when above 0."""

    @property
    def percent(self) -> float:
        return 100.0 * self.heard / max(1, self.heard + self.missing)


def coverage(story: str, board: Storyboard) -> Coverage:
    """The story's words matched, in order, against the words of every line of every shot."""
    spoken = [token for shot in board.shots() for line in shot.lines for token in _TOKEN.findall(line.text)]
    lines = story.replace("\r\n", "\n").split("\n")
    source = [(token, number) for number, line in enumerate(lines) for token in _TOKEN.findall(line)]
    position, skipped, first_heard = 0, [], len(lines)
    for index in range(len(spoken)):
        while position < len(source) and not _here(spoken, index, source, position):
            skipped.append(source[position][1])
            position += 1
        if position < len(source):
            first_heard = min(first_heard, source[position][1])
        position += 1
    skipped.extend(number for _, number in source[position:])
    left_out = sum(1 for number in skipped if number < first_heard or _heading(lines[number]))
    return Coverage(len(source) - len(skipped), left_out, len(skipped) - left_out)


def _here(spoken: list[str], index: int, source: list[tuple[str, int]], position: int) -> bool:
    """The spoken words from index match the source from position as far as that source line goes
    (up to 4 words), so a word of a left-out heading is not taken for the same word in the text."""
    line = source[position][1]
    for offset in range(4):
        if position + offset >= len(source) or source[position + offset][1] != line:
            return True
        if index + offset >= len(spoken) or spoken[index + offset] != source[position + offset][0]:
            return offset > 0 and index + offset >= len(spoken)
    return True


def _heading(line: str) -> bool:
    text = line.strip()
    return len(text.split()) <= 12 and not text.rstrip("\"”’'").endswith(_SENTENCE_END)


# --------------------------------------------------------------------------- rules


def rules_row(path: Path) -> str:
    story = path.read_text(encoding="utf-8")
    started = time.perf_counter()
    plan = RulesPlanner().plan(story, "", None, 0)
    seconds = time.perf_counter() - started
    board = plan.storyboard
    lines = [line for shot in board.shots() for line in shot.lines]
    spoken = [line for line in lines if line.speaker_id]
    found = coverage(story, board)
    words = len(story.split())
    return (
        f"{path.stem[:28]:28} {words:6} {plan.condensing.sentences_before:6} {found.percent:6.1f}% {found.left_out:5} "
        f"{len(spoken):5} {len({line.speaker_id for line in spoken}):4} {len(board.characters):5} "
        f"{len(board.scenes):5} {len(board.shots()):6} {max(len(s.shots) for s in board.scenes):4} "
        f"{board.total_duration_s() / 60:6.1f} {words / seconds:9,.0f}"
    )


RULES_HEADER = (
    f"{'story':28} {'words':>6} {'sents':>6} {'cover':>7} {'head':>5} {'dial':>5} {'spk':>4} {'chars':>5} "
    f"{'scene':>5} {'shots':>6} {'max':>4} {'min':>6} {'words/s':>9}"
)


def novel_speed(repeat: int) -> tuple[float, float]:
    """Treasure Island in a fresh process: (best words per second, peak resident MB)."""
    code = (
        "import json, resource, sys, time\n"
        "from services.planner.backends.rules import RulesPlanner\n"
        f"story = open({str(NOVEL)!r}, encoding='utf-8').read()\n"
        "times = []\n"
        "for _ in range(int(sys.argv[1])):\n"
        "    started = time.perf_counter(); RulesPlanner().plan(story, '', None, 0)\n"
        "    times.append(time.perf_counter() - started)\n"
        "peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n"
        "print(json.dumps({'words': len(story.split()), 'best_s': min(times), 'peak_mb': peak}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(repeat)], cwd=ROOT, capture_output=True, text=True, check=True
    )
    figures = json.loads(result.stdout)
    return figures["words"] / figures["best_s"], figures["peak_mb"]


# --------------------------------------------------------------------------- llm


def llm_row(path: Path, settings: PlannerSettings) -> str:
    story = path.read_text(encoding="utf-8")
    started = time.perf_counter()
    plan: Plan = LlmPlanner(settings).plan(story, "", None, 0)
    seconds = time.perf_counter() - started
    report, board = plan.report, plan.storyboard
    found = coverage(story, board)
    return (
        f"{path.stem[:28]:28} {len(story.split()):6} {found.percent:6.1f}% {report.requests:5} {report.retries:5} "
        f"{'yes' if report.scenes_fell_back else 'no':>7} {len(report.fallback_scene_ids):4}/{len(board.scenes):<4} "
        f"{seconds:7.1f}"
    )


LLM_HEADER = (
    f"{'story':28} {'words':>6} {'cover':>7} {'reqs':>5} {'retry':>5} {'rules:scenes':>7} {'rules:shots':>9} "
    f"{'wall s':>7}"
)


def run_llm(args: argparse.Namespace, stories: list[Path]) -> None:
    server = None
    base_url = args.base_url
    if args.start_server:
        from tests.planner_llm import real_server

        reason = real_server.missing_install()
        if reason:
            sys.exit(reason)
        server = real_server.start(Path(tempfile.mkdtemp(prefix="llm-bench-")))
        base_url = server.url
    settings = PlannerSettings(
        backend=PlannerBackend.LLM,
        llm_base_url=base_url,
        llm_model=args.model,
        llm_context_tokens=args.context,
        llm_max_answer_tokens=args.answer_tokens,
        llm_parallel_scenes=args.parallel,
    )
    try:
        print(LLM_HEADER)
        for path in stories:
            print(llm_row(path, settings), flush=True)
    finally:
        if server is not None:
            from tests.planner_llm import real_server

            real_server.stop(server)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("stories", nargs="*", type=Path, help="story files (default: ../shared/stories and samples/)")
    parser.add_argument("--backend", choices=["rules", "llm"], default="rules")
    parser.add_argument("--repeat", type=int, default=3, help="Treasure Island runs; the best counts")
    parser.add_argument("--base-url", default="http://127.0.0.1:8080/v1")
    parser.add_argument("--model", default="local-model")
    parser.add_argument("--start-server", action="store_true", help="run the SmolLM2-135M server from the cache")
    parser.add_argument("--context", type=int, default=4096, help="the model's context window in tokens")
    parser.add_argument("--answer-tokens", type=int, default=300, help="most tokens an answer may take")
    parser.add_argument("--parallel", type=int, default=1, help="scenes planned at once")
    args = parser.parse_args()
    stories = args.stories or sorted([*SHARED_STORIES.glob("*.txt"), *(ROOT / "samples").glob("*.txt")])
    if args.backend == "llm":
        run_llm(args, stories)
        return
    print(RULES_HEADER)
    for path in stories:
        print(rules_row(path), flush=True)
    if NOVEL.is_file():
        words_per_s, peak_mb = novel_speed(args.repeat)
        print(
            f"\nTreasure Island, rules: {words_per_s:,.0f} words/s (goal {GOAL_WORDS_PER_S:,}), "
            f"peak memory {peak_mb:.0f} MB (goal under {GOAL_PEAK_MB})"
        )


if __name__ == "__main__":
    main()
