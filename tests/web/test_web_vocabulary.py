"""The re-roll box says, as the user types, which of the prompt's words the job's visual backend
will draw and which it cannot (headless Chromium, no network, a real gateway in front of the fake
services, whose DescribeBackend checks prompts with the real animatic's vocabulary)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from storyreel.visual.v1 import visual_service_pb2 as visual_pb
from tests.gateway_fakes import STORY, FakeServices, live_gateway
from tests.web.conftest import OfflineBrowser

pytestmark = pytest.mark.e2e

TIMEOUT_MS = 30_000
SHOT_PNG = os.environ.get("WEB_TEST_REROLL_PNG", "")
"""Where to keep a picture of the re-roll box, to look at it."""


def test_typing_a_reroll_prompt_shows_the_words_drawn_and_not(
    tmp_path: Path, fakes: FakeServices, offline_browser: OfflineBrowser
) -> None:
    with live_gateway(tmp_path, fakes) as url:
        page = offline_browser.context.new_page()
        page.goto(url)
        page.fill("#story", STORY)
        page.locator("#visual-backend").evaluate("input => { input.value = 'animatic'; }")  # in the closed options
        page.click("#submit")
        expect(page.locator("#job-state")).to_have_text("done", timeout=TIMEOUT_MS)
        shot = page.locator("#shots .shot").first
        shot.locator("summary").click()
        box, note = shot.locator("textarea"), shot.locator(".reroll-words")
        box.fill("")
        box.press_sequentially("a lantern by the boats and a windmill", delay=10)  # typed, not pasted
        expect(note).to_have_text("The animatic will draw: lantern, boats · it cannot draw: windmill",
                                  timeout=TIMEOUT_MS)  # fmt: skip
        checks = len(fakes.describes)
        box.fill("नावें और पवनचक्की")
        expect(note).to_have_text("The animatic will draw: नावें · it cannot draw: पवनचक्की", timeout=TIMEOUT_MS)
        assert fakes.describes[-1].prompt == "नावें और पवनचक्की"
        assert fakes.describes[-1].backend == visual_pb.VISUAL_BACKEND_ANIMATIC  # the job's backend
        assert len(fakes.describes) == checks + 1, "each change is checked once, after the typing stops"
        shot.screenshot(path=str(SHOT_PNG or tmp_path / "reroll-words.png"))
    assert offline_browser.refused == []
