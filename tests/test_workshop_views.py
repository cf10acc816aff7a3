"""The workshop app without a browser: the coalescing matrix renderer, the
notebook view (``Board.show()``), the LAN address and the CLI's checks."""

from __future__ import annotations

import socket
import threading
from pathlib import Path

import pytest

pn = pytest.importorskip("panel")

from aiadopt.cli import main  # noqa: E402
from aiadopt.workshop import Board, app  # noqa: E402

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
USE_CASES = ["UC-0027", "UC-0034", "UC-0043"]


@pytest.fixture
def board(tmp_path):
    b = Board(SAMPLE, use_cases=USE_CASES, out=tmp_path / "session")
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

    def slow_svg(snapshot, spread, *, lang):
        drawn.append(snapshot.votes)
        drawing.set()
        release.wait(10)
        return "<svg></svg>"

    monkeypatch.setattr(app, "_matrix_svg", slow_svg)
    renderer = app.MatrixRenderer(board)
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
