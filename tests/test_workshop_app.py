"""The live workshop app: without a browser (the coalescing matrix renderer,
``Board.show()``, the CLI's checks), then end to end: ``aiadopt workshop`` as a subprocess on
127.0.0.1 with a free port, Debian's chromium driven by Playwright as the
projector, the facilitator and six phones.

How a test waits for "every vote shown": the projector's matrix is a
``<figure class="aiadopt-matrix" data-votes="N">`` whose ``N`` is the vote
count the drawing was made from, so ``figure[data-votes="6"]`` appears only
once the matrix includes the sixth vote.

Screenshots (looked at by people, not compared by pixels):
``tests/output/workshop_projector.png`` and ``tests/output/workshop_phone.png``.
"""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

import pytest

pn = pytest.importorskip("panel")  # the optional extra aiadopt[workshop]

from aiadopt.cli import main  # noqa: E402
from aiadopt.report.runner import CHROMIUM_FLAGS  # noqa: E402
from aiadopt.workshop import Board, app  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
OUTPUT = ROOT / "tests" / "output"
CHROMIUM = Path("/usr/bin/chromium")
#: Three idea/pilot use cases of the sample, in register order.
USE_CASES = ("UC-0027", "UC-0034", "UC-0043")
PHONE = {"width": 360, "height": 740}
WALL = {"width": 1600, "height": 900}
TIMEOUT_MS = 20_000


@pytest.fixture(scope="module")
def browser():
    """A headless Debian chromium (fresh profile per launch)."""
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("Debian's chromium is missing in CI (make test installs it with apt-get)")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=list(CHROMIUM_FLAGS))
        try:
            yield b
        finally:
            b.close()


@contextmanager
def workshop(out: Path, *args: str) -> Iterator[dict[str, str]]:
    """Run ``aiadopt workshop`` on the sample with a free port; yield its
    printed URLs. The server is stopped (and killed if need be) afterwards."""
    cmd = [sys.executable, "-m", "aiadopt.cli", "workshop", "--data", str(SAMPLE)]
    cmd += ["--port", "0", "--out", str(out), *args]
    for uc in USE_CASES:
        cmd += ["--use-case", uc]
    log = (out.parent / f"{out.name}-server.log").open("w")
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=log, text=True, cwd=ROOT, start_new_session=True
    )
    try:
        urls = _read_urls(proc, out.parent / f"{out.name}-server.log")
        yield urls
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        proc.stdout.close()
        log.close()


def _read_urls(proc: subprocess.Popen, log: Path, timeout: float = 90) -> dict[str, str]:
    """The ``name: url`` lines the server prints (read in a thread: a
    buffered pipe cannot be polled line by line)."""
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(x) for x in proc.stdout], daemon=True).start()
    urls: dict[str, str] = {}
    deadline = time.monotonic() + timeout
    while len(urls) < 3:
        try:
            line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            raise AssertionError(f"no URLs from aiadopt workshop: {log.read_text()}") from None
        name, _, url = line.strip().partition(": ")
        urls[name] = url
    assert set(urls) == {"participant", "projector", "facilitator"}
    return urls


class Requests:
    """Every URL a set of pages asked for (pages, assets, websockets)."""

    def __init__(self) -> None:
        self.urls: list[str] = []

    def watch(self, page) -> None:
        page.on("request", lambda r: self.urls.append(r.url))
        page.on("websocket", lambda ws: self.urls.append(ws.url))

    def hosts(self) -> set[str]:
        return {
            urlparse(u).hostname for u in self.urls if urlparse(u).scheme not in {"data", "blob"}
        }


def _page(browser, requests: Requests, viewport=PHONE, **context):
    page = browser.new_context(viewport=viewport, **context).new_page()
    page.set_default_timeout(TIMEOUT_MS)
    requests.watch(page)
    return page


def vote(page, impact: int, effort: int) -> str:
    """Score the use case on ``page``; return its title once the vote is saved."""
    from playwright.sync_api import expect

    title = page.locator(".card h2").text_content()
    page.get_by_role("button", name=f"Impact {impact}", exact=True).click()
    page.get_by_role("button", name=f"Effort {effort}", exact=True).click()
    page.get_by_role("button", name="Submit", exact=True).click()
    expect(page.get_by_role("status")).to_have_text(f"Vote saved: {title}")
    return title


def matrix(page, votes: int):
    """The projector's matrix once it is drawn from ``votes`` votes."""
    figure = page.locator(f'figure.aiadopt-matrix[data-votes="{votes}"]')
    figure.wait_for()
    return figure


def test_room_votes_and_projector_shows_every_vote(browser, tmp_path):
    from playwright.sync_api import expect

    requests = Requests()
    with workshop(tmp_path / "out") as urls:
        assert all(urlparse(u).hostname == "127.0.0.1" for u in urls.values())
        projector = _page(browser, requests, viewport=WALL)
        projector.goto(urls["projector"])
        matrix(projector, 0)
        phones = [_page(browser, requests, is_mobile=True, has_touch=True) for _ in range(6)]
        for i, phone in enumerate(phones):
            phone.goto(urls["participant"])
            expect(phone.get_by_text("3 use cases left")).to_be_visible()
            assert phone.evaluate("window.innerWidth") == PHONE["width"]  # the viewport tag
            assert vote(phone, impact=1 + i % 5, effort=5 - i % 3) == _title(USE_CASES[0])
        expect(projector.locator(".aiadopt-counts")).to_have_text("6 votes · 6 participants")
        figure = matrix(projector, 6)
        expect(figure).to_have_attribute("aria-label", "Impact–effort matrix, 6 votes")
        assert figure.locator("g#use_cases use").count() == 1  # one use case, six votes

        # Two votes on the next use case: below the threshold, no point drawn.
        vote(phones[0], impact=5, effort=1)
        vote(phones[1], impact=4, effort=2)
        figure = matrix(projector, 8)
        expect(projector.locator(f'[data-use-case="{USE_CASES[1]}"]')).to_contain_text(
            "2 votes, results hidden"
        )
        assert figure.locator("g#use_cases use").count() == 1  # still only the first
        expect(projector.locator(".aiadopt-counts")).to_have_text("8 votes · 6 participants")

        # A reload keeps the anonymous id (cookie) and shows the scores chosen.
        cookie = {c["name"]: c for c in phones[0].context.cookies()}["aiadopt_participant"]
        assert re.fullmatch(r"[0-9a-f]{32}", cookie["value"])
        assert (cookie["sameSite"], cookie["path"]) == ("Strict", "/")
        phones[0].reload()
        expect(phones[0].get_by_text("1 use case left")).to_be_visible()
        expect(phones[0].locator(".card h2")).to_have_text(_title(USE_CASES[2]))
        phones[0].get_by_role("button", name="Skip").click()  # round to the first again
        expect(phones[0].locator(".card h2")).to_have_text(_title(USE_CASES[0]))
        expect(phones[0].get_by_role("button", name="Impact 1", exact=True)).to_have_attribute(
            "aria-pressed", "true"
        )
        expect(phones[0].get_by_role("button", name="Effort 5", exact=True)).to_have_attribute(
            "aria-pressed", "true"
        )
        # A re-vote replaces the earlier one: still 8 votes.
        vote(phones[0], impact=2, effort=2)
        matrix(projector, 8)
        assert (tmp_path / "out" / "votes.csv").read_text().count(USE_CASES[0]) == 7

        # The spread on demand: the same votes drawn again, with the spread.
        projector.get_by_role("button", name="Show spread").click()
        projector.locator('figure.aiadopt-matrix[data-votes="8"][data-spread="true"]').wait_for()

        # Full screen for the wall, from a click (browsers allow nothing else).
        projector.get_by_role("button", name="Full screen", exact=True).click()
        expect(projector.get_by_role("button", name="Leave full screen")).to_be_visible()
        assert projector.evaluate("document.fullscreenElement === document.documentElement")

        OUTPUT.mkdir(exist_ok=True)
        projector.screenshot(path=OUTPUT / "workshop_projector.png")
        phones[2].screenshot(path=OUTPUT / "workshop_phone.png", full_page=True)
    assert requests.hosts() == {"127.0.0.1"}


def _title(use_case_id: str) -> str:
    import pandas as pd

    register = pd.read_csv(SAMPLE / "use_cases.csv")
    return register.set_index("use_case_id").loc[use_case_id, "title"]


def test_facilitator_refused_without_token(browser, tmp_path):
    from playwright.sync_api import expect

    requests = Requests()
    with workshop(tmp_path / "out") as urls:
        events = tmp_path / "out" / "events.csv"
        before = events.read_text()
        base = urls["facilitator"].split("?")[0]
        for url in (base, base + "?token=wrong", base + "?token="):
            page = _page(browser, requests, viewport=WALL)
            page.goto(url)
            expect(page.get_by_role("alert")).to_contain_text("Refused")
            expect(page.get_by_role("button")).to_have_count(0)  # no control is built
        # The real link builds the controls; the refused pages changed nothing.
        page = _page(browser, requests, viewport=WALL)
        page.goto(urls["facilitator"])
        expect(page.get_by_role("button", name="Close voting")).to_be_enabled()
        assert events.read_text() == before
    assert requests.hosts() == {"127.0.0.1"}


def test_lan_needs_the_join_code_and_the_view_key(browser, tmp_path):
    from playwright.sync_api import expect

    requests = Requests()
    with workshop(tmp_path / "out", "--lan", "127.0.0.1") as urls:
        participant = urlparse(urls["participant"])
        projector = urlparse(urls["projector"])
        assert participant.query.startswith("code=") and projector.query.startswith("key=")
        code = participant.query.removeprefix("code=")
        bare = urls["participant"].split("?")[0]

        phone = _page(browser, requests)
        phone.goto(bare)
        expect(phone.get_by_label("Join code (shown on the screen)")).to_be_visible()
        expect(phone.get_by_role("button", name="Impact 3")).to_have_count(0)
        phone.get_by_label("Join code (shown on the screen)").fill("WRONG")
        phone.get_by_role("button", name="Join").click()
        expect(phone.get_by_role("alert")).to_contain_text("not right")
        expect(phone.get_by_role("button", name="Impact 3")).to_have_count(0)
        # Typed in lower case with a space, as people do.
        phone.get_by_label("Join code (shown on the screen)").fill(
            code[:2].lower() + " " + code[2:]
        )
        phone.get_by_role("button", name="Join").click()
        vote(phone, impact=3, effort=3)

        wall = _page(browser, requests, viewport=WALL)
        wall.goto(urls["projector"].split("?")[0])
        expect(wall.get_by_role("alert")).to_contain_text("Refused")
        expect(wall.locator("figure.aiadopt-matrix")).to_have_count(0)
        wall.goto(urls["projector"])
        matrix(wall, 1)
        expect(wall.locator(".aiadopt-join-code")).to_have_text(code)
    assert requests.hosts() == {"127.0.0.1"}


def test_facilitator_steps_closes_ends_and_exports(browser, tmp_path):
    from playwright.sync_api import expect

    requests = Requests()
    out = tmp_path / "out"
    with workshop(out) as urls:
        phone = _page(browser, requests)
        phone.goto(urls["participant"])
        expect(phone.locator(".card h2")).to_have_text(_title(USE_CASES[0]))
        desk = _page(browser, requests, viewport=WALL)
        desk.goto(urls["facilitator"])

        # Step mode reaches the open phone: only the chosen use case, no Skip.
        desk.get_by_role("button", name="Next").click()
        expect(phone.locator(".card h2")).to_have_text(_title(USE_CASES[0]))
        desk.get_by_role("button", name="Next").click()
        expect(phone.locator(".card h2")).to_have_text(_title(USE_CASES[1]))
        expect(phone.get_by_role("button", name="Skip")).to_be_hidden()
        vote(phone, impact=4, effort=1)
        desk.get_by_role("button", name="All at once").click()
        expect(phone.get_by_role("button", name="Skip")).to_be_visible()

        # Closing voting reaches the phone at once; its buttons are disabled.
        desk.get_by_role("button", name="Close voting").click()
        expect(phone.get_by_role("status")).to_have_text("Voting is closed.")
        expect(phone.get_by_role("button", name="Submit")).to_be_disabled()
        desk.get_by_role("button", name="Open voting").click()
        expect(phone.get_by_role("button", name="Submit")).to_be_enabled()

        # Reset asks for confirmation first.
        desk.get_by_role("combobox").last.select_option(
            label=f"{USE_CASES[1]} · {_title(USE_CASES[1])}"
        )
        desk.get_by_role("button", name="Reset votes").click()
        desk.get_by_role("button", name=re.compile("^Confirm: reset the votes of")).click()
        expect(desk.locator(".aiadopt-counts")).to_have_text("0 votes · 0 participants")

        pytest.importorskip(
            "aiadopt.workshop.export", reason="the export lands with helper 'export'"
        )
        desk.get_by_role("button", name="End and export").click()
        expect(desk.get_by_text("Exported:")).to_be_visible(timeout=60_000)
        paths = desk.locator(".aiadopt-export code").all_text_contents()
        assert paths and all(Path(p).is_file() and Path(p).parent == out for p in paths)
        expect(phone.get_by_role("status")).to_have_text("The workshop has ended. Thank you!")
    assert requests.hosts() == {"127.0.0.1"}


def test_bad_cookie_gets_a_new_id(browser, tmp_path):
    from playwright.sync_api import expect

    requests = Requests()
    with workshop(tmp_path / "out") as urls:
        host = urlparse(urls["participant"]).hostname
        phone = _page(browser, requests)
        phone.context.add_cookies(
            [{"name": "aiadopt_participant", "value": "../../etc", "domain": host, "path": "/"}]
        )
        phone.goto(urls["participant"])
        expect(phone.get_by_text("3 use cases left")).to_be_visible()
        vote(phone, impact=2, effort=4)
        cookie = {c["name"]: c["value"] for c in phone.context.cookies()}["aiadopt_participant"]
        assert re.fullmatch(r"[0-9a-f]{32}", cookie)
        assert f"{cookie},{USE_CASES[0]},2,4," in (tmp_path / "out" / "votes.csv").read_text()


def _upgrade_status(netloc: str, path: str, origin: str) -> int:
    """The HTTP status of a websocket handshake sent with ``origin``."""
    import base64

    host, port = netloc.rsplit(":", 1)
    request = (
        f"GET {path} HTTP/1.1\r\nHost: {netloc}\r\nUpgrade: websocket\r\n"
        "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
        f"Sec-WebSocket-Key: {base64.b64encode(os.urandom(16)).decode()}\r\n"
        f"Origin: {origin}\r\n\r\n"
    )
    with socket.create_connection((host, int(port)), timeout=10) as s:
        s.sendall(request.encode())
        status_line = s.makefile("rb").readline().decode()
    return int(status_line.split()[1])


def test_websocket_origins_are_the_served_host_only(tmp_path):
    with workshop(tmp_path / "out") as urls:
        served = urlparse(urls["participant"]).netloc
        port = served.rsplit(":", 1)[1]
        for page in ("participant", "projector", "facilitator"):
            path = f"/{page}/ws"
            assert _upgrade_status(served, path, f"http://{served}") == 101
            for origin in ("http://evil.example", f"http://localhost:{port}", "null"):
                assert _upgrade_status(served, path, origin) == 403, (page, origin)


def test_ctrl_c_stops_the_server_cleanly(tmp_path):
    for stop in (signal.SIGINT, signal.SIGTERM):
        out = tmp_path / stop.name
        log = tmp_path / f"{stop.name}.log"
        cmd = [sys.executable, "-m", "aiadopt.cli", "workshop", "--data", str(SAMPLE)]
        cmd += ["--use-case", USE_CASES[0], "--port", "0", "--out", str(out)]
        with log.open("w") as err:
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, text=True, cwd=ROOT)
            try:
                _read_urls(proc, log)
                proc.send_signal(stop)
                proc.wait(timeout=30)
            finally:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
                proc.stdout.close()
        text = log.read_text()
        assert proc.returncode == 0, text
        assert f"stopped; the votes are in {out}" in text
        assert "Traceback" not in text


# --- without a browser ---------------------------------------------------------------------


@pytest.fixture
def board(tmp_path):
    b = Board(SAMPLE, use_cases=list(USE_CASES), out=tmp_path / "session")
    yield b
    b.close()


def _bokeh_texts(model) -> list[str]:
    """Every button label and HTML text in a Bokeh model tree."""
    texts = []
    for m in model.references():
        for attr in ("label", "text"):
            value = getattr(m, attr, None)
            if isinstance(value, str):
                texts.append(value)
    return texts


def test_renderer_draws_only_the_latest_of_changes_made_while_drawing(board, monkeypatch):
    drawing, release = threading.Event(), threading.Event()
    drawn: list[int] = []

    def slow_svg(self, snapshot, spread):
        drawn.append(snapshot.votes)
        drawing.set()
        release.wait(10)
        return "<svg></svg>"

    monkeypatch.setattr(app.MatrixRenderer, "_draw", slow_svg)
    renderer = app.MatrixRenderer(board, process=False)
    seen: list[int] = []
    done = threading.Event()

    def listener(html, votes):
        seen.append(votes)
        if votes == 5:
            done.set()

    renderer.listen(False, listener)
    assert drawing.wait(10)  # the first drawing (0 votes) is under way
    first = board.items["use_case_id"].iloc[0]
    for _ in range(5):  # five changes while it draws
        board.vote(board.new_participant(), first, 3, 3)
    release.set()
    assert done.wait(10)
    assert drawn == [0, 5]  # not one drawing per vote: the latest, once
    assert seen == [0, 5]
    assert 'data-votes="5"' in renderer._drawn[False][1]


def test_renderer_waits_for_a_pause_in_the_votes(board, monkeypatch):
    """A burst of votes gets one drawing after its last vote, not one per vote."""
    drawn: list[int] = []
    monkeypatch.setattr(
        app.MatrixRenderer, "_draw", lambda self, snap, spread: drawn.append(snap.votes) or ""
    )
    renderer = app.MatrixRenderer(board, process=False)
    done = threading.Event()
    renderer.listen(False, lambda html, votes: votes == 8 and done.set())
    first = board.items["use_case_id"].iloc[0]
    time.sleep(0.3)  # the first drawing (0 votes) is done
    for _ in range(8):  # faster than QUIET_SECONDS apart
        board.vote(board.new_participant(), first, 3, 3)
    assert done.wait(10)
    renderer.close()
    assert drawn == [0, 8]


def test_renderer_process_draws_what_the_thread_draws(board):
    """The drawing process gives the same SVG as drawing in the server."""
    first = board.items["use_case_id"].iloc[0]
    for impact in (2, 4, 5):
        board.vote(board.new_participant(), first, impact, 2)
    renderer = app.MatrixRenderer(board)
    try:
        assert renderer._pool is not None
        done = threading.Event()
        got: list[str] = []
        renderer.listen(False, lambda html, votes: votes == 3 and (got.append(html), done.set()))
        assert done.wait(120)
    finally:
        renderer.close()
    expected = app._matrix_svg(board.snapshot(), False, lang=board.lang)
    assert expected.strip() and expected in got[0]


def test_board_view_renders_without_a_browser(board):
    view = board.show()
    root = view.get_root()
    texts = _bokeh_texts(root)
    for name in ("Open voting", "Close voting", "Reveal results", "End and export", "Show spread"):
        assert name in texts
    assert any("0 votes" in t for t in texts)
    # Live in a notebook too: votes reach the view without a server.
    first, second = board.items["use_case_id"].iloc[:2]
    for _ in range(2):
        p = board.new_participant()
        board.vote(p, first, 4, 2)
        board.vote(p, second, 2, 4)
    texts = _bokeh_texts(root)
    assert any("4 votes" in t and "2 participants" in t for t in texts)
    assert any(first in t and "2 votes, results hidden" in t for t in texts)


def test_facilitator_controls_pass_the_sessions_token(board, monkeypatch):
    calls = []
    real = board.control

    def control(action, *, token, use_case_id=None):
        calls.append((action, token))
        return real(action, token=token, use_case_id=use_case_id)

    monkeypatch.setattr(board, "control", control)
    controls = app._Controls(board, "not-the-token", lang="en")
    controls.close.clicks += 1
    assert calls == [("close", "not-the-token")]
    assert board.snapshot().open  # refused: nothing changed
    assert "This page needs the facilitator link" in controls.message.object


def test_lan_address_is_an_interface_of_this_machine():
    address = app.lan_address()
    socket.inet_aton(address)  # an IPv4 address
    assert not address.startswith("127.")
    if address != "0.0.0.0":
        with socket.socket() as s:
            s.bind((address, 0))  # bindable: it is one of ours


def test_cli_workshop_refuses_a_bad_port(tmp_path, capsys):
    status = main(["workshop", "--data", str(SAMPLE), "--port", "70000", "--out", str(tmp_path)])
    assert status == 2
    assert "--port must be 0..65535" in capsys.readouterr().err


def test_cli_workshop_reports_a_busy_port(tmp_path, capsys):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        args = ["workshop", "--data", str(SAMPLE), "--use-case", "UC-0027"]
        status = main([*args, "--port", str(port), "--out", str(tmp_path / "s")])
    assert status == 2
    err = capsys.readouterr().err
    assert f"cannot serve on 127.0.0.1:{port}" in err and "--port" in err


def test_resume_after_kill_9_serves_the_same_addresses(tmp_path):
    """After a crash, ``--resume`` serves on the same port with the same codes,
    so the phones' address, the QR code and the facilitator's link stay valid."""
    out = tmp_path / "out"
    base = [sys.executable, "-m", "aiadopt.cli", "workshop", "--data", str(SAMPLE)]
    base += ["--out", str(out), "--use-case", USE_CASES[0]]

    def serve(*args):
        log = (tmp_path / "server.log").open("a")
        proc = subprocess.Popen(
            [*base, *args], stdout=subprocess.PIPE, stderr=log, text=True, cwd=ROOT
        )
        return proc, _read_urls(proc, tmp_path / "server.log"), log

    proc, first, log = serve("--port", "0")
    proc.send_signal(signal.SIGKILL)  # a crash: no clean-up of any kind
    proc.wait(timeout=30)
    log.close()
    assert (
        json.loads((out / "server.json").read_text())["port"] == urlparse(first["projector"]).port
    )
    proc, again, log = serve("--resume")
    try:
        assert again == first
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
        proc.stdout.close()
        log.close()


def test_board_shows_inline_in_a_notebook(tmp_path):
    """``Board(data).show()`` in a Jupyter kernel displays the live board
    (Panel's notebook extension is loaded by itself), not a text fallback."""
    import nbformat
    import papermill as pm

    code = (
        "from aiadopt.workshop import Board\n"
        f"board = Board({str(SAMPLE)!r}, status='idea', out={str(tmp_path / 'ws')!r})\n"
        "board.show()"
    )
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    nbformat.write(nb, tmp_path / "board.ipynb")
    done = pm.execute_notebook(
        tmp_path / "board.ipynb",
        tmp_path / "board-out.ipynb",
        kernel_name="python3",
        cwd=str(ROOT),
        progress_bar=False,
        execution_timeout=300,
    )
    outputs = done.cells[0].outputs
    streams = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "requires the panel extension" not in streams
    result = [o for o in outputs if o.output_type == "execute_result"]
    assert result and "application/vnd.holoviews_exec.v0+json" in result[0]["data"]
