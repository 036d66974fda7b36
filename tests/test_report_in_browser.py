"""The HTML report as a person sees it, in headless Chromium (Debian's chromium and chromium-driver,
driven by Selenium): it renders, the verdict and the requirement table are visible, a failure's
evidence is one click away, and the page logs no console error; each row's Result is the verdict's
word, reasons read as sentences, the failures come before the input coverage, durations have one
format, every text has WCAG AA contrast, and the environment table names the embedded server's URL."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from datetime import date, timedelta
from pathlib import Path

import pytest

from conformance.catalogue import REQUIREMENTS

from .servers import Answers200, DropsLastSecret, IdUpperCase, NoRequestId

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


# --- the report read as a page: words, order, sentences, contrast ------------------------------------

TEXT_STYLES = """
const seen = [];
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
while (walker.nextNode()) {
  const node = walker.currentNode;
  const element = node.parentElement;
  if (!node.textContent.trim() || !element || !element.getClientRects().length) continue;
  const style = getComputedStyle(element);
  if (style.visibility !== 'visible' || parseFloat(style.opacity) === 0) continue;
  let background = 'rgba(0, 0, 0, 0)';
  for (let e = element; e; e = e.parentElement) {
    const b = getComputedStyle(e).backgroundColor;
    if (!/rgba\\(.*, 0\\)$/.test(b) && b !== 'transparent') { background = b; break; }
  }
  seen.push([node.textContent.trim().slice(0, 40), style.color, background, parseFloat(style.fontSize), parseInt(style.fontWeight)]);
}
return seen;
"""


def _luminance(rgb: str) -> float:
    """WCAG 2's relative luminance of a CSS `rgb(...)`/`rgba(...)` colour."""
    r, g, b = (int(float(v)) / 255 for v in rgb[rgb.index("(") + 1 : -1].split(",")[:3])
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(foreground: str, background: str) -> float:
    if background.startswith("rgba") and background.endswith(", 0)"):
        background = "rgb(255, 255, 255)"  # nothing painted: the page's white
    light, dark = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_contrast_is_computed_as_wcag_defines_it() -> None:
    assert round(contrast("rgb(0, 0, 0)", "rgb(255, 255, 255)"), 1) == 21.0
    assert round(contrast("rgb(119, 119, 119)", "rgba(0, 0, 0, 0)"), 2) == 4.48  # #777 on white: just short of AA


class Mixed(Answers200, NoRequestId, IdUpperCase):
    """A MUST failed (200 for 201), a SHOULD warned (an upper-case id), one waived (no request-id),
    one skipped (no 201 for a Location to be judged on)."""


def test_the_report_says_each_verdict_in_words_sentences_first_and_readable(browser, serve, run_suite, tmp_path) -> None:
    from selenium.webdriver.common.by import By

    served = serve(Mixed)
    waivers = tmp_path / "waivers.yaml"
    expires = date.today() + timedelta(days=30)
    waivers.write_text(f"- {{id: SYNC-REQUEST-ID, reason: 'no `request-id` until v2', expires: {expires}}}\n")
    run = run_suite("--base-url", served.url, "--token", served.token, "--max-examples", "10", f"--waivers={waivers}")
    assert run.verdict is not None
    browser.get((run.reports / "report.html").resolve().as_uri())
    outcomes = {r["id"]: r["outcome"] for r in run.verdict["requirements"]}
    assert {"pass", "fail", "warn", "skip", "waived"} <= set(outcomes.values()), outcomes

    # The Result column says the verdict's word; every row open, showing what there is to read.
    bodies = browser.find_elements(By.CSS_SELECTOR, "#results-table tbody.results-table-row")
    assert len(bodies) == len(REQUIREMENTS)
    header = [th.text for th in browser.find_elements(By.CSS_SELECTOR, "#results-table thead th") if th.is_displayed()]
    assert header[:4] == ["Result", "Test", "Requirement", "Level"], header
    for body in bodies:
        cells = [td for td in body.find_elements(By.CSS_SELECTOR, "tr.collapsible td") if td.is_displayed()]
        result, requirement = cells[0].text, cells[2].text
        assert result == outcomes[requirement].upper(), (requirement, result)
        logs = [log for log in body.find_elements(By.CSS_SELECTOR, ".log") if log.is_displayed()]
        if result in ("FAIL", "WARN", "WAIVED", "SKIP"):
            assert logs, (requirement, result)
        if result == "SKIP":  # a sentence, not pytest's (file, line, reason) tuple
            assert logs[0].text.startswith(f"{requirement} not checked: no answer it applies to"), logs[0].text
    # Failures and warnings before the input coverage, which is folded under its one-line summary.
    assert not browser.find_element(By.ID, "coverage").is_displayed()
    assert browser.find_element(By.ID, "coverage-summary").is_displayed()
    # Reasons and statements as sentences: code shown as code, never as backticks.
    for element in ("requirements", "verdict"):
        assert "`" not in browser.find_element(By.ID, element).text
    waived = browser.find_element(By.XPATH, "//table[@id='requirements']//tr[td[1][.='SYNC-REQUEST-ID']]/td[6]")
    assert "no request-id until v2" in waived.text and waived.find_element(By.TAG_NAME, "code").text == "request-id"
    # One format for every duration.
    durations = [cell.text for cell in browser.find_elements(By.CSS_SELECTOR, "#results-table td.col-duration")]
    assert durations and all(re.fullmatch(r"\d+\.\d{3} s", text) for text in durations), durations
    # Every text on the page readable: WCAG AA, 4.5:1 (3:1 for large text).
    low = [
        (text, color, background, round(contrast(color, background), 2))
        for text, color, background, size, weight in browser.execute_script(TEXT_STYLES)
        if contrast(color, background) < (3 if size >= 24 or (size >= 18.66 and weight >= 700) else 4.5)
    ]
    assert low == [], sorted({(c, b, r) for t, c, b, r in low})


def test_the_environment_table_shows_the_embedded_server_s_url(browser, run_suite) -> None:
    from selenium.webdriver.common.by import By

    run = run_suite("--max-examples", "1", "-k", "SYNC-AUTH-401")
    assert run.verdict is not None
    browser.get((run.reports / "report.html").resolve().as_uri())
    rows = {
        row.find_element(By.CSS_SELECTOR, "td:first-child").text: row.find_element(By.CSS_SELECTOR, "td:last-child").text
        for row in browser.find_elements(By.CSS_SELECTOR, "#environment tr")
    }
    url = run.verdict["target"]["base_url"]
    assert url.startswith("http://127.0.0.1:") and rows["Base URL"] == url, rows
