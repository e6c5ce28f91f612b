"""Drive Debian's chromium through Playwright against a real server on loopback."""

import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from sqlmodel import Session, col, select

from chains import editing
from chains import service as chain_service
from chains.models import SegmentFields, Stream
from core import accounts
from core.db import make_engine
from core.settings import Settings
from enterprises.projects.leads import Lead
from seeds import demo, demo_cultivation, demo_leads, demo_plans
from tests.databases import drop_scratch, seeded_scratch
from web.app import create_app
from web.deps import SESSION_COOKIE

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = pytest.mark.browser

if not Path(CHROMIUM).exists():
    if os.environ.get("CI"):
        raise RuntimeError("CI needs Debian's chromium: apt-get install chromium")
    pytest.skip("Debian's chromium is not installed", allow_module_level=True)

playwright = pytest.importorskip("playwright.sync_api")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class Server:
    base_url: str
    database_url: str


@pytest.fixture(scope="module")
def server(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:

    def demo_zone(session: Session) -> None:
        demo.generate(session=session, count=300)
        demo_cultivation.generate(session=session)
        demo.ensure_demo_users(session=session)
        demo_leads.generate(session=session, count=60)
        demo_plans.generate(session=session)  # the dashboard shows the plans in force

    url = seeded_scratch(database_url, tmp_path_factory.mktemp("browser"), demo_zone)
    port = _free_port()
    app = create_app(Settings(database_url=url, secret_key="browser-test-" + "k" * 32))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield Server(f"http://127.0.0.1:{port}", url)
    server.should_exit = True
    thread.join(timeout=10)
    app.state.engine.dispose()
    drop_scratch(url, database_url)


@pytest.fixture
def page(server: Server) -> Iterator["playwright.Page"]:
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
            ],
        )
        # Playwright's string predicates run through eval, which the app's CSP forbids; the
        # policy itself is exercised by test_no_policy_violations_in_a_working_session.
        page = browser.new_page(base_url=server.base_url, locale="zh-CN", bypass_csp=True)
        # Generous: logins hash with argon2, and CI machines are shared.
        page.set_default_timeout(20_000)
        yield page
        browser.close()


def _log_in(page: "playwright.Page", username: str, lands_on: str = "**/chains") -> None:
    page.goto("/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", demo.DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lands_on)


def _signed_in(page: "playwright.Page", server: Server, username: str) -> None:
    """Hand the browser a session cookie opened through the service layer.

    Only the first test types into the login form: each argon2 check costs a shared CI machine
    real time, and the other tests are about what comes after logging in.
    """
    engine = make_engine(server.database_url)
    with Session(engine) as session:
        user = accounts.get_user_by_username(session=session, username=username)
        assert user is not None
        token, _ = accounts.start_session(session=session, user=user)
        session.commit()
    engine.dispose()
    page.context.add_cookies(
        [{"name": SESSION_COOKIE, "value": token, "url": server.base_url, "httpOnly": True}]
    )


def test_log_in_open_a_chain_and_search(page: "playwright.Page") -> None:
    _log_in(page, "viewer")
    assert page.locator(".chain-card").count() == 10

    page.click("text=机器人产业链")
    page.wait_for_url("**/chains/robotics")
    assert page.locator("#chain-map .node").count() == 13

    page.click("nav.mainnav >> text=企业库")
    page.wait_for_url("**/enterprises")
    # Boosted navigation swaps the body first; type once htmx has wired up the new form.
    page.wait_for_function("document.querySelector('form.filters')?.['htmx-internal-data']")
    page.fill("#q", "机器人")
    # htmx replaces the results in place and pushes the query into the address bar.
    page.wait_for_url(re.compile(r"/enterprises\?q=%E6%9C%BA"))
    page.wait_for_function("document.querySelector('.result-count').textContent.includes('共')")
    assert "共" in page.locator(".result-count").inner_text()
    products = page.locator("#results tbody tr").first.inner_text()
    assert "机器人" in products
    page.locator("#results table a").first.click()
    page.wait_for_url(re.compile(r"/enterprises/\d+$"))
    assert page.locator("h2", has_text="基本信息").is_visible()


def test_park_bureau_edits_its_own_firm_in_the_browser(
    page: "playwright.Page", server: Server
) -> None:
    _signed_in(page, server, "shunde")
    page.goto("/enterprises?park=shunde")
    page.locator("#results table a").first.click()
    page.click("text=编辑")
    page.fill("input[name=credit_code]", "91110108551385082A")
    page.click("button:has-text('保存')")
    assert (
        page.locator("#err-credit_code").inner_text()
        == "统一社会信用代码校验位错误（第 18 位应为 Q）"
    )
    page.fill("input[name=credit_code]", "")
    page.fill("input[name=employees]", "321")
    page.click("button:has-text('保存')")
    page.wait_for_url(re.compile(r"/enterprises/\d+$"))
    assert page.locator("dd", has_text="321").first.is_visible()


def _open_segment(page: "playwright.Page", name: str) -> None:
    page.wait_for_function("document.querySelector('#chain-map .node')?.['htmx-internal-data']")
    page.locator(f"#chain-map .node[aria-label^='{name}，']").click()
    page.wait_for_function(f"document.querySelector('#segment-panel h2')?.textContent === '{name}'")


def test_clicking_a_segment_opens_its_panel_in_place(
    page: "playwright.Page", server: Server
) -> None:
    _signed_in(page, server, "viewer")
    page.goto("/chains/robotics")
    _open_segment(page, "建筑机器人")
    panel = page.locator("#segment-panel")
    assert panel.locator("text=博智林").first.is_visible()
    assert "顺德园" in panel.inner_text()
    assert page.url.endswith("/chains/robotics")
    assert page.locator("#chain-map .node.selected").get_attribute("aria-label", timeout=1000)
    assert panel.locator("text=确认名单无误").count() == 0


def test_map_downloads_as_svg_and_png(page: "playwright.Page", server: Server) -> None:
    _signed_in(page, server, "viewer")
    page.goto("/chains/hydrogen")
    with page.expect_download() as svg_download:
        page.click("text=下载 SVG")
    svg = Path(svg_download.value.path()).read_text(encoding="utf-8")
    assert svg.startswith("<?xml") and "氢燃料电池" in svg
    # Rendering the map to a canvas takes a moment on a loaded machine.
    with page.expect_download(timeout=30_000) as png_download:
        page.click("text=下载 PNG")
    assert png_download.value.suggested_filename == "氢能源产业链图谱.png"
    png = Path(png_download.value.path()).read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 20_000


def test_chain_chief_confirms_a_segment_from_the_panel(page: "playwright.Page") -> None:
    _log_in(page, "chief", lands_on="**/chains/robotics/work")
    assert page.locator("#stale").is_visible()
    page.click("nav.tabs >> text=产业链图谱")
    page.wait_for_url("**/chains/robotics")
    _open_segment(page, "伺服系统")
    page.click("#segment-panel >> text=确认名单无误")
    page.wait_for_function(
        "document.querySelector('#segment-panel .confirm-line').textContent.includes('最近核实')"
    )
    assert "机器人产业链链长" in page.locator("#segment-panel .confirm-line").inner_text()


def test_park_bureau_bulk_moves_candidates_into_the_pool(
    page: "playwright.Page", server: Server
) -> None:
    _signed_in(page, server, "shunde")
    page.goto("/cultivation?stage=candidate")
    rows = page.locator("#roster tbody tr")
    count = rows.count()
    assert count >= 2
    names = [rows.nth(i).locator("td a").first.inner_text() for i in range(2)]
    page.wait_for_function("document.querySelector('#bulk-form button')?.['htmx-internal-data']")
    for i in range(2):
        rows.nth(i).locator("input[name=ids]").check()
    page.select_option("select[name=to_stage]", "pool")
    page.fill("input[name=note]", "园区审核通过，入库培育")
    page.click("button:has-text('移动所选')")
    page.wait_for_selector("text=已移动 2 家企业")
    assert page.locator("#roster tbody tr").count() == count - 2
    page.goto("/cultivation?stage=pool")
    pool = page.locator("#roster").inner_text()
    assert all(name in pool for name in names)


def test_promotion_moves_a_card_through_the_board(page: "playwright.Page", server: Server) -> None:
    _signed_in(page, server, "promoter")
    page.goto("/leads/board?owner=me")
    lane = page.locator("section.lane[aria-label='线索']")
    card = lane.locator("article.lead-card").first
    name = card.locator("a").first.inner_text()
    page.wait_for_function("document.querySelector('.card-move')?.['htmx-internal-data']")
    card.locator("select[name=to_stage]").select_option("contact")
    card.locator("button:has-text('移动')").click()
    page.wait_for_function(
        "document.querySelector('#board .notice')?.textContent.includes('已移动')"
    )
    assert page.url.endswith("/leads/board?owner=me")  # htmx swapped the board in place
    contact = page.locator("section.lane[aria-label='接洽']")
    assert contact.locator("article.lead-card a", has_text=name).count() == 1
    assert lane.locator("article.lead-card a", has_text=name).count() == 0


def test_a_new_lead_shows_possible_duplicates_as_it_is_typed(
    page: "playwright.Page", server: Server
) -> None:
    engine = make_engine(server.database_url)
    with Session(engine) as session:
        lead = session.exec(select(Lead).where(col(Lead.confidential).is_(False))).first()
        assert lead is not None
        existing, investor = lead.name, lead.investor_name
    engine.dispose()
    _signed_in(page, server, "promoter2")
    page.goto("/leads/new")
    page.wait_for_function(
        "document.querySelector('input[name=investor_name]')?.['htmx-internal-data']"
    )
    page.fill("input[name=name]", "浏览器重复检查项目")
    page.type("input[name=investor_name]", investor.replace("有限公司", "股份有限公司"))
    page.wait_for_function(
        "document.querySelector('#duplicate-check').textContent.includes('可能重复')"
    )
    assert page.locator("#duplicate-check a", has_text=existing).count() >= 1
    page.click("button:has-text('保存')")
    page.check("input[name=confirm_duplicate]")
    page.click("button:has-text('保存')")
    page.wait_for_url(re.compile(r"/leads/\d+$"))
    assert page.locator("h1", has_text="浏览器重复检查项目").is_visible()


def test_the_dashboard_draws_its_charts(page: "playwright.Page", server: Server) -> None:
    _log_in(page, "leader", lands_on="**/dashboard")
    assert page.locator(".target-card").count() == len(demo_plans.COMPUTED)
    # ECharts draws SVG into each chart element once its script has run.
    page.wait_for_function(
        "[...document.querySelectorAll('[data-chart]')].every(e => e.querySelector('svg path'))"
    )
    bars = page.locator(".chart.bars svg text", has_text="机器人")
    assert bars.count() >= 1
    page.click("text=全部目标")
    page.wait_for_url("**/targets")
    page.click("text=累计认定瞪羚、单打冠军、独角兽（潜在、种子）企业")
    page.wait_for_url("**/targets/003-high-growth")
    page.wait_for_function("document.querySelector('.chart.trend svg path')")


def test_markup_in_a_segment_name_stays_text_in_an_admins_browser(
    page: "playwright.Page", server: Server
) -> None:
    """Issue 17: a segment named like this made an admin's browser POST /users."""
    attack = '"><g hx-post=/users hx-trigger=load><g>'
    engine = make_engine(server.database_url)
    with Session(engine) as session:
        admin = accounts.get_user_by_username(session=session, username="admin")
        assert admin is not None
        chain = chain_service.get_by_code(session=session, code="medical-devices")
        data = SegmentFields(name=attack, stream=Stream.upstream)
        editing.create_segment(session=session, actor=admin, chain=chain, data=data)
        session.commit()
    engine.dispose()
    posted: list[str] = []
    page.on(
        "request", lambda request: posted.append(request.url) if request.method == "POST" else None
    )
    _signed_in(page, server, "admin")
    page.goto("/chains/medical-devices")
    page.wait_for_function("document.querySelector('#chain-map .node')?.['htmx-internal-data']")
    page.wait_for_load_state("networkidle")
    assert posted == []
    titles = page.locator("#chain-map .node > title").all_text_contents()
    assert any(t.startswith(attack + "：") for t in titles), titles


def test_no_policy_violations_in_a_working_session(server: Server) -> None:
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page(base_url=server.base_url, locale="zh-CN")
        page.set_default_timeout(20_000)
        refused: list[str] = []
        page.on(
            "console",
            lambda message: (
                refused.append(message.text) if "Content Security Policy" in message.text else None
            ),
        )
        _signed_in(page, server, "leader")
        page.goto("/dashboard")
        page.locator(".chart.bars svg path").first.wait_for(state="attached")
        page.goto("/chains/robotics")
        page.locator("#chain-map .node").first.click()
        page.locator("#segment-panel h2").wait_for()
        page.goto("/leads/board")
        page.locator(".lead-card").first.wait_for()
        page.goto("/enterprises")
        page.fill("#q", "机器人")
        page.locator(".result-count", has_text="共").wait_for()
        browser.close()
    assert refused == []


def test_the_api_docs_work_offline_under_the_policy(server: Server) -> None:
    """Swagger UI comes from the installed package: no request leaves the server, no script
    is refused by the Content-Security-Policy, and the operations are listed."""
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page(base_url=server.base_url, locale="zh-CN")
        page.set_default_timeout(20_000)
        complaints: list[str] = []
        hosts: set[str] = set()
        page.on("console", lambda m: complaints.append(m.text) if m.type == "error" else None)
        page.on("request", lambda r: hosts.add(r.url.split("/")[2]))
        page.goto("/api/docs")
        page.locator(".opblock").first.wait_for()
        assert page.locator(".opblock").count() > 50
        page.locator(".opblock-summary").first.click()
        page.locator(".opblock-body").first.wait_for()
        browser.close()
    assert complaints == [] and hosts == {server.base_url.split("/")[2]}
