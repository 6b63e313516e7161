#!/usr/bin/env python3
"""Drives loadd's dashboard in a real headless Chromium (Debian's chromium + chromium-driver, selenium).

usage: dashboard.py load URL
       dashboard.py journey URL OUTDIR SCENARIO.yaml
       dashboard.py open URL SCENARIO.yaml
       dashboard.py fleet URL WORKER,WORKER USERS
       dashboard.py gap URL

load:    opens the page and fails on any browser console message of level SEVERE (a JavaScript error,
         a blocked script or style, a failed request).
journey: validates a broken scenario (expects file:line:col), starts the given one from the page,
         waits for the table's counts to grow and the charts to draw, and for the schedule lag to show
         (the run's p99, and p50/p99/max on the Aggregated row), changes users and waits for
         the live users to follow, toggles the log scale, writes OUTDIR/dashboard.png, resets the
         statistics, stops the run and waits for its report link. Every wait has a deadline.
open:    uploads SCENARIO through the file input, starts it with a rate override of 20/s, changes the rate to 40/s and waits for the
         target to follow and the dropped-iterations chart to draw, then stops.
fleet:   on a master whose run of USERS users is going: every worker listed with its share, the merged
         live users, then stops the fleet's run from the page.
gap:     on a page open while its run goes on, waits for the requests chart to draw, prints
         "gap: watching" (the test then stops loadd), "gap: lost loadd" once the page says it cannot
         reach it (the test then starts loadd again), and waits for the page to say
         "Resumed" and for each chart line to break at the gap (two or more segments) without
         redrawing from zero; the outage's failed polls are the only console errors allowed.
Prints one line per step; exits 1 with the reason on the first failure."""
import re
import sys
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait


def browser():
    options = webdriver.ChromeOptions()
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--window-size=1280,1500", "--no-first-run", "--disable-extensions"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # The driver's path given: Selenium Manager never tries to download one (no internet here).
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def wait(driver, what, condition, seconds=20):
    try:
        return WebDriverWait(driver, seconds, poll_frequency=0.1).until(lambda d: condition())
    except Exception as error:
        raise SystemExit(f"FAIL: timed out after {seconds} s waiting for {what} ({type(error).__name__})")


# The page re-renders every second, so element handles go stale: read through script, atomically.
def text(driver, element_id):
    return driver.execute_script(
        "const e = document.getElementById(arguments[0]); return e ? e.textContent : ''", element_id)


def total_requests(driver):
    return int(driver.execute_script(
        "const e = document.getElementById('stats-total'); return e ? Number(e.dataset.requests) : -1"))


def chart_points(driver, css):
    return int(driver.execute_script(
        "const e = document.querySelector(arguments[0]); return e ? Number(e.dataset.points) : 0", css))


def cell_text(driver, css):
    return driver.execute_script("const e = document.querySelector(arguments[0]); return e ? e.textContent : ''", css)


def total_cell(driver, key):
    """The Aggregated row's cell under the heading whose data-key is `key` (found by key: columns move)."""
    return driver.execute_script(
        "const head = [...document.querySelectorAll('#stats-head th')];"
        "const i = head.findIndex((th) => th.dataset.key === arguments[0]);"
        "const row = document.getElementById('stats-total');"
        "return i >= 0 && row && row.children[i] ? row.children[i].textContent : ''", key)


def severe(driver, allowed=()):
    entries = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    return [e["message"] for e in entries if not any(pattern in e["message"] for pattern in allowed)]


def set_value(driver, element_id, value):
    field = driver.find_element(By.ID, element_id)
    field.clear()
    field.send_keys(value)


def load(url):
    driver = browser()
    try:
        driver.get(url)
        wait(driver, "the first poll", lambda: text(driver, "conn").startswith("updated"))
        wait(driver, "the run history", lambda: driver.find_elements(By.CSS_SELECTOR, "#runs-body tr, #runs-empty"))
        errors = severe(driver)
        if errors:
            raise SystemExit("FAIL: browser console errors on page load: " + " | ".join(errors))
        print("load: page rendered, title", repr(driver.title), "no console errors")
    finally:
        driver.quit()


def journey(url, outdir, scenario_path):
    scenario = open(scenario_path, encoding="utf-8").read()
    driver = browser()
    try:
        driver.get(url)
        wait(driver, "the first poll", lambda: text(driver, "conn").startswith("updated"))
        print("journey: page loaded")

        # A broken scenario: the page shows the loader's errors with line:col and starts nothing.
        driver.find_element(By.ID, "scenario").send_keys("name: broken\nusers: 2\ntasks:\n  - { weight: 1, request: GET /a }\nbogus: 1\n")
        driver.find_element(By.ID, "start-btn").click()
        # Chromium logs the 400 of this validate as a failed resource load: that one entry is expected.
        wait(driver, "validate errors with line:col",
             lambda: re.search(r"scenario\.yaml:\d+:\d+", text(driver, "validate-result")))
        print("journey: validate error shown:", text(driver, "validate-result").replace("\n", " | ")[:160])
        if text(driver, "run-state") not in ("idle", ""):
            raise SystemExit("FAIL: a run started from an invalid scenario: " + text(driver, "run-state"))

        driver.find_element(By.ID, "scenario").clear()
        driver.execute_script("arguments[0].value = arguments[1]", driver.find_element(By.ID, "scenario"), scenario)
        driver.find_element(By.ID, "start-btn").click()
        wait(driver, "the run to start", lambda: text(driver, "run-state") == "running")
        print("journey: run started:", text(driver, "validate-result"))

        wait(driver, "requests counted", lambda: total_requests(driver) > 0)
        first = total_requests(driver)
        wait(driver, "the table's counts to grow", lambda: total_requests(driver) > first)
        rows = driver.execute_script("return document.querySelectorAll('#stats-body tr').length")
        print(f"journey: table grows ({first} -> {total_requests(driver)} requests, {rows} endpoints)")
        wait(driver, "the requests chart to draw", lambda: chart_points(driver, "#chart-rps path.s-requests") >= 3)
        wait(driver, "the latency chart to draw", lambda: chart_points(driver, "#chart-latency path.s-p95") >= 3)
        wait(driver, "the current req/s to show",
             lambda: cell_text(driver, "#stats-total td:nth-child(5)") not in ("", "—", "0.0"))
        print("journey: charts drawn, current req/s", cell_text(driver, "#stats-total td:nth-child(5)"))
        wait(driver, "the phases card to draw a bar per endpoint",
             lambda: driver.execute_script(
                 "return document.querySelectorAll('#phases-body tr svg.phase-bar rect.phase.ttfb').length") >= rows)
        print("journey: phases card, mean waiting (TTFB) / p95 of all:", cell_text(driver, "#phases-foot td:nth-child(6)"))
        # Schedule lag beside latency: the run's p99 among the facts, p50/p99/max on the Aggregated row.
        wait(driver, "the schedule lag p99 fact", lambda: re.fullmatch(r"\d+\.\d\d ms", text(driver, "lag-p99")))
        wait(driver, "the Aggregated row's lag", lambda: all(
            re.fullmatch(r"\d+(\.\d+)?", total_cell(driver, key)) for key in ("lag_median_ms", "lag_p99_ms", "lag_max_ms")))
        print("journey: schedule lag p99", text(driver, "lag-p99"), "| Aggregated lag p50/p99/max",
              "/".join(total_cell(driver, key) for key in ("lag_median_ms", "lag_p99_ms", "lag_max_ms")))

        set_value(driver, "users-input", "5")
        driver.find_element(By.ID, "users-btn").click()
        wait(driver, "target users 5", lambda: text(driver, "target-users") == "5")
        wait(driver, "live users to follow to 5", lambda: text(driver, "live-users") == "5")
        print("journey: users changed to 5, live users", text(driver, "live-users"))

        driver.find_element(By.ID, "log-scale").click()
        wait(driver, "the log-scale chart", lambda: "log scale" in cell_text(driver, "#chart-latency figcaption"))
        wait(driver, "eight seconds of history", lambda: chart_points(driver, "#chart-rps path.s-requests") >= 8)
        driver.save_screenshot(f"{outdir}/dashboard.png")
        print("journey: screenshot", f"{outdir}/dashboard.png")

        before = total_requests(driver)
        driver.find_element(By.ID, "reset-btn").click()
        wait(driver, "the reset to show", lambda: "reset" in text(driver, "control-message"))
        wait(driver, "counts to start over", lambda: 0 <= total_requests(driver) < before)
        print(f"journey: reset ({before} -> {total_requests(driver)} requests)")
        wait(driver, "counts to grow after the reset", lambda: total_requests(driver) > 0)
        wait(driver, "the charts to draw again", lambda: chart_points(driver, "#chart-rps path.s-requests") >= 2)

        driver.find_element(By.ID, "stop-btn").click()
        wait(driver, "the run to end", lambda: text(driver, "run-state") in ("passed", "failed"), seconds=30)
        wait(driver, "the run's report link", lambda: driver.find_elements(By.CSS_SELECTOR, "#runs-body a[href$='report.html']"))
        print("journey: stopped,", text(driver, "verdict"))

        # The stored report opens from the runs table, sandboxed, and renders without errors.
        report = driver.execute_script("return document.querySelector(\"#runs-body a[href$='report.html']\").href")
        errors = severe(driver, allowed=("/v1/validate",))
        if errors:
            raise SystemExit("FAIL: browser console errors: " + " | ".join(errors))
        driver.get(report)
        wait(driver, "the report to render", lambda: "dashboard" in driver.execute_script("return document.body.innerText"))
        print("journey: report opened:", driver.title)

        errors = severe(driver)
        if errors:
            raise SystemExit("FAIL: browser console errors: " + " | ".join(errors))
        print("journey: no console errors")
    finally:
        driver.quit()


def open_model(url, scenario_path):
    """An open-model run (rate:) from the page: the rate control replaces users, the target rate
    follows a change, and the dropped-iterations chart is drawn."""
    scenario = open(scenario_path, encoding="utf-8").read()
    driver = browser()
    try:
        driver.get(url)
        wait(driver, "the first poll", lambda: text(driver, "conn").startswith("updated"))
        # Uploaded this time: the file's text fills the editor and its name is the one errors will cite.
        driver.find_element(By.ID, "scenario-file").send_keys(scenario_path)
        wait(driver, "the uploaded scenario", lambda: driver.execute_script(
            "return document.getElementById('scenario').value") == scenario)
        name = driver.execute_script("return document.getElementById('scenario-name').value")
        if name != scenario_path.rsplit("/", 1)[-1]:
            raise SystemExit(f"FAIL: the uploaded file's name is {name!r}")
        set_value(driver, "start-rate", "20")
        driver.find_element(By.ID, "start-btn").click()
        wait(driver, "the open run to start", lambda: text(driver, "run-state") == "running")
        wait(driver, "the target rate 20", lambda: text(driver, "target-rate").startswith("20 "))
        wait(driver, "the rate control", lambda: driver.execute_script(
            "return !document.getElementById('rate-group').hidden && document.getElementById('users-group').hidden"))
        set_value(driver, "rate-input", "40")
        driver.find_element(By.ID, "rate-btn").click()
        wait(driver, "the target rate to follow to 40", lambda: text(driver, "target-rate").startswith("40 "))
        wait(driver, "the dropped-iterations chart", lambda: chart_points(driver, "#chart-dropped path.s-dropped") >= 2)
        print("open: rate 20 -> 40 it/s, dropped chart drawn")
        driver.find_element(By.ID, "stop-btn").click()
        wait(driver, "the run to end", lambda: text(driver, "run-state") in ("passed", "failed"), seconds=30)
        errors = severe(driver)
        if errors:
            raise SystemExit("FAIL: browser console errors: " + " | ".join(errors))
        print("open: stopped, no console errors")
    finally:
        driver.quit()


def fleet(url, workers, users):
    """On a master with a run going: the workers table lists every worker with its share, the run
    shows the fleet's merged users, and the page's stop ends the fleet's run."""
    driver = browser()
    try:
        driver.get(url)
        wait(driver, "the master's page", lambda: "master" in text(driver, "node"))
        names = lambda: driver.execute_script(
            "return [...document.querySelectorAll('#workers-body tr td:first-child')].map(c => c.textContent)")
        wait(driver, f"workers {workers} listed", lambda: sorted(names()) == sorted(workers))
        wait(driver, "the run", lambda: text(driver, "run-state") == "running")
        wait(driver, f"the fleet's {users} live users", lambda: text(driver, "live-users") == str(users))
        shares = lambda: driver.execute_script(
            "return [...document.querySelectorAll('#workers-body tr td:nth-child(6)')].map(c => Number(c.textContent))")
        wait(driver, f"the workers' shares to add up to {users}", lambda: sum(shares()) == users)
        print("fleet: workers", names(), "shares", shares())
        wait(driver, "requests counted", lambda: total_requests(driver) > 0)
        driver.find_element(By.ID, "stop-btn").click()
        wait(driver, "the fleet's run to end", lambda: text(driver, "run-state") in ("passed", "failed"), seconds=30)
        errors = severe(driver)
        if errors:
            raise SystemExit("FAIL: browser console errors: " + " | ".join(errors))
        print("fleet: stopped from the page, no console errors")
    finally:
        driver.quit()


def chart_segments(driver, css):
    return int(driver.execute_script(
        "const e = document.querySelector(arguments[0]); return e ? Number(e.dataset.segments) : 0", css))


def gap(url):
    driver = browser()
    try:
        driver.get(url)
        wait(driver, "the run", lambda: text(driver, "run-state") == "running")
        wait(driver, "three seconds on the requests chart", lambda: chart_points(driver, "#chart-rps path.s-requests") >= 3)
        before = chart_points(driver, "#chart-rps path.s-requests")
        if chart_segments(driver, "#chart-rps path.s-requests") != 1:
            raise SystemExit("FAIL: the line is broken before any restart")
        print("gap: watching", flush=True)
        wait(driver, "the page to lose loadd", lambda: text(driver, "conn").startswith("cannot reach"), seconds=60)
        print("gap: lost loadd", flush=True)
        wait(driver, "the resumed run", lambda: text(driver, "resumed").startswith("after 1 restart"), seconds=60)
        wait(driver, "the requests line to break at the gap",
             lambda: chart_segments(driver, "#chart-rps path.s-requests") >= 2, seconds=30)
        wait(driver, "the users line to break too", lambda: chart_segments(driver, "#chart-users path.s-users") >= 2)
        after = chart_points(driver, "#chart-rps path.s-requests")
        if after <= before:
            raise SystemExit(f"FAIL: the chart lost its seconds before the gap ({before} then {after})")
        # While loadd restarted, the page's polls failed through loadctl ui: those, and only those, are expected.
        errors = severe(driver, allowed=("/v1/", "status of 502", "status of 503", "net::ERR"))
        if errors:
            raise SystemExit("FAIL: browser console errors: " + " | ".join(errors))
        print(f"gap: {after} seconds drawn in", chart_segments(driver, "#chart-rps path.s-requests"), "segments;",
              text(driver, "resumed"))
    finally:
        driver.quit()


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "load":
        load(sys.argv[2])
    elif len(sys.argv) == 5 and sys.argv[1] == "fleet":
        fleet(sys.argv[2], sys.argv[3].split(","), int(sys.argv[4]))
    elif len(sys.argv) == 3 and sys.argv[1] == "gap":
        gap(sys.argv[2])
    elif len(sys.argv) == 4 and sys.argv[1] == "open":
        open_model(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 5 and sys.argv[1] == "journey":
        journey(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        raise SystemExit(__doc__)
