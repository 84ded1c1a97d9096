"""What a page owes people who do not use it the way its authors do: axe-core's rules, a
layout that fits a phone's width, and a focus they can see.

axe-core comes from the npm registry (package.json, installed by ``make install-js``). It is
put into the page with ``page.evaluate``, which DevTools runs whatever the page's
Content-Security-Policy says, so the app's policy is tested as it is served.
"""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"

#: The violations that fail a page; "minor" and "moderate" ones are left to judgement.
BLOCKING = ("serious", "critical")

PHONE = {
    "viewport": {"width": 375, "height": 667},
    "device_scale_factor": 2,
    "is_mobile": True,  # honours the page's meta viewport, as a phone's browser does
    "has_touch": True,
}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
SCREENS = {"desktop": DESKTOP, "phone": PHONE}


@functools.cache
def axe_source() -> str:
    if not AXE.exists():
        pytest.fail(f"axe-core is missing at {AXE}: run `make install-js` (npm ci)")
    return AXE.read_text()


def axe_violations(page: Page) -> list[dict]:
    """axe-core's violations on the page as it is now, with its default rules (WCAG 2.x A
    and AA, and its best practices)."""
    page.wait_for_load_state("load")
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return results["violations"]


def describe(violations: list[dict]) -> str:
    """One paragraph per rule: its id, impact and help, then each element it found."""
    lines = []
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']}"
            f" <{violation['helpUrl']}>"
        )
        for node in violation["nodes"]:
            summary = " ".join((node.get("failureSummary") or "").split())
            lines.append(f"    {' > '.join(map(str, node['target']))}: {summary}")
    return "\n".join(lines)


def assert_accessible(page: Page) -> None:
    """Fail with a readable list if axe-core finds a serious or critical violation."""
    blocking = [v for v in axe_violations(page) if v["impact"] in BLOCKING]
    assert not blocking, f"axe-core on {page.url}:\n{describe(blocking)}"


def sideways_overflow(page: Page) -> int:
    """How many CSS pixels the page is wider than the screen (0: no sideways scrolling)."""
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


def assert_fits_the_screen(page: Page) -> None:
    overflow = sideways_overflow(page)
    if overflow > 0:
        widest = page.evaluate(_WIDEST_ELEMENTS)
        pytest.fail(
            f"{page.url} scrolls sideways by {overflow}px; elements past the right edge:\n"
            + "\n".join(widest)
        )


# The outermost elements whose right edge is past the screen's, leaving out what scrolls
# inside a box of its own (a wide table in .table-responsive, a long line of code): where
# to look.
_WIDEST_ELEMENTS = """() => {
  const width = document.documentElement.clientWidth;
  const clipped = (element) => {
    // A positioned element escapes a box that is not its containing block; take no chances.
    if (["absolute", "fixed"].includes(getComputedStyle(element).position)) return false;
    for (let box = element.parentElement; box && box !== document.body; box = box.parentElement) {
      if (getComputedStyle(box).overflowX !== "visible") return true;
    }
    return false;
  };
  const found = [];
  for (const element of document.body.querySelectorAll("*")) {
    const box = element.getBoundingClientRect();
    if (box.right > width + 0.5 && !clipped(element)
        && !found.some((outer) => outer.contains(element))) {
      found.push(element);
    }
  }
  return found.slice(0, 10).map((element) =>
    `${element.tagName.toLowerCase()}${element.id ? "#" + element.id : ""}` +
    `${element.className && typeof element.className === "string" ?
       "." + element.className.trim().split(/\\s+/).join(".") : ""}` +
    ` (right edge at ${Math.round(element.getBoundingClientRect().right)}px)`);
}"""


def focus_ring(page: Page) -> dict:
    """How the focused element is marked: its outline and box shadow, and where it is."""
    return page.evaluate(
        """() => {
          const element = document.activeElement;
          const style = getComputedStyle(element);
          const box = element.getBoundingClientRect();
          return {
            element: element.outerHTML.slice(0, 120),
            outline: `${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}`,
            outlineWidth: parseFloat(style.outlineWidth) || 0,
            outlineStyle: style.outlineStyle,
            boxShadow: style.boxShadow,
            onScreen: box.width > 0 && box.height > 0 && box.bottom > 0 && box.right > 0
              && box.top < innerHeight && box.left < innerWidth,
          };
        }"""
    )


def assert_focus_visible(page: Page) -> dict:
    """The focused element is on screen and drawn with an outline or a shadow around it."""
    ring = focus_ring(page)
    assert ring["onScreen"], f"the focused element is off screen: {ring['element']}"
    outlined = ring["outlineStyle"] != "none" and ring["outlineWidth"] >= 2
    shadowed = ring["boxShadow"] not in ("", "none")
    assert outlined or shadowed, f"no visible focus ({ring['outline']}) on {ring['element']}"
    return ring
