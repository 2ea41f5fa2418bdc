"""The page and the API docs in headless Chromium with no network, against a real gateway (uvicorn)
in front of fast fake services: /docs and /redoc render from local files, a cancelled job can be
resumed from the page, and the page's scene states follow the job's."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import APIResponse, Page, Route, expect

from cli.stack import free_port
from storyreel.grpckit import wait_serving
from tests.conftest import REPO_ROOT
from tests.gateway_fakes import STORY, FakeServices, live_gateway
from tests.web.conftest import OfflineBrowser

pytestmark = pytest.mark.e2e

TIMEOUT_MS = 30_000


def a_film_on_the_page(browser: OfflineBrowser, url: str) -> Page:
    """A new page that has made the sample story's film (the job is done)."""
    page = browser.context.new_page()
    page.goto(url)
    page.fill("#story", STORY)
    page.click("#submit")
    expect(page.locator("#job-state")).to_have_text("done", timeout=TIMEOUT_MS)
    return page


def test_docs_and_redoc_render_with_no_network(
    tmp_path: Path, fakes: FakeServices, offline_browser: OfflineBrowser
) -> None:
    with live_gateway(tmp_path, fakes) as url:
        page = offline_browser.context.new_page()
        page.goto(f"{url}/docs")
        expect(page.locator(".swagger-ui .opblock").first).to_be_visible(timeout=TIMEOUT_MS)
        assert page.locator(".swagger-ui .opblock").count() >= 10  # every route, not an empty shell

        # POST /v1/jobs offers each named example of its body, the one with voices among them.
        submit = page.locator("#operations-jobs-create_job_v1_jobs_post")
        submit.locator(".opblock-summary").click()
        menu = submit.locator(".examples-select select").first
        expect(menu).to_be_visible(timeout=TIMEOUT_MS)
        names = [text.strip() for text in menu.locator("option").all_inner_texts()]
        assert "Style and voices" in names, names
        menu.select_option(label="Style and voices")
        expect(submit.locator(".body-param__example, .microlight").first).to_contain_text('"voices"')
        page.screenshot(path=str(tmp_path / "docs.png"), full_page=False)

        page.goto(f"{url}/redoc")
        expect(page.locator("h1").first).to_contain_text("storyreel", timeout=TIMEOUT_MS)
        expect(page.locator("h2", has_text="Submit a story; the film is made in the background")).to_be_visible()
    # ReDoc's own "API docs by Redocly" badge is an <img> from its CDN: offline it is a broken
    # image in the sidebar's corner. Nothing else may come from off this machine.
    badge = "https://cdn.redoc.ly/redoc/logo-mini.svg"
    assert [url for url in offline_browser.refused if url != badge] == [], "the docs asked the internet for files"


def test_resume_after_cancel_and_scene_states_follow_the_job(
    tmp_path: Path, fakes: FakeServices, offline_browser: OfflineBrowser
) -> None:
    fakes.hold_renders(after=1)  # the first picture is made, the others wait
    with live_gateway(tmp_path, fakes) as url:
        page = offline_browser.context.new_page()
        page.goto(url)
        page.fill("#story", STORY)
        page.click("#submit")
        expect(page.locator("#job-state")).to_have_text("rendering", timeout=TIMEOUT_MS)
        expect(page.locator("#resume")).to_be_hidden()
        page.wait_for_function("document.querySelectorAll('#scenes .scene').length > 0", timeout=TIMEOUT_MS)
        page.click("#cancel")
        expect(page.locator("#job-state")).to_have_text("cancelled", timeout=TIMEOUT_MS)
        expect(page.locator("#cancel")).to_be_hidden()
        resume = page.locator("#resume")
        expect(resume).to_be_visible()
        expect(resume).to_have_text("Resume")
        # Nothing renders a cancelled job: no scene or shot may still say it is rendering.
        expect(page.locator("#scenes .scene-state", has_text="rendering")).to_have_count(0)
        expect(page.locator("#shots .shot-state", has_text="rendering")).to_have_count(0)
        page.screenshot(path=str(tmp_path / "cancelled.png"), full_page=True)

        fakes.release_renders()
        resume.click()
        expect(page.locator("#job-state")).to_have_text("done", timeout=TIMEOUT_MS)
        scenes = page.locator("#scenes .scene")
        expect(page.locator("#scenes .scene[data-state='done']")).to_have_count(scenes.count(), timeout=TIMEOUT_MS)
        expect(resume).to_have_text("Render again")
        with httpx.Client(base_url=url) as client:
            job = client.get("/v1/jobs").json()["jobs"][0]
        assert job["state"] == "done" and job["revision"] >= 1
    assert offline_browser.refused == []


def test_the_storyboard_editor_saves_an_edit_and_says_what_is_made_again(
    tmp_path: Path, fakes: FakeServices, offline_browser: OfflineBrowser
) -> None:
    with live_gateway(tmp_path, fakes) as url:
        page = a_film_on_the_page(offline_browser, url)
        editor = page.locator("#storyboard")
        expect(editor).to_be_visible(timeout=TIMEOUT_MS)
        shots = editor.locator(".board-shot")
        count = shots.count()
        assert count >= 2
        expect(editor.locator(".voice")).not_to_have_count(0)  # the narrator at least
        # Each shot shows its lines with their speaker, its prompt and its length.
        first_line = shots.first.locator(".board-line").first
        expect(first_line).not_to_have_value("")
        expect(shots.first.locator(".board-shot-length")).to_have_text(re.compile(r"^\d+\.\d s$"))
        # The shot cards show their line too.
        expect(page.locator("#shots .shot .shot-line").first).to_have_text(first_line.input_value())
        expect(page.locator("#board-save")).to_be_disabled()

        last = shots.nth(count - 1)
        last_id = last.get_attribute("data-id") or ""
        renders_before = {shot_id: fakes.count("RenderShot", shot_id) for shot_id in fakes.requests}
        last.locator(".board-prompt").fill("a lighthouse in a storm, wide shot")
        expect(page.locator("#board-changes")).to_have_text(
            f"Will be made again: {last_id}: its picture; then the film.")
        page.screenshot(path=str(tmp_path / "editor.png"), full_page=True)
        page.click("#board-save")
        expect(page.locator("#board-changes")).to_contain_text("Saved. Making again")
        with httpx.Client(base_url=url) as client:
            job_id = client.get("/v1/jobs").json()["jobs"][0]["id"]
            deadline = time.monotonic() + TIMEOUT_MS / 1000
            while client.get(f"/v1/jobs/{job_id}").json()["state"] != "done" or \
                    fakes.count("RenderShot", last_id) == renders_before[last_id]:
                assert time.monotonic() < deadline, "the edit was never rendered"
                time.sleep(0.1)
            stored = client.get(f"/v1/jobs/{job_id}/storyboard").json()
        expect(page.locator("#job-state")).to_have_text("done", timeout=TIMEOUT_MS)
        assert fakes.requests[last_id].shot.visual_prompt.startswith("a lighthouse in a storm, wide shot")
        for shot_id, renders in renders_before.items():
            if shot_id != last_id:
                assert fakes.count("RenderShot", shot_id) == renders, f"{shot_id} was rendered again"
        assert stored["scenes"][-1]["shots"][-1]["visual_prompt"] == "a lighthouse in a storm, wide shot"

        # A line edited: its speech and picture are made again, and the editor says so first.
        line = editor.locator(".board-shot").first.locator(".board-line").first
        line.fill("Old Meera lived by the wide grey river.")
        first_id = editor.locator(".board-shot").first.get_attribute("data-id")
        expect(page.locator("#board-changes")).to_have_text(re.compile(
            rf"Will be made again: {first_id}: its speech and picture"))
        page.click("#board-undo")
        expect(page.locator("#board-save")).to_be_disabled()
    assert offline_browser.refused == []


def test_the_editor_keeps_the_users_place_when_it_is_drawn_again_while_they_type(
    tmp_path: Path, fakes: FakeServices, offline_browser: OfflineBrowser
) -> None:
    """The editor is drawn again whenever the job moves on (lengths come from speech). A redraw
    that lands between a user's click into a line and their typing must not swallow what they
    type: the field they were in keeps the focus and the selection."""
    with live_gateway(tmp_path, fakes) as url:
        page = a_film_on_the_page(offline_browser, url)
        editor = page.locator("#storyboard")
        expect(editor).to_be_visible(timeout=TIMEOUT_MS)
        first_line = editor.locator(".board-shot").first.locator(".board-line").first
        expect(first_line).not_to_have_value("")

        held: list[Route] = []  # the next storyboard read is held until the user is in a line

        def hold_the_first(route: Route) -> None:
            if held:
                route.continue_()
            else:
                held.append(route)

        page.route("**/v1/jobs/*/storyboard", hold_the_first)
        with page.expect_request("**/v1/jobs/*/storyboard"):
            shot = page.locator("#shots .shot").nth(1)
            shot.locator("summary").click()
            shot.locator("button").click()  # a re-roll: the job moves on, the editor reads again

        first_line.click()
        page.keyboard.press("ControlOrMeta+a")
        drawn_before = first_line.element_handle()
        with page.expect_response("**/v1/jobs/*/storyboard"):
            held[0].continue_()
        page.wait_for_function("field => !field.isConnected", arg=drawn_before)  # drawn again
        page.keyboard.insert_text("Old Meera lived by the wide grey river.")

        expect(first_line).to_have_value("Old Meera lived by the wide grey river.")
        first_id = editor.locator(".board-shot").first.get_attribute("data-id")
        expect(page.locator("#board-changes")).to_have_text(
            re.compile(rf"Will be made again: {first_id}: its speech and picture"))
    assert offline_browser.refused == []


def test_the_page_at_phone_width_and_the_jobs_list(
    tmp_path: Path, fakes: FakeServices, offline_browser: OfflineBrowser
) -> None:
    with live_gateway(tmp_path, fakes) as url:
        page = offline_browser.context.new_page()
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(url)
        page.fill("#story", STORY)
        page.click("#job-form summary")
        page.fill("#max-minutes", "0.5")  # fractions of a minute are taken
        page.click("#submit")
        expect(page.locator("#job-state")).to_have_text("done", timeout=TIMEOUT_MS)
        entry = page.locator("#recent li").first
        expect(entry.locator(".recent-facts")).to_contain_text("done", timeout=TIMEOUT_MS)
        page.reload()
        expect(page.locator("#recent li .recent-facts").first).to_have_text(re.compile(r"^done, \d+"))
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the page is {width} px wide on a 390 px screen"
        page.screenshot(path=str(tmp_path / "phone.png"), full_page=True)
        with httpx.Client(base_url=url) as client:
            assert client.get("/v1/jobs").json()["jobs"][0]["options"]["max_minutes"] == 0.5


def test_a_film_longer_than_its_limit_says_so(
    tmp_path: Path, fakes: FakeServices, offline_browser: OfflineBrowser
) -> None:
    # The fake planner does not shorten the story, as a voice slower than the planner expects
    # would not: the measured film passes the limit, and the page says so instead of hiding it.
    with live_gateway(tmp_path, fakes) as url:
        page = offline_browser.context.new_page()
        page.goto(url)
        page.fill("#story", STORY)
        page.click("#job-form summary")
        page.fill("#max-minutes", "0.05")
        page.click("#submit")
        expect(page.locator("#job-state")).to_have_text("done", timeout=TIMEOUT_MS)
        expect(page.locator("#job-over-cap")).to_be_visible()
        expect(page.locator("#job-over-cap")).to_contain_text("over its limit of 3 s")
    assert offline_browser.refused == []


def test_the_page_says_what_the_plan_cut(
    tmp_path: Path, offline_browser: OfflineBrowser, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typing import Any

    from storyreel.planner.v1 import planner_service_pb2 as planner_pb
    from tests import gateway_fakes

    plan = gateway_fakes._Planner.Plan

    async def plan_with_notes(self: Any, request: planner_pb.PlanRequest, context: Any) -> planner_pb.PlanResponse:
        reply = await plan(self, request, context)
        reply.report.notes.append("to fit 0.5 min, kept 3 of 5 sentences")
        return reply

    monkeypatch.setattr(gateway_fakes._Planner, "Plan", plan_with_notes)  # before the server binds it
    fakes = FakeServices(tmp_path / "artifacts").start()
    try:
        with live_gateway(tmp_path, fakes) as url:
            page = a_film_on_the_page(offline_browser, url)
            expect(page.locator("#job-notes")).to_have_text("Shortened: to fit 0.5 min, kept 3 of 5 sentences")
    finally:
        fakes.stop()


def test_a_film_is_deleted_from_the_list_with_its_files(
    tmp_path: Path, fakes: FakeServices, offline_browser: OfflineBrowser
) -> None:
    with live_gateway(tmp_path, fakes) as url:
        page = a_film_on_the_page(offline_browser, url)
        with httpx.Client(base_url=url) as client:
            job_id = client.get("/v1/jobs").json()["jobs"][0]["id"]
        folder = fakes.files.path(f"jobs/{job_id}")
        assert folder.is_dir()
        page.once("dialog", lambda dialog: dialog.accept())
        page.locator(f"#recent li[data-id='{job_id}'] .delete").click()
        expect(page.locator("#recent li")).to_have_count(0, timeout=TIMEOUT_MS)
        expect(page.locator("#job")).to_be_hidden()
        with httpx.Client(base_url=url) as client:
            assert client.get(f"/v1/jobs/{job_id}").status_code == 404
        assert not folder.exists()
    assert offline_browser.refused == []


def test_a_late_answer_from_before_the_film_was_done_does_not_hide_its_delete_button(
    tmp_path: Path, fakes: FakeServices, offline_browser: OfflineBrowser
) -> None:
    """The list of recent films is asked for after the submit and again once the film is done; the
    first answer (the job still queued, no Delete button) is held back until the second is shown,
    as a busy gateway can answer them. The stale answer is ignored: the Delete button stays."""
    held: list[tuple[Route, APIResponse]] = []
    asked: list[str] = []

    def recent(route: Route) -> None:
        asked.append(route.request.url)
        if len(asked) != 2:  # the page's load asks first, the submit second, the film once done third
            route.continue_()
            return
        held.append((route, route.fetch()))  # answered now (the job not done), handed to the page later

    with live_gateway(tmp_path, fakes) as url:
        page = offline_browser.context.new_page()
        page.route("**/v1/jobs?limit=10", recent)
        page.goto(url)
        expect(page.locator("#recent")).to_be_attached()
        page.fill("#story", STORY)
        page.click("#submit")
        expect(page.locator("#job-state")).to_have_text("done", timeout=TIMEOUT_MS)
        delete = page.locator("#recent li .delete")
        expect(delete).to_have_count(1, timeout=TIMEOUT_MS)  # the ask once done, answered first
        assert len(held) == 1, "the ask after the submit was not held"
        route, stale = held[0]
        with page.expect_response("**/v1/jobs?limit=10"):
            route.fulfill(response=stale)
        page.evaluate("() => new Promise((settled) => setTimeout(settled, 200))")  # the page has read it
        expect(delete).to_have_count(1)
    assert offline_browser.refused == []


def test_the_voice_picker_plays_an_audition(
    tmp_path: Path, fakes: FakeServices, offline_browser: OfflineBrowser
) -> None:
    """Listen speaks the voice as set in the picker through the real audio service (espeak-ng) and plays it."""
    address = f"127.0.0.1:{free_port()}"
    env = {**os.environ, "STORYREEL_AUDIO_ADDRESS": address, "STORYREEL_AUDIO_METRICS_PORT": str(free_port()),
           "STORYREEL_ARTIFACT_ROOT": str(tmp_path / "artifacts")}
    audio = subprocess.Popen([sys.executable, "-m", "services.audio"], cwd=REPO_ROOT, env=env,
                             stderr=subprocess.DEVNULL)
    try:
        with ThreadPoolExecutor(1) as pool:  # Playwright's sync API holds this thread's event loop
            pool.submit(asyncio.run, wait_serving(address, "storyreel.audio.v1.AudioService", timeout_s=60)).result()
        with live_gateway(tmp_path, fakes, audio_address=address) as url:
            page = a_film_on_the_page(offline_browser, url)
            narrator = page.locator("#voices .voice").first
            narrator.locator(".voice-pitch").fill("20")
            narrator.locator(".voice-listen").click()
            player = narrator.locator(".voice-sample")
            expect(player).to_have_attribute("src", re.compile(r"^blob:"), timeout=TIMEOUT_MS)
            page.wait_for_function("document.querySelector('#voices .voice .voice-sample').currentTime > 0.3",
                                   timeout=TIMEOUT_MS)
            seconds = player.evaluate("audio => audio.duration")
            assert seconds > 1.5, f"the sample is {seconds} s long"
            expect(narrator.locator(".voice-said")).to_have_text("")
    finally:
        audio.terminate()
        audio.wait(10)
    assert offline_browser.refused == []


def test_a_preview_then_the_final_cut_with_one_button(
    tmp_path: Path, fakes: FakeServices, offline_browser: OfflineBrowser
) -> None:
    """After a preview, Make the final cut renders the pictures again at 720p and reuses the storyboard,
    speech and music."""
    with live_gateway(tmp_path, fakes) as url:
        page = offline_browser.context.new_page()
        page.goto(url)
        page.fill("#story", STORY)
        page.click("form details summary")
        page.select_option("#profile", "preview")
        page.click("#submit")
        expect(page.locator("#job-state")).to_have_text("done", timeout=TIMEOUT_MS)
        final = page.locator("#final-cut")
        expect(final).to_be_visible()
        preview_width = {shot_id: request.width for shot_id, request in fakes.requests.items()}
        spoken, planned = fakes.count("Speak"), fakes.count("Plan")
        page.select_option("#profile", "")  # the form names no quality: the final is 720p
        final.click()
        with httpx.Client(base_url=url) as client:
            job_id = client.get("/v1/jobs").json()["jobs"][0]["id"]
            deadline = time.monotonic() + TIMEOUT_MS / 1000
            while (job := client.get(f"/v1/jobs/{job_id}").json())["revision"] < 1 or job["state"] != "done":
                assert time.monotonic() < deadline, f"the final cut did not finish: {job['state']}"
                time.sleep(0.1)
        expect(page.locator("#job-state")).to_have_text("done", timeout=TIMEOUT_MS)
        expect(final).to_be_hidden()  # a 720p film needs no final cut
        assert job["options"]["profile"] == "720p"
        assert {shot_id: request.width for shot_id, request in fakes.requests.items()} == dict.fromkeys(
            preview_width, 1280), "every picture is made again at the final size"
        assert set(preview_width.values()) == {640}
        assert (fakes.count("Speak"), fakes.count("Plan")) == (spoken, planned), "speech or plan was made again"
    assert offline_browser.refused == []


def test_a_tall_film_from_the_page(tmp_path: Path, fakes: FakeServices, offline_browser: OfflineBrowser) -> None:
    """The form's Frame choice reaches the job: 9:16 draws every shot (and composes the film) on its side."""
    with live_gateway(tmp_path, fakes) as url:
        page = offline_browser.context.new_page()
        page.goto(url)
        page.fill("#story", STORY)
        page.click("form details summary")
        page.select_option("#profile", "preview")
        page.select_option("#aspect", "9:16")
        page.click("#submit")
        expect(page.locator("#job-state")).to_have_text("done", timeout=TIMEOUT_MS)
        sizes = {(request.width, request.height) for request in fakes.requests.values()}
        composed = fakes.compositions[-1].profile
    assert sizes == {(360, 640)}
    assert (composed.width, composed.height) == (360, 640)
    assert offline_browser.refused == []


def test_subtitles_chosen_in_the_form_reach_the_composer_and_the_switch_follows_the_film(
    tmp_path: Path, fakes: FakeServices, offline_browser: OfflineBrowser
) -> None:
    """Soft, large, at the top: the compose request says so, and the page shows the soft-track switch,
    on; a film burned in (the default) hides the switch and draws no track over the picture."""
    from storyreel.composer.v1 import composer_service_pb2 as composer_pb

    showing = "[...document.getElementById('film').textTracks].filter(t => t.mode === 'showing').length"
    with live_gateway(tmp_path, fakes) as url:
        page = offline_browser.context.new_page()
        page.goto(url)
        page.fill("#story", STORY)
        page.click("form details summary")
        page.select_option("#subtitle-mode", "soft")
        page.select_option("#subtitle-size", "large")
        page.select_option("#subtitle-position", "top")
        page.click("#submit")
        expect(page.locator("#job-state")).to_have_text("done", timeout=TIMEOUT_MS)
        sent = fakes.compositions[-1].subtitles
        assert (sent.mode, sent.size, sent.position) == (
            composer_pb.SUBTITLE_MODE_SOFT, composer_pb.SUBTITLE_SIZE_LARGE, composer_pb.SUBTITLE_POSITION_TOP)
        switch = page.locator("#soft-subtitles")
        expect(page.locator("#soft-subtitles-label")).to_be_visible(timeout=TIMEOUT_MS)
        expect(switch).to_be_checked()
        assert page.evaluate(showing) == 1
        switch.uncheck()
        assert page.evaluate(showing) == 0

        # Burned in, chosen in the form, then Render again: each finished clip (the default) is made
        # again with its subtitles, and the film composed again; no speech, music or cast again.
        before = fakes.calls.copy()
        page.select_option("#subtitle-mode", "burned")
        page.click("#resume")
        expect(page.locator("#soft-subtitles-label")).to_be_hidden(timeout=TIMEOUT_MS)
        expect(page.locator("#job-state")).to_have_text("done", timeout=TIMEOUT_MS)
        redone = {key: n - before[key] for key, n in fakes.calls.items() if n > before[key]}
        assert redone == {("Compose", ""): 1, **{("RenderShot", shot): 1 for shot in fakes.requests}}
        sent = fakes.compositions[-1].subtitles
        assert (sent.mode, sent.size, sent.position) == (
            composer_pb.SUBTITLE_MODE_BURNED, composer_pb.SUBTITLE_SIZE_LARGE, composer_pb.SUBTITLE_POSITION_TOP)

        page.goto(url)  # a new job with the form's defaults: the composer burns them in
        page.fill("#story", STORY)
        page.click("#submit")
        expect(page.locator("#job-state")).to_have_text("done", timeout=TIMEOUT_MS)
        page.wait_for_function("document.getElementById('film').textTracks.length === 1", timeout=TIMEOUT_MS)
        assert not fakes.compositions[-1].HasField("subtitles")
        expect(page.locator("#soft-subtitles-label")).to_be_hidden()
        assert page.evaluate(showing) == 0
    assert offline_browser.refused == []
