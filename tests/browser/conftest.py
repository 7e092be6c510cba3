"""Real Chromium (Debian's, through Playwright) against pytest-django's live server.

The live server runs in a thread of the test process. The journeys (marked `broker`) send their tasks through
the real broker to a real Celery worker in another thread (`worker`), so the test, the server and the worker
share one database and one locmem mail outbox; other browser tests run tasks in-process.

Every page a test audits is checked with axe-core and for Content-Security-Policy violations, and photographed.
"""

import os
import re
import time
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from tests.factories import PASSWORD

# The real worker and its record of finished tasks, shared with the broker tests of the outbox.
from tests.members.test_outbox_broker import finished, worker  # noqa: F401
from tests.totp import current_code

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
# Recorded in every page before its own scripts run (an init script is not subject to the page's CSP).
CSP_LISTENER_JS = """document.addEventListener('securitypolicyviolation', (event) => {
  (window.__cspViolations = window.__cspViolations || []).push(
    `${event.violatedDirective} blocked ${event.blockedURI || 'inline'} at ${event.sourceFile}:${event.lineNumber}`);
});"""
# Words that read the same in Dutch and English; every other text must have a Dutch translation.
SAME_IN_BOTH = {"Feedback", "Website"}
CSP_CONSOLE = re.compile(r"Content[ -]Security[ -]Policy", re.IGNORECASE)
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

    def open_page(viewport=None):
        context = browser.new_context(
            base_url=live_server.url, locale="nl-NL", viewport=viewport or {"width": 1280, "height": 900}
        )
        context.set_default_timeout(10_000)
        context.add_init_script(CSP_LISTENER_JS)
        contexts.append(context)
        page = context.new_page()
        page.csp_console = []
        page.on("console", lambda message: CSP_CONSOLE.search(message.text) and page.csp_console.append(message.text))
        return page

    yield open_page
    # The console saw every page each person opened, audited or not: none may have had a CSP violation.
    reported = [text for context in contexts for page in context.pages for text in page.csp_console]
    for context in contexts:
        context.close()
    assert not reported, f"the Content-Security-Policy blocked something: {reported}"


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


def csp_violations(page) -> list[str]:
    """What the page's Content-Security-Policy blocked since it opened: the console's reports and the
    `securitypolicyviolation` events of the document now shown."""
    return list(page.csp_console) + page.evaluate("window.__cspViolations || []")


@pytest.fixture
def audit(axe_check, screenshot):
    """Return `audit(page, name)`: check the page with axe-core, fail on any CSP violation, keep a screenshot."""

    def check(page, name):
        page.wait_for_load_state("load")
        axe_check(page)
        violations = csp_violations(page)
        assert not violations, f"the Content-Security-Policy blocked something on {page.url}: {violations}"
        screenshot(page, name)

    return check


def log_in(page, email, password=PASSWORD, *, by_keyboard=False):
    """Sign in through the login page, as a person would: the one way every browser test signs in. With
    `by_keyboard` the fields are reached with Tab and typed into, as a keyboard user does."""
    if not re.search(r"/accounts/login/", page.url):
        page.goto("/accounts/login/")
    login, secret = page.locator("input[name=login]"), page.locator("input[name=password]")
    if by_keyboard:
        tab_to(page, login)
        page.keyboard.type(email)
        tab_to(page, secret, limit=5)
        page.keyboard.type(password)
    else:
        login.fill(email)
        secret.fill(password)
    secret.press("Enter")
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
    if re.search(r"/accounts/2fa/authenticate/", page.url):
        code = page.locator("input[name=code]")
        code.fill(_next_unused_code(email))
        code.press("Enter")
        expect(page).not_to_have_url(re.compile(r"/accounts/2fa/authenticate/"))


_codes_used: dict[str, set[str]] = {}


def _next_unused_code(email):
    """The code the person's authenticator app shows: allauth takes each code once, so a second login within the
    same 30 seconds types the next one (one step of drift is accepted)."""
    user = get_user_model().objects.get(email=email)
    used = _codes_used.setdefault(email, set())
    code = next(c for c in (current_code(user), current_code(user, steps=1)) if c not in used)
    used.add(code)
    return code


def tr(language, msgid, **values):
    """What a reader of `language` sees for `msgid`; fails when the Dutch translation is missing."""
    with translation.override(language):
        text = gettext(msgid)
    if language == "nl" and msgid not in SAME_IN_BOTH:
        assert text != msgid, f"no Dutch translation for {msgid!r}"
    return text % values if values else text


def main_nav(page):
    return page.get_by_role("navigation").first


def open_from_inbox(page, language, title):
    """Open the inbox from the navigation and follow the notification with this title."""
    main_nav(page).get_by_role("link", name=re.compile(rf"^{tr(language, 'Inbox')}")).click()
    expect(page.get_by_role("listitem").filter(has_text=title)).to_be_visible()
    page.get_by_role("button", name=re.compile(rf"^{tr(language, 'Open')}\s*:\s*{re.escape(title)}$")).click()


def tab_to(page, target, limit=120):
    """Press Tab until `target` has the focus, as a keyboard user would; fail if it is never reached."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return
    pytest.fail(f"{target} was not reached with {limit} presses of Tab")


def wait_for(condition, what, timeout=20.0):
    """Poll until `condition()` is true (what the worker does arrives within seconds); fail after `timeout`."""
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        if time.monotonic() > deadline:
            pytest.fail(f"waited {timeout}s for {what}")
        time.sleep(0.05)
    return result


def emails_to(mailoutbox, email):
    """The subjects of the emails sent to `email`, in order."""
    return [message.subject for message in mailoutbox if message.to == [email]]


@pytest.fixture
def screenshot():
    """Return `screenshot(page, name)`: save a full-page PNG in screenshots/ for a human to look at."""
    SCREENSHOTS.mkdir(exist_ok=True)

    def take(page, name):
        page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)

    return take
