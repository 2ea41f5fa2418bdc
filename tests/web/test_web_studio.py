"""The page and the API docs in headless Chromium with no network, against a real gateway (uvicorn)
in front of fast fake services: /docs and /redoc render from local files, a cancelled job can be
resumed from the page, and the page's scene states follow the job's."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

from tests.gateway_fakes import STORY, FakeServices, live_gateway
from tests.web.conftest import OfflineBrowser

pytestmark = pytest.mark.e2e

TIMEOUT_MS = 30_000


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
