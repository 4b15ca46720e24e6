"""Driving Debian's Chromium through Playwright (no browser download)."""

import os
from contextlib import contextmanager
from pathlib import Path

from django.db import connections
from playwright.sync_api import sync_playwright

from tests.services_available import CHROMIUM

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@contextmanager
def chromium():
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # between page actions are ordinary synchronous calls, so Django may allow them.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            # Queries the test made while Playwright's loop was running opened connections in
            # that context; close them here, or the test database cannot be dropped afterwards.
            connections.close_all()
            browser.close()


def sign_in(browser, base_url: str, username: str, password: str):
    page = browser.new_page(viewport={"width": 1360, "height": 900})
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    return page


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
