"""A real Chromium (Debian's) driven by Playwright against the app served on a loopback port."""
import os
import re
import shutil
import threading
from pathlib import Path

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from tests.cases.conftest import center  # noqa: F401  (the fixture, for the case journeys)
from tests.conftest import PASSWORD

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM):
        if os.environ.get("CI") == "true":
            pytest.fail(f"Chromium is missing at {CHROMIUM}; .ci/run installs Debian's chromium package")
        pytest.skip(f"no Chromium at {CHROMIUM} (install Debian's chromium package to run browser tests)")
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture
def live_server(app):
    """Serve the test app on a free loopback port for the length of one test."""
    app.config.update(SERVER_NAME=None)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


BROWSER_LOCALES = {"zh": "zh-CN", "en": "en-US"}


@pytest.fixture
def page(browser, request):
    """A browser tab; a test parametrised with `language` gets a browser set to that language.
    Every page the tab shows is checked with axe-core (see `AccessibilityAudit`)."""
    callspec = getattr(request.node, "callspec", None)
    language = callspec.params.get("language", "en") if callspec else "en"
    context = browser.new_context(locale=BROWSER_LOCALES[language], viewport={"width": 1280, "height": 900},
                                  reduced_motion="reduce")  # no half-faded element for axe to misjudge
    context.set_default_timeout(10_000)
    page = context.new_page()
    audit = AccessibilityAudit(page)
    yield page
    ARTIFACTS.mkdir(exist_ok=True)
    name = "".join(c if c.isalnum() or c in "-_" else "_" for c in request.node.name)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    audit.wait_for_checks()
    context.close()
    if audit.violations:
        pytest.fail(audit.report(), pytrace=False)


AXE_SCRIPT = Path(__file__).with_name("node_modules") / "axe-core" / "axe.min.js"
AXE_RUNNER = """
if (window === window.top && location.protocol.startsWith("http")) {
  window.addEventListener("load", async () => {
    window.__axeStarted();
    const results = await axe.run(document, {resultTypes: ["violations"]});
    window.__axeReport(location.href, results.violations
      .filter(v => v.impact === "serious" || v.impact === "critical")
      .map(v => ({rule: v.id, impact: v.impact, nodes: v.nodes.map(n => ({
        target: n.target.join(" "), message: [...n.any, ...n.all, ...n.none].map(check => check.message).join("; "),
      }))})));
  });
}
"""
AXE_WAIT_MS = 15_000


class AccessibilityAudit:
    """Checks every page a tab shows with axe-core, and keeps the serious and critical violations.

    axe runs inside each page once it has loaded (an init script, which the Content-Security-Policy does
    not govern), and a navigation is held (a route) until the page being left has been checked, so no loaded
    page of a journey goes unchecked however the journey left it (goto, link, form). A page left before it
    finished loading is not checked: holding the navigation then would also hold the page's own requests
    (routes are handled one at a time), and its load would never come."""

    def __init__(self, page):
        if not AXE_SCRIPT.exists():
            pytest.fail(f"axe-core is missing at {AXE_SCRIPT}: run `npm ci --prefix tests/browser`", pytrace=False)
        self.page = page
        self.unchecked = 0  # pages that have started but not yet reported
        self.violations: dict[tuple[str, str, str], list[str]] = {}  # (rule, target, message): the pages
        page.expose_binding("__axeStarted", self._started)
        page.expose_binding("__axeReport", self._report)
        page.add_init_script(script=AXE_SCRIPT.read_text() + AXE_RUNNER)
        page.route("**/*", self._before_request)

    def _started(self, source):
        self.unchecked += 1

    def _report(self, source, url, violations):
        self.unchecked -= 1
        for violation in violations:
            for node in violation["nodes"]:
                found = (violation["rule"], node["target"], f"{violation['impact']}: {node['message']}")
                pages = self.violations.setdefault(found, [])
                if url not in pages:
                    pages.append(url)

    def _before_request(self, route):
        request = route.request
        if request.is_navigation_request() and request.frame == self.page.main_frame:
            self.wait_for_checks()
        route.fallback()

    def wait_for_checks(self) -> None:
        for _ in range(AXE_WAIT_MS // 50):
            if self.unchecked <= 0:
                return
            self.page.wait_for_timeout(50)
        self.unchecked = 0  # the pages left unchecked fail the test; later ones are still checked
        self.violations[("unchecked", "page", f"axe-core did not finish in {AXE_WAIT_MS} ms")] = [self.page.url]

    def report(self) -> str:
        lines = ["axe-core found serious or critical accessibility violations:"]
        for (rule, target, message), pages in self.violations.items():
            lines.append(f"- {rule} at {target} ({message})\n    on {', '.join(pages)}")
        return "\n".join(lines)


def log_in(page, base: str, user, password: str = PASSWORD) -> None:
    page.goto(f"{base}/login")
    page.fill("#email", user if isinstance(user, str) else user.email)
    page.fill("#password", password)
    submit(page, "#login-form [type=submit]")


def forget_login(page) -> None:
    """Log out by forgetting the session cookie (on a phone the menu is folded away). The page is left first: a
    request of it still under way (the icon, a script) would bring the refreshed session cookie back."""
    page.goto("about:blank")
    page.context.clear_cookies()


def log_out(page) -> None:
    page.click("#user-menu")
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile("Log out|退出")).click()


def submit(page, selector: str) -> None:
    """Click a button that submits a form, and wait for the page that answers."""
    with page.expect_navigation():
        page.click(selector)
    page.wait_for_load_state("load")  # Bootstrap's script is bound once the page has loaded


def perform(page, action: str, **fields) -> None:
    """Open an action on the case page, fill its inputs, and do it."""
    page.wait_for_load_state("load")
    page.click(f"#open-{action}")
    expect(page.locator(f"#action-{action}")).to_have_class(re.compile(r"(^|\s)show(\s|$)"))
    form = f"#form-{action}"
    for name, value in fields.items():
        if name == "files":
            page.set_input_files(f"{form} input[name=files]", files=value)
        else:
            page.fill(f"{form} [name={name}]", value)
    submit(page, f"#do-{action}")
