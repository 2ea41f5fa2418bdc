"""The cpu compose set, built and run for real (tests/containers/stack.py, as scripts/compose_check.sh):
a film through the gateway's published port, a visual container killed mid-render, visual scaled to 3.

Skipped, with the reason, only where no Docker engine answers (scripts/setup_test_tools.sh installs and
starts one where it can). Only 127.0.0.1 is addressed; every wait is bounded.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.containers import stack as st

pytestmark = pytest.mark.timeout(1800)

# Eight paragraphs of narration and dialogue: enough shots that renders are still running when the
# visual container is killed, and to spread over three replicas.
LONG_STORY = "\n\n".join([
    "Old Meera lived by the river at the edge of the village, where the fishing boats were tied each night.",
    '"Hold the lantern high," she told the boy who followed her down the stone steps of the ghat.',
    "The sky turned orange, then violet, and the first drops of rain fell on the water.",
    '"Will they find the shore?" asked the boy, shivering under his grandfather\'s old shawl.',
    "Far out on the river, a small boat rocked in the wind while the fisherman pulled at his oars.",
    "Meera raised the lantern above her head and waved it slowly from side to side.",
    "The fisherman saw the light through the rain and turned his boat towards the steps.",
    '"You see," said Meera, smiling, "a small light is enough when someone is watching for it."',
])


@pytest.fixture(scope="module")
def stack() -> Iterator[st.Stack]:
    problem = st.engine_problem()
    if problem:
        pytest.skip(problem)
    base = st.base_image()
    seconds = st.build(base)
    for name, size in st.image_sizes().items():
        print(f"image storyreel-{name}:{st.TAG} {size / 1e6:.0f} MB (built in {seconds[name]:.0f} s)")
    running = st.Stack(st.free_port(), base, visual_replicas=1)
    running.down()
    try:
        running.up()
        yield running
    finally:
        running.down()


@pytest.mark.parametrize("name", list(st.IMAGES))
def test_images_are_honest(stack: st.Stack, name: str) -> None:
    """Code is the last layer, the user is 10001, no compiler, no CA bundle or pip cache left behind."""
    image = f"storyreel-{name}:{st.TAG}"
    history = st.run(st.docker_cli(), "history", "--no-trunc", "--format", "{{.Size}}\t{{.CreatedBy}}",
                     image).stdout.splitlines()
    layers = [line for line in history if not line.startswith("0B")]
    assert "COPY /app /app" in layers[0], layers[:2]
    probe = ("id -u; command -v gcc cc || true; ls /run/secrets 2>/dev/null || true; "
             "ls /root/.cache/pip 2>/dev/null || true")
    out = st.run(st.docker_cli(), "run", "--rm", "--entrypoint", "sh", image, "-c", probe).stdout.split()
    assert out == ["10001"], out


def _since() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def test_a_story_becomes_a_film_through_the_published_port(stack: st.Stack, tmp_path: Path) -> None:
    job_id = stack.submit()
    view = stack.wait_done(job_id, timeout=300)
    film = stack.download(job_id, tmp_path / "film.mp4")
    facts = st.film_facts(film)
    print(f"film {film}: {facts}")
    assert facts["streams"].get("video") == 1 and facts["streams"].get("audio") == 1
    assert facts["subtitle_codecs"] == ["mov_text"]
    assert 5 < facts["duration_s"] < 120
    assert view["duration_s"] == pytest.approx(facts["duration_s"], abs=1.0)


def test_a_visual_container_killed_mid_render_comes_back_and_the_job_completes(stack: st.Stack) -> None:
    since = _since()
    job_id = stack.submit(LONG_STORY)
    deadline = time.monotonic() + 300
    while True:  # kill once some shots are rendered and some are not
        view = stack.job(job_id)
        done = {shot["id"] for shot in view["shots"] if shot["visual_done"]}
        if done and len(done) < len(view["shots"]) - 1:
            break
        assert view["state"] not in ("done", "failed"), f"the job finished before the kill: {view['state']}"
        assert time.monotonic() < deadline, "no shot rendered within 300 s"
        time.sleep(0.2)
    [container] = stack.containers("visual")
    restarts = int(st.run(st.docker_cli(), "inspect", "-f", "{{.RestartCount}}", container).stdout)
    st.crash(container)
    print(f"killed visual {container[:12]} with {len(done)} of {len(view['shots'])} shots rendered")

    view = stack.wait_done(job_id, timeout=600)
    after = int(st.run(st.docker_cli(), "inspect", "-f", "{{.RestartCount}}", container).stdout)
    assert after == restarts + 1, "the restart policy did not bring the visual container back"
    renders = Counter(shot for shots in stack.renders(since).values() for shot in shots)
    print(f"renders per shot since the submit: {dict(renders)}")
    again = {shot: renders[shot] for shot in done if renders[shot] != 1}
    assert not again, f"shots finished before the kill were rendered again: {again}"
    assert set(renders) == {shot["id"] for shot in view["shots"]}


def test_visual_scaled_to_three_spreads_the_shots_over_all_three(stack: st.Stack) -> None:
    stack.scale_visual(3)
    # The gateway's channel resolves dns:///visual when it connects; a running gateway learns of new
    # replicas only when a connection fails, so it is restarted after scaling (its jobs are in its volume).
    stack.compose("restart", "-t", "5", "gateway")
    stack.wait_healthy(180)
    since = _since()
    job_id = stack.submit(LONG_STORY.replace("Meera", "Kamala"))
    stack.wait_done(job_id, timeout=600)
    renders = stack.renders(since)
    print(f"shots rendered per visual container: {renders}")
    assert len(renders) == 3
    assert all(renders.values()), f"a replica rendered nothing: {renders}"
