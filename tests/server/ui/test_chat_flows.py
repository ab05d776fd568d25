"""The chat, search and citation flows in a real headless Chromium."""

from __future__ import annotations

from typing import Any

from tests.server.harness import Running
from tests.server.ui.browser import by_css, login, shot


def test_log_in_and_switch_language(ui_server: Running, driver: Any) -> None:
    login(driver, ui_server.url, "sally")
    assert "/ui/chat" in driver.current_url
    by_css(driver, "form.lang button[value=zh]").click()
    by_css(driver, "html[lang=zh-CN]")
    shot(driver, "chat-zh")
    # remembered for the user: a new session (no language cookie) is still in Chinese
    login(driver, ui_server.url, "sally")
    assert by_css(driver, "html").get_attribute("lang") == "zh-CN"
    by_css(driver, "form.lang button[value=en]").click()
    by_css(driver, "html[lang=en]")
