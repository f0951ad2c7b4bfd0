"""Browser test harness: Playwright (sync API) driving Debian's Chromium.

Loaded for every test by the root conftest.py (pytest_plugins), so app test
folders use it too. One Playwright instance per session: a second
`sync_playwright()` in the same session fails ("Sync API inside the asyncio
loop"), so tests must not start their own; use these fixtures.

    def test_something(page, screenshot):
        page.goto("/accounts/signup/")   # relative to the live server
        screenshot("signup")             # test-artifacts/browser/<test>/01-signup.png

    def test_webcam(launch_browser, new_page):
        browser = launch_browser("--use-fake-device-for-media-stream")   # extra Chromium flags
        page = new_page(browser=browser, permissions=["camera"])

Fixtures: playwright (session), browser (session, default flags),
launch_browser(*extra_args), new_page(viewport=DESKTOP, browser=None, user=None, **context_options),
page (desktop), screenshot(label, page=None). Every request to a host other than
the live server is blocked and recorded in `page.external_requests`, so a test
can assert the app works offline.
"""

import os
import re
import shutil
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "browser"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def chromium_path() -> str:
    configured = os.environ.get("CHROMIUM_PATH")
    if configured:
        if not Path(configured).exists():
            pytest.fail(f"CHROMIUM_PATH={configured} does not exist")
        return configured
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        pytest.skip("Chromium is not installed (bin/test installs it: apt-get install chromium)")
    return found


@pytest.fixture(scope="session")
def playwright():
    from playwright.sync_api import sync_playwright

    # Playwright's sync API installs an event loop in this thread for the rest of
    # the session; Django's ORM would then refuse every call as "async unsafe".
    # Subprocesses that must look deployed (workers, check --deploy) drop it again.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as instance:
        yield instance


@pytest.fixture(scope="session")
def browser(playwright):
    browser = playwright.chromium.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def launch_browser(playwright):
    """Factory: a Chromium with extra flags (e.g. a fake camera), closed after the test."""
    launched = []

    def launch(*extra_args: str):
        browser = playwright.chromium.launch(
            executable_path=chromium_path(), headless=True, args=[*CHROMIUM_ARGS, *extra_args]
        )
        launched.append(browser)
        return browser

    yield launch
    for browser in launched:
        browser.close()


@pytest.fixture
def new_page(browser, live_server):
    """Factory for pages on the live server: `new_page(viewport=PHONE, user=alice)`.

    With `user`, the page starts logged in as that user (a session made the way
    Client.force_login makes one, so no login form or lockout is involved)."""
    from django.conf import settings
    from django.test import Client

    contexts = []
    host = live_server.url.split("://", 1)[1]

    def make(viewport=DESKTOP, browser=browser, user=None, **context_options):
        context = browser.new_context(base_url=live_server.url, viewport=viewport, **context_options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        if user is not None:
            client = Client()
            client.force_login(user)
            cookie = client.cookies[settings.SESSION_COOKIE_NAME]
            context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
        page = context.new_page()
        page.external_requests = []

        def guard(route):
            url = route.request.url
            if url.split("://", 1)[-1].split("/", 1)[0] == host or url.startswith(("data:", "blob:")):
                route.continue_()
            else:
                page.external_requests.append(url)
                route.abort()

        context.route("**/*", guard)
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


def _safe(name: str) -> str:
    return re.sub(r"[^\w.-]+", "_", name).strip("_")


@pytest.fixture
def screenshot(request):
    """`screenshot(label, page=None)` saves a full-page PNG under test-artifacts/ (git-ignored)."""
    folder = ARTIFACTS / _safe(request.node.name)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    count = 0

    def take(label: str, page=None) -> Path:
        nonlocal count
        count += 1
        target = page or request.getfixturevalue("page")
        path = folder / f"{count:02d}-{_safe(label)}.png"
        target.screenshot(path=str(path), full_page=True)
        return path

    return take


def wait_for_js(page, expression: str, timeout: float = 10.0, interval: float = 0.05):
    """Poll `expression` until it is truthy, like page.wait_for_function.

    wait_for_function polls with eval() inside the page, which the site's strict
    CSP forbids ('unsafe-eval'); page.evaluate runs through the DevTools protocol,
    which the CSP does not govern.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = page.evaluate(expression)
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"{expression!r} still false after {timeout}s")


def _serving(settings, urlconf: str):
    settings.ROOT_URLCONF = urlconf
    from django.urls import clear_url_caches

    clear_url_caches()
    yield
    clear_url_caches()


@pytest.fixture
def preview_urls(settings):
    """The site's URLs plus previews the test server makes (music.tests.preview_urls): the player and
    live mode show as they do live, and nothing leaves the machine."""
    yield from _serving(settings, "music.tests.preview_urls")


@pytest.fixture
def site_urls(settings):
    """The site's own URLs, for a test module whose neighbours serve previews."""
    yield from _serving(settings, "symphony.urls")
