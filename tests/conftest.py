from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from spendgate.cli.main import run

TESTS = Path(__file__).parent
PROJECT = TESTS.parent
FIXTURES = TESTS / "fixtures"
EXAMPLES = PROJECT / "examples"
ARTIFACTS = TESTS / "artifacts"
"""Screenshots the browser tests keep for people to look at (git-ignored)."""
CHROMIUM = Path("/usr/bin/chromium")
AXE = PROJECT / "node_modules" / "axe-core" / "axe.min.js"
"""Deque's axe-core, the accessibility checker (package.json; `scripts/test` installs it)."""
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="Rewrite the golden files under tests/golden/ from the current output.",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    """Whether this run rewrites golden files instead of comparing with them."""
    return bool(request.config.getoption("--update-golden"))


@dataclass(frozen=True)
class Outcome:
    exit_code: int
    stdout: str
    stderr: str


Cli = Callable[..., Outcome]


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Cli:
    """Run spendgate in-process through its real entry point; capture what it prints."""

    def invoke(*arguments: str | Path) -> Outcome:
        capsys.readouterr()
        code = run([str(argument) for argument in arguments])
        captured = capsys.readouterr()
        return Outcome(code, captured.out, captured.err)

    return invoke


@pytest.fixture
def minimal_repo(tmp_path: Path) -> Path:
    """A copy of the smallest valid governance repository, free to be broken by the test."""
    target = tmp_path / "repo"
    shutil.copytree(FIXTURES / "minimal", target)
    return target


# --- one headless Chromium (Debian's, driven by Playwright) for every browser test -----------


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    assert CHROMIUM.is_file(), "install Debian's chromium (bash scripts/test does)"
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


def axe_violations(page: Page) -> list[str]:
    """Run axe-core on the page as it stands: each violation as `rule-id: target`, one per
    element, so that a failing assertion names what to fix."""
    assert AXE.is_file(), "install the npm packages: npm ci (bash scripts/test does)"
    page.add_script_tag(path=str(AXE))
    return list(
        page.evaluate(
            """async () => {
              const results = await axe.run(document);
              return results.violations.flatMap((violation) =>
                violation.nodes.map((node) => violation.id + ": " + node.target.join(" ")));
            }"""
        )
    )


GitUser = Callable[[str], None]


@pytest.fixture
def git_user(monkeypatch: pytest.MonkeyPatch) -> GitUser:
    """Say who is at the keyboard, as git (and so `spendgate approve`) sees it: the author
    git would commit as, whatever this machine's git configuration says."""

    def become(email: str) -> None:
        monkeypatch.setenv("GIT_AUTHOR_NAME", email.partition("@")[0])
        monkeypatch.setenv("GIT_AUTHOR_EMAIL", email)

    return become
