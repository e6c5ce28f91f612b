"""The daily pages on a 390×844 phone (issue 19): no sideways page scroll, controls to tap.

Screenshots land in $CHAINPLAN_SHOTS (or the test's temporary folder) to be looked at.
"""

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from core import accounts
from core.db import make_engine
from enterprises.projects.leads import Lead
from tests.browser.test_browser import CHROMIUM, Server, _signed_in, playwright, server

__all__ = ["server"]  # the live server fixture, shared with test_browser.py
pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}
TAP = 44  # px, the smallest target a thumb hits reliably

# Every control a person taps on the page, visible ones only; a checkbox is tapped through its
# label, and a link inside running text is text, not a control.
TOO_SMALL = """() => {
  const controls = 'header a, header summary, header button, main button, main .button, '
    + 'main select, main input:not([type=hidden]):not([type=checkbox]):not([type=radio]), '
    + 'main summary, main .tabs a, main .pager a, main .phone-cards td:first-child a, '
    + 'main .field.checkbox';
  const small = [];
  for (const e of document.querySelectorAll(controls)) {
    const r = e.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if (r.height < 44 || r.width < 44) {
      small.push(`${e.tagName} "${(e.textContent || e.name || '').trim().slice(0, 16)}" `
        + `${Math.round(r.width)}x${Math.round(r.height)}`);
    }
  }
  return small;
}"""


def _shots() -> Path:
    folder = Path(os.environ.get("CHAINPLAN_SHOTS", "/tmp/chainplan-shots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def browser() -> Iterator["playwright.Browser"]:
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


def _page(browser: "playwright.Browser", server: Server, viewport: dict[str, int]) -> Iterator:
    context = browser.new_context(
        viewport=viewport, base_url=server.base_url, locale="zh-CN", bypass_csp=True
    )
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()


@pytest.fixture
def phone(browser: "playwright.Browser", server: Server) -> Iterator["playwright.Page"]:
    yield from _page(browser, server, PHONE)


@pytest.fixture
def desktop(browser: "playwright.Browser", server: Server) -> Iterator["playwright.Page"]:
    yield from _page(browser, server, DESKTOP)


def _own_lead(server: Server, username: str) -> int:
    engine = make_engine(server.database_url)
    with Session(engine) as session:
        user = accounts.get_user_by_username(session=session, username=username)
        assert user is not None
        lead = session.exec(
            select(Lead)
            .where(Lead.owner_id == user.id, col(Lead.stage).in_(["lead", "contact", "visit"]))
            .order_by(col(Lead.id))
        ).first()
        assert lead is not None and lead.id is not None
        lead_id = lead.id
    engine.dispose()
    return lead_id


DAILY_PAGES = [
    ("promoter", "/leads/mine"),
    ("promoter", "/leads/new"),
    ("promoter", "LEAD"),
    ("promoter", "/leads/board?owner=me"),
    ("promoter", "/leads"),
    ("shunde", "/parks/shunde"),
    ("shunde", "/cultivation?park=shunde"),
    ("viewer", "/enterprises"),
]


@pytest.mark.parametrize(("username", "path"), DAILY_PAGES)
def test_a_daily_page_fits_a_phone(
    phone: "playwright.Page", server: Server, username: str, path: str
) -> None:
    if path == "LEAD":
        path = f"/leads/{_own_lead(server, username)}"
    _signed_in(phone, server, username)
    phone.goto(path)
    phone.wait_for_load_state("networkidle")
    name = re.sub(r"\W+", "_", path.strip("/")) or "home"
    phone.screenshot(path=_shots() / f"{username}_{name}_390.png", full_page=True)
    assert phone.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
    assert phone.locator("header").bounding_box()["height"] <= 60  # was 310 of 844
    assert phone.evaluate(TOO_SMALL) == []


def test_the_menu_opens_and_leads_on_a_phone(phone: "playwright.Page", server: Server) -> None:
    _signed_in(phone, server, "promoter")
    phone.goto("/leads/mine")
    assert not phone.locator("nav.mainnav").is_visible()
    assert not phone.locator("nav.menunav").is_visible()
    phone.click("details.navmenu > summary")
    menu = phone.locator("nav.menunav")
    assert menu.is_visible()
    phone.screenshot(path=_shots() / "promoter_menu_open_390.png")
    assert phone.evaluate(TOO_SMALL) == []
    assert phone.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
    menu.locator("text=企业库").click()
    phone.wait_for_url("**/enterprises")


def test_a_follow_up_is_logged_from_a_phone(phone: "playwright.Page", server: Server) -> None:
    lead_id = _own_lead(server, "promoter")
    _signed_in(phone, server, "promoter")
    phone.goto(f"/leads/{lead_id}")
    form = phone.locator("#followup form")
    form.locator("input[name=notes]").fill("电话沟通，对方下周来访")
    form.locator("input[name=next_step]").fill("准备考察路线")
    form.locator("button[type=submit]").click()
    phone.wait_for_function(
        "document.querySelector('#followup .timeline').textContent.includes('准备考察路线')"
    )
    assert phone.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
    phone.screenshot(path=_shots() / "promoter_followup_logged_390.png", full_page=True)


@pytest.mark.parametrize("path", ["/leads/mine", "/parks/shunde"])
def test_the_desktop_keeps_its_bar(desktop: "playwright.Page", server: Server, path: str) -> None:
    _signed_in(desktop, server, "shunde" if "parks" in path else "promoter")
    desktop.goto(path)
    desktop.wait_for_load_state("networkidle")
    name = re.sub(r"\W+", "_", path.strip("/"))
    desktop.screenshot(path=_shots() / f"{name}_1440.png")
    assert desktop.locator("nav.mainnav").is_visible()
    assert not desktop.locator("details.navmenu").is_visible()
    assert desktop.locator("header").bounding_box()["height"] <= 60


def test_a_lead_is_logged_after_a_call_in_one_form_on_a_phone(
    phone: "playwright.Page", server: Server
) -> None:
    """Issue 19: one page, one submit; the segment list follows the chosen chain."""
    _signed_in(phone, server, "promoter2")
    phone.goto("/leads/new")
    phone.wait_for_function(
        "document.querySelector('select[name=chain_id]')?.['htmx-internal-data']"
    )
    everything = phone.locator("select[name=segment_id] option").count()
    phone.fill("input[name=name]", "手机登记储能项目")
    phone.fill("input[name=investor_name]", "惠州手机登记储能科技有限公司")
    phone.fill("input[name='contact.name']", "陈总")
    phone.fill("input[name='contact.phone']", "137 1234 5678")
    phone.fill("input[name='next_step.notes']", "电话沟通，下周来访")
    phone.fill("input[name='next_step.step']", "寄送园区资料")
    phone.select_option("select[name=chain_id]", label="机器人")
    phone.wait_for_function(
        f"document.querySelectorAll('select[name=segment_id] option').length < {everything}"
    )
    segments = phone.locator("select[name=segment_id] optgroup")
    assert segments.count() == 1 and segments.first.get_attribute("label") == "机器人"
    phone.select_option("select[name=segment_id]", label="伺服系统")
    assert phone.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
    phone.screenshot(path=_shots() / "promoter2_new_lead_filled_390.png", full_page=True)
    phone.click("button:has-text('保存')")
    phone.wait_for_url(re.compile(r"/leads/\d+$"))
    assert phone.locator("h1", has_text="手机登记储能项目").is_visible()
    assert phone.locator("#contacts", has_text="陈总").is_visible()
    assert phone.locator("#stage", has_text="下一步：寄送园区资料").is_visible()
    assert "机器人 / 伺服系统" in phone.locator("dl.fields").inner_text()


def test_the_chain_map_scrolls_inside_its_box_on_a_phone(
    phone: "playwright.Page", server: Server
) -> None:
    _signed_in(phone, server, "chief")
    phone.goto("/chains/robotics")
    phone.wait_for_load_state("networkidle")
    phone.screenshot(path=_shots() / "chief_chain_map_390.png")
    assert phone.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
    box = phone.locator(".map-scroll")
    assert box.evaluate("e => e.scrollWidth > e.clientWidth")  # the map itself stays whole


def _firm_list(phone: "playwright.Page", server: Server) -> None:
    _signed_in(phone, server, "viewer")
    phone.goto("/enterprises")
    phone.wait_for_load_state("networkidle")


def test_the_next_page_opens_at_its_top_on_a_phone(
    phone: "playwright.Page", server: Server
) -> None:
    _firm_list(phone, server)
    pager = phone.locator("#results .pager")
    pager.scroll_into_view_if_needed()
    assert phone.evaluate("window.scrollY") > 0  # the pager sits below the first screen
    pager.get_by_text("下一页").click()
    phone.locator("#results .result-count", has_text="第 2").wait_for()
    # htmx scrolls once the new rows have settled: wait for it (at most the default timeout).
    in_view = "() => Math.abs(document.querySelector('#results').getBoundingClientRect().top) < 2"
    phone.wait_for_function(in_view)
    top = phone.evaluate("document.querySelector('#results').getBoundingClientRect().top")
    assert -2 < top < PHONE["height"] / 2  # the new page's first rows are in view, not its pager


def test_the_firm_list_is_a_card_per_firm_on_a_phone(
    phone: "playwright.Page", server: Server
) -> None:
    _firm_list(phone, server)
    table = phone.locator("#results table")
    # Every field of a firm is on its card, none off to the side of a scrolling table.
    assert table.evaluate("t => t.scrollWidth <= t.clientWidth")
    first = phone.locator("#results tbody tr").first
    for label in ("园区", "产业链 · 环节", "规模", "年产值（万元）", "从业人数"):
        cell = first.locator(f'td[data-label="{label}"]')
        box = cell.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
