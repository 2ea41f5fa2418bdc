"""The page's cast: a card per character with their picture; Another take and Use my picture
re-render that character's shots alone; a broken picture is refused with the gateway's reason."""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from tests.gateway_fakes import STORY, FakeServices, live_gateway
from tests.web.conftest import OfflineBrowser

pytestmark = pytest.mark.e2e

TIMEOUT_MS = 30_000
MEERAS_SHOTS = {"s01_01", "s03_01"}


def _until(page: Page, condition: Callable[[], bool], what: str) -> None:
    """Wait in Playwright's own wait: the offline route answers the page's requests only while
    the test is inside a Playwright call (a time.sleep would hold them)."""
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while not condition():
        assert time.monotonic() < deadline, what
        page.wait_for_timeout(50)


def test_the_cast_cards_show_pictures_and_take_another_take_and_an_upload(
    tmp_path: Path, fakes: FakeServices, offline_browser: OfflineBrowser
) -> None:
    mine = tmp_path / "meera.png"
    picture = io.BytesIO()
    Image.new("RGB", (60, 90), (200, 30, 40)).save(picture, format="PNG")
    mine.write_bytes(picture.getvalue())
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n not really")
    with live_gateway(tmp_path, fakes) as url:
        page = offline_browser.context.new_page()
        page.goto(url)
        page.fill("#story", STORY)
        page.click("#submit")
        expect(page.locator("#job-state")).to_have_text("done", timeout=TIMEOUT_MS)
        card = page.locator("#cast .cast-card")
        expect(card).to_have_count(1, timeout=TIMEOUT_MS)
        expect(card.locator(".cast-name")).to_have_text("Meera")
        expect(card.locator(".cast-look")).to_have_text("an old woman in a blue shawl")
        expect(card.locator(".cast-source")).to_have_text("take 1", timeout=TIMEOUT_MS)
        image = card.locator("img.cast-picture")
        expect(image).to_be_visible()
        page.wait_for_function("document.querySelector('#cast img.cast-picture').naturalWidth === 768")

        renders = {shot: fakes.count("RenderShot", shot) for shot in fakes.requests}
        card.locator(".cast-take").click()
        _until(page, lambda: fakes.count("RenderReference", "meera") == 2, "no new take was drawn")
        expect(page.locator("#job-state")).to_have_text("done", timeout=TIMEOUT_MS)
        expect(card.locator(".cast-source")).to_have_text("take 2", timeout=TIMEOUT_MS)
        again = {shot for shot, count in renders.items() if fakes.count("RenderShot", shot) > count}
        assert again == MEERAS_SHOTS
        job_id = httpx.get(f"{url}/v1/jobs").json()["jobs"][0]["id"]
        final = httpx.get(f"{url}/v1/jobs/{job_id}/characters").json()[0]["links"]["picture"]
        expect(image).to_have_attribute("src", final, timeout=TIMEOUT_MS)  # the new take's picture is shown

        card.locator("input[type=file]").set_input_files(str(mine))
        _until(page, lambda: any(r.upload_key for r in fakes.reference_requests), "the picture never reached the cast")
        expect(page.locator("#job-state")).to_have_text("done", timeout=TIMEOUT_MS)
        expect(page.locator("#cast .cast-source")).to_have_text("your picture", timeout=TIMEOUT_MS)
        page.wait_for_function("document.querySelector('#cast img.cast-picture').naturalWidth === 60")

        page.locator("#cast input[type=file]").set_input_files(str(broken))
        expect(page.locator("#cast-error")).to_contain_text("not a picture Pillow can read", timeout=TIMEOUT_MS)
        expect(page.locator("#cast .cast-source")).to_have_text("your picture")
        page.screenshot(path=str(tmp_path / "cast.png"), full_page=True)
    assert offline_browser.refused == []
