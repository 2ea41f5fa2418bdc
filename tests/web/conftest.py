"""Headless Chromium (Debian's, driven by Playwright) with no network: every request that is not
to this machine is refused and recorded, so a page that needs the internet fails its test."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import BrowserContext, Route, sync_playwright

from tests.gateway_fakes import FakeServices

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--autoplay-policy=no-user-gesture-required",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


class OfflineBrowser:
    def __init__(self, context: BrowserContext) -> None:
        self.context = context
        self.refused: list[str] = []  # URLs the pages asked for off this machine

    def _route(self, route: Route) -> None:
        url = route.request.url
        if urlsplit(url).hostname in LOCAL_HOSTS or url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            self.refused.append(url)
            route.abort("internetdisconnected")


@pytest.fixture
def offline_browser(tmp_path: Path) -> Iterator[OfflineBrowser]:
    if shutil.which(CHROMIUM) is None:
        pytest.fail(f"{CHROMIUM} is missing: run bash scripts/setup_browser.sh")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=CHROMIUM, headless=True, args=FLAGS,
            viewport={"width": 1280, "height": 900},
        )
        browser = OfflineBrowser(context)
        context.route("**/*", browser._route)
        yield browser
        context.close()


@pytest.fixture
def fakes(tmp_path: Path) -> Iterator[FakeServices]:
    services = FakeServices(tmp_path / "artifacts").start()
    yield services
    services.stop()
