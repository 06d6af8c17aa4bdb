"""``to_html``: a self-contained page, stepped through in a real headless browser."""

import json
import os
import re

import pytest

from chainrule import viz
from chainrule.viz import _trace
from chainrule.viz.explain import steps

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TEXTBOOK_GRADS = ["1", "16", "16", "16", "48", "11", "88"]


def test_page_is_self_contained(textbook, names, tmp_path):
    path = viz.to_html(textbook["L"], tmp_path / "page.html", names=names)
    page = path.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    links = re.findall(r"(?:src|href)=\"([^\"]+)\"", page)
    assert links == [], "nothing is loaded from outside the file"
    assert set(re.findall(r"https?://[^\s\"']+", page)) == {"http://www.w3.org/2000/svg"}
    data = json.loads(
        re.search(
            r'<script type="application/json" id="steps">(.*?)</script>', page, re.DOTALL
        ).group(1)
    )
    assert [d["text"].split(". ")[0] for d in data] == [
        "∂L/∂L = 1",
        "∂L/∂q = 16",
        "∂L/∂a = 16",
        "∂L/∂(3b) = 16",
        "∂L/∂b = 48",
        "∂L/∂r = 11",
        "∂L/∂c = 88",
    ]
    assert page.count('class="grad"') == 7


def _browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip(
            f"no browser at {CHROMIUM}: install it with `apt-get install -y chromium` "
            f"(Debian; .ci/run does this) to run the page in a headless browser"
        )
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="needs the playwright package: pip install playwright"
    )
    return sync_api


def test_stepping_through_the_page_in_a_browser(textbook, names, tmp_path):
    sync_api = _browser()
    path = viz.to_html(textbook["L"], tmp_path / "page.html", names=names)
    expected = steps(_trace.trace(textbook["L"], names=names, grads=True))
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1500, "height": 700})
            page.goto(path.as_uri())
            assert page.inner_text("#counter") == "Forward pass"
            assert page.locator("svg .grad:visible").count() == 0
            assert page.is_disabled("#back")
            page.screenshot(path=str(tmp_path / "step-0.png"))
            for k, step in enumerate(expected, start=1):
                page.click("#next")
                assert page.inner_text("#counter") == f"Step {k} of {len(expected)}"
                assert page.inner_text("#sentence") == step.text
                current = page.locator(f"#e{step.edge} .grad")
                assert current.is_visible()
                assert current.text_content() == TEXTBOOK_GRADS[k - 1]
                assert page.locator("svg .grad:visible").count() == k
                assert page.locator("svg .edge.current").count() == 1
            assert page.is_disabled("#next")
            page.screenshot(path=str(tmp_path / "done.png"), full_page=True)
            page.click("#back")
            assert page.inner_text("#counter") == f"Step {len(expected) - 1} of {len(expected)}"
            assert not page.locator(f"#e{expected[-1].edge} .grad").is_visible()
            page.keyboard.press("ArrowRight")
            assert page.locator("svg .grad:visible").count() == len(expected)
        finally:
            browser.close()
    assert (tmp_path / "done.png").stat().st_size > 10_000
