"""The HTML report as a person sees it, in headless Chromium (Debian's chromium and chromium-driver,
driven by Selenium): it renders, the verdict and the requirement table are visible, a failure's
evidence is one click away, and the page logs no console error."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from conformance.catalogue import REQUIREMENTS

from .servers import DropsLastSecret

pytestmark = pytest.mark.slow  # every test here starts a process (`make test-fast` leaves them out)

CHROMEDRIVER = shutil.which("chromedriver")
if CHROMEDRIVER is None and not os.environ.get("CI"):
    pytest.skip("chromium-driver is not installed (CI installs it; apt-get install chromium chromium-driver)", allow_module_level=True)


@pytest.fixture(scope="module")
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    assert CHROMEDRIVER, "chromium-driver must be installed in CI"
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for flag in (
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", f"--user-data-dir={tempfile.mkdtemp()}", "--window-size=1400,1200",
    ):  # fmt: skip
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    yield driver
    driver.quit()


def test_the_report_shows_the_verdict_and_requirements_and_logs_no_error(browser, serve, run_suite, tmp_path) -> None:
    from selenium.webdriver.common.by import By

    served = serve(DropsLastSecret)
    run = run_suite("--base-url", served.url, "--token", served.token)
    report = run.reports / "report.html"
    browser.get(Path(report).resolve().as_uri())

    verdict = browser.find_element(By.ID, "verdict")
    assert verdict.is_displayed()
    assert verdict.text.startswith("Verdict: NOT CONFORMANT")

    table = browser.find_element(By.ID, "requirements")
    assert table.is_displayed()
    rows = table.find_elements(By.CSS_SELECTOR, "tbody tr")
    assert len(rows) == len(REQUIREMENTS)
    failing = table.find_element(By.LINK_TEXT, "SYNC-SECRETS-ECHO")
    assert failing.is_displayed()

    # The verdict and the requirements come first; the environment table after the results.
    environment = browser.find_element(By.ID, "environment")
    assert verdict.location["y"] < table.location["y"] < environment.location["y"]
    assert browser.find_element(By.ID, "results-table").location["y"] < environment.location["y"]
    # The counts are the verdict's rows (pytest-html's own count a warning as "Passed").
    assert run.verdict is not None
    outcomes = [r["outcome"] for r in run.verdict["requirements"]]
    counts = browser.find_element(By.ID, "requirement-counts")
    assert counts.text == f"{len(outcomes)} requirements: {outcomes.count('pass')} pass, {outcomes.count('fail')} fail"
    assert not browser.find_element(By.CSS_SELECTOR, ".summary .run-count").is_displayed()

    failing.click()  # the link leads to the failure's row, whose log holds the evidence
    target = browser.find_element(By.ID, failing.get_attribute("href").split("#", 1)[1])
    log = target.find_element(By.CSS_SELECTOR, ".log")
    assert "SYNC-SECRETS-ECHO (MUST) failed" in log.text and "curl " in log.text
    # The request and the response shown whole, with no scroll box of their own.
    wrapper = target.find_element(By.CSS_SELECTOR, ".logwrapper")
    assert browser.execute_script("return arguments[0].scrollHeight <= arguments[0].clientHeight + 1", wrapper)
    assert "Response: 201 Created" in log.text and "Reproduce:" in log.text
    assert served.token not in browser.page_source

    errors = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert errors == []
