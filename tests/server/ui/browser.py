"""Driving the web UI in a real headless Chromium (Debian's chromium + chromium-driver)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
SHOTS = Path(__file__).resolve().parents[3] / "docs" / "ui"
WAIT_S = 30


def missing() -> str | None:
    """Why the browser tests cannot run here (None when they can)."""
    for path in (CHROMIUM, CHROMEDRIVER):
        if not (os.path.exists(path) or shutil.which(Path(path).name)):
            return f"{path} is absent (apt-get install chromium chromium-driver)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install selenium)"
    return None


def start(lang: str = "en-US") -> Any:
    """A headless Chromium under Selenium (no network use by Selenium Manager: paths given)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--window-size=1280,900",
        "--no-first-run",
        "--disable-extensions",
        f"--lang={lang}",
    ):
        options.add_argument(arg)
    options.add_experimental_option("prefs", {"intl.accept_languages": lang})
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)


def wait(driver: Any, condition: Any, timeout: float = WAIT_S) -> Any:
    """Wait until `condition(driver)` is truthy; its value."""
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    ignored = (NoSuchElementException, StaleElementReferenceException)
    return WebDriverWait(driver, timeout, ignored_exceptions=ignored).until(condition)


def by_css(driver: Any, selector: str) -> Any:
    """The first element matching a CSS selector, once it is there."""
    from selenium.webdriver.common.by import By

    return wait(driver, lambda d: d.find_element(By.CSS_SELECTOR, selector))


def login(driver: Any, url: str, user: str, password: str | None = None) -> None:
    """Log in through the login page (test users' passwords are `<name>-password-1`)."""
    from selenium.webdriver.common.by import By

    driver.delete_all_cookies()
    driver.get(f"{url}/ui/login")
    driver.find_element(By.ID, "username").send_keys(user)
    driver.find_element(By.ID, "password").send_keys(password or f"{user}-password-1")
    driver.find_element(By.CSS_SELECTOR, "form.stack button[type=submit]").click()
    wait(driver, lambda d: "/ui/login" not in d.current_url)


def shot(driver: Any, name: str) -> None:
    """Save a screenshot to docs/ui/<name>.png when EBRAIN_UI_SCREENSHOTS=1 (never on CI)."""
    if os.environ.get("EBRAIN_UI_SCREENSHOTS") == "1":
        SHOTS.mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(SHOTS / f"{name}.png"))
