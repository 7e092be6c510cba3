"""Real Chromium (Debian's, through Playwright) against pytest-django's live server.

The live server runs in a thread of the test process, so the test, the server and the in-process Celery
tasks share one database and one locmem mail outbox.
"""

import os
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
AXE_JS = BASE_DIR / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = BASE_DIR / "screenshots"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING_IMPACTS = {"serious", "critical"}
AXE_RUN_JS = """async (tags) => await axe.run(document, {
  runOnly: {type: 'tag', values: tags},
  resultTypes: ['violations'],
})"""
DUPLICATE_IDS_JS = """() => {
  const counts = {};
  for (const element of document.querySelectorAll('[id]')) counts[element.id] = (counts[element.id] || 0) + 1;
  return Object.keys(counts).filter((id) => counts[id] > 1);
}"""


@pytest.fixture(scope="package")
def browser():
    """One Chromium for all browser tests, closed when they are done.

    Playwright's sync API keeps an event loop running in the test thread for as long as it is open, and
    Django refuses ORM calls from a thread with a running loop, such as the tests' own and the flush after
    each. So async-unsafe calls are allowed exactly while the browser is open, not for the rest of the
    session (`manage.py check --deploy` in a later test would warn about the variable).
    """
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser, live_server, reference_data):
    """Open a page in a fresh browser context (own cookies): one per person in a journey.

    The browser asks for Dutch, as most visitors' browsers in the region do."""
    contexts = []

    def open_page():
        context = browser.new_context(base_url=live_server.url, locale="nl-NL", viewport={"width": 1280, "height": 900})
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture(autouse=True)
def plain_http(settings):
    """The live server speaks plain HTTP: a cookie marked Secure would never come back."""
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.LANGUAGE_COOKIE_SECURE = False


def _format_violations(violations) -> str:
    lines = []
    for violation in violations:
        lines.append(f"[{violation['impact']}] {violation['id']}: {violation['help']} ({violation['helpUrl']})")
        for node in violation["nodes"][:5]:
            lines.append(f"    at {' '.join(map(str, node['target']))}")
            lines.append(f"       {node['html'][:200]}")
            summary = (node.get("failureSummary") or "").replace("\n", "\n       ")
            if summary:
                lines.append(f"       {summary}")
        if len(violation["nodes"]) > 5:
            lines.append(f"    … and {len(violation['nodes']) - 5} more")
    return "\n".join(lines)


@pytest.fixture(scope="session")
def axe_source():
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS} is missing: run `npm ci`")
    return AXE_JS.read_text(encoding="utf-8")


@pytest.fixture
def axe_check(axe_source):
    """Return `axe_check(page)`: run axe-core on the page and fail on serious or critical WCAG 2.2 AA
    violations.

    The site's CSP forbids inline scripts, so axe is not added as a <script> tag but evaluated through the
    DevTools protocol, which the page's CSP does not govern."""

    def check(page):
        page.evaluate(axe_source)
        result = page.evaluate(AXE_RUN_JS, AXE_TAGS)
        blocking = [v for v in result["violations"] if v["impact"] in BLOCKING_IMPACTS]
        assert not blocking, f"axe found accessibility problems on {page.url}:\n{_format_violations(blocking)}"
        # axe only lists a repeated id as "needs review", yet a label or aria-describedby pointing at it
        # may then name or describe the wrong element.
        duplicates = page.evaluate(DUPLICATE_IDS_JS)
        assert not duplicates, f"ids used more than once on {page.url}: {duplicates}"
        return result

    return check


@pytest.fixture
def screenshot():
    """Return `screenshot(page, name)`: save a full-page PNG in screenshots/ for a human to look at."""
    SCREENSHOTS.mkdir(exist_ok=True)

    def take(page, name):
        page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)

    return take
