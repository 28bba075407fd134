"""One headless Chromium for the browser tests: Debian's (``make system-deps`` installs
it), driven by Playwright for Python, never a browser Playwright downloads. Each test opens
its own page in the shared context; screenshots go to test-artifacts/ (git-ignored)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def browser_context(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    if shutil.which(CHROMIUM) is None:  # pragma: no cover - make test installs it
        pytest.fail(f"{CHROMIUM} is missing: run `make system-deps` (apt-get install chromium)")
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=CHROMIUM,
            headless=True,
            args=ARGS,
            viewport=DESKTOP,
            # No network beyond the local gateway and moto: nothing else is reachable.
            service_workers="block",
        )
        context.set_default_timeout(20_000)
        try:
            yield context
        finally:
            context.close()


@pytest.fixture
def page(browser_context: Any) -> Iterator[Any]:
    page = browser_context.new_page()
    page.set_viewport_size(DESKTOP)
    problems: list[str] = []
    # A CSP violation or a failed asset shows up as a console error: the tests want none.
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.problems = problems
    try:
        yield page
    finally:
        page.close()


def screenshots(page: Any, name: str) -> list[Path]:
    """The page at desktop and phone widths, full length, under test-artifacts/."""
    ARTIFACTS.mkdir(exist_ok=True)
    saved = []
    for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        safe = re.sub(r"[^\w-]", "_", name)
        path = ARTIFACTS / f"{safe}-{label}.png"
        page.screenshot(path=str(path), full_page=True)
        saved.append(path)
        if label == "phone":
            # Readable on a phone: nothing makes the page scroll sideways (wide tables
            # scroll inside their own box).
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= size["width"], f"{name}: {width}px wide on a {size['width']}px phone"
    page.set_viewport_size(DESKTOP)
    return saved
