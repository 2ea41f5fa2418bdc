"""The web page in a real headless Chromium, against the real services: paste a story, watch it
render (thumbnails appear), play the film with subtitles and seek in it, re-roll a shot, rewrite a
scene."""

from __future__ import annotations

import os
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import BrowserContext, Page, expect, sync_playwright

from cli.stack import LocalStack

pytestmark = pytest.mark.e2e

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--autoplay-policy=no-user-gesture-required",
]
STORY = (
    "Old Meera lived by the river at the edge of the village, in a small house with a blue door.\n\n"
    'At night a storm came over the water. "Hold the lantern high," she said, and the boats came home.'
)
RENDER_TIMEOUT_MS = 240_000


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    small = {"STORYREEL_GATEWAY_WIDTH": "320", "STORYREEL_GATEWAY_HEIGHT": "180"}  # the page is tested
    running = LocalStack(work_dir=tmp_path_factory.mktemp("web-stack"), extra_env=small)
    running.start()
    yield running
    running.stop()


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[BrowserContext]:
    if shutil.which(CHROMIUM) is None:
        pytest.fail(f"{CHROMIUM} is missing: run bash scripts/setup_browser.sh")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=CHROMIUM, headless=True, args=FLAGS
        )
        yield context
        context.close()


SCREENSHOTS = os.environ.get("WEB_TEST_SCREENSHOTS", "")
"""A folder to keep the page's screenshots in (at 1280 and 390 px wide), to look at them."""


def _screenshots(page: Page, name: str) -> None:
    if not SCREENSHOTS:
        return
    folder = Path(SCREENSHOTS)
    folder.mkdir(parents=True, exist_ok=True)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(folder / f"{name}-{width}.png"), full_page=False)
        page.screenshot(path=str(folder / f"{name}-{width}-full.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def _video(page: Page, script: str) -> object:
    return page.evaluate(f"(async () => {{ const v = document.getElementById('film'); {script} }})()")


def test_submit_watch_play_seek_and_reroll(stack: LocalStack, browser: BrowserContext, tmp_path: Path) -> None:
    page = browser.new_page()
    page.goto(stack.gateway_url)
    page.fill("#story", STORY)
    page.click("#submit")
    expect(page.locator("#job-state")).to_have_text("done", timeout=RENDER_TIMEOUT_MS)

    expect(page.locator("#cancel")).to_be_hidden()  # nothing to cancel once the film is done
    shots = page.locator("#shots .shot")
    count = shots.count()
    assert count >= 2
    expect(page.locator("#shots .shot img:not([hidden])")).to_have_count(count)  # every thumbnail is there
    assert all(img.evaluate("i => i.complete && i.naturalWidth > 0") for img in page.locator("#shots img").all())

    page.wait_for_function("document.getElementById('film').readyState >= 1", timeout=30_000)
    duration = float(_video(page, "return v.duration;"))  # type: ignore[arg-type]
    assert duration > 3
    played = _video(page, "v.muted = true; await v.play(); await new Promise(r => setTimeout(r, 1500));"
                          " v.pause(); return v.currentTime;")
    assert float(played) > 0.3, "the film does not play"  # type: ignore[arg-type]
    target = round(duration * 0.6, 2)
    seeked = _video(page, f"v.currentTime = {target}; await new Promise(r => v.addEventListener('seeked', r, "
                          "{once: true})); return v.currentTime;")
    assert abs(float(seeked) - target) < 0.5, "the film does not seek"  # type: ignore[arg-type]
    # The film has its subtitles burned in (the composer's default), so the page does not draw the
    # soft track over them: one line on screen at a time. The track is loaded, with the cues.
    showing = "return [...v.textTracks].filter(t => t.mode === 'showing').length;"
    assert _video(page, showing) == 0, "the soft subtitles show over the burned-in ones"
    cues = _video(page, "const t = v.textTracks[0];"
                        " for (let i = 0; i < 50 && !(t.cues && t.cues.length); i++)"
                        " await new Promise(r => setTimeout(r, 100));"
                        " return t.cues ? t.cues.length : 0;")
    assert int(cues) >= 1, "the subtitles track has no cues"  # type: ignore[call-overload]
    # The job says its film is burned in: no switch to draw the soft track over it.
    with httpx.Client(base_url=stack.gateway_url) as client:
        assert client.get("/v1/jobs").json()["jobs"][0]["subtitles"] == "burned"
    expect(page.locator("#soft-subtitles-label")).to_be_hidden()
    assert page.locator("#film").get_attribute("poster"), "the film has no poster"
    expect(page.locator("#storyboard .board-shot")).to_have_count(count)
    _screenshots(page, "done")

    last = shots.nth(count - 1)
    before = last.locator("img").get_attribute("src")
    last.locator("summary").click()
    last.locator("textarea").fill("a lantern on a dark river, close up")
    last.locator("button").click()
    expect(last.locator("img")).not_to_have_attribute("src", before or "", timeout=RENDER_TIMEOUT_MS)
    expect(page.locator("#job-state")).to_have_text("done", timeout=RENDER_TIMEOUT_MS)
    page.wait_for_function("document.getElementById('film').readyState >= 1", timeout=30_000)

    # Rewrite the last scene: its text comes from the storyboard, the planner plans it again.
    scene = page.locator("#scenes .scene").last
    scene.locator("summary").click()
    text = scene.locator("textarea")
    expect(text).to_have_value(re.compile("Hold the lantern high"), timeout=10_000)
    text.fill('At dawn the storm was over. "Every boat is home," said Meera.')
    _screenshots(page, "rewrite")
    scene.locator("button").click()
    with httpx.Client(base_url=stack.gateway_url, timeout=30) as client:
        job_id = client.get("/v1/jobs").json()["jobs"][0]["id"]
        deadline = time.monotonic() + RENDER_TIMEOUT_MS / 1000
        while "Every boat is home" not in client.get(f"/v1/jobs/{job_id}/subtitles.srt").text:
            assert time.monotonic() < deadline, "the rewritten scene never reached the film"
            time.sleep(0.5)
    expect(page.locator("#job-state")).to_have_text("done", timeout=RENDER_TIMEOUT_MS)
