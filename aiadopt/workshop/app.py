"""The live workshop app: participant, projector and facilitator pages on Panel.

One process serves the three pages (:class:`WorkshopServer`). The pages share
the :class:`~aiadopt.workshop.Board` (the state), never a Panel component
(panel#7884): every browser session builds its own components, subscribes to
the board and schedules its own updates with its document's
``add_next_tick_callback``, the one thread-safe way into a Bokeh document.

The projector's matrix is drawn once per change for all projector sessions,
off the event loop and in a process of its own, by one renderer per board
that waits for a pause in the votes and coalesces changes
(:class:`MatrixRenderer`); vote counts are updated at once. Each drawing
carries the vote count it was drawn from (``data-votes`` and its alt text), so
a test can wait until the matrix shows every vote.

Security: a participant page on a LAN server needs the join code
(``?code=``), the projector needs the view key (``?key=``), the facilitator
page needs the token (``?token=``) and builds no control without it; every
control action passes the session's token to :meth:`Board.control`, which
checks it again.
"""

from __future__ import annotations

import socket
import sys
import threading
import time
import weakref
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlencode

import panel as pn

from ..labels import label
from ..present.formats import Formatter
from ._components import COOKIE, FullScreenButton, VoteCard, render, trusted

if TYPE_CHECKING:
    from .board import Board, Snapshot

__all__ = [
    "MatrixRenderer",
    "WorkshopServer",
    "board_view",
    "facilitator_page",
    "lan_address",
    "participant_page",
    "projector_page",
]

#: Size of the projector's matrix (inches; the SVG scales to the screen).
_MATRIX_SIZE = (8.0, 5.0)


# --------------------------------------------------------------------------
# Live updates


class _Live:
    """A session's link to the board: schedules UI work on the session's own
    document (from any thread) and undoes every subscription when the
    session ends."""

    def __init__(self) -> None:
        self.doc = pn.state.curdoc
        self._undo: list[Callable[[], None]] = []
        self._closed = False
        if self._served:
            pn.state.on_session_destroyed(self.close)

    @property
    def _served(self) -> bool:
        return self.doc is not None and self.doc.session_context is not None

    def keep(self, undo: Callable[[], None]) -> None:
        """Remember ``undo`` (an unsubscribe) for the end of the session."""
        self._undo.append(undo)

    def schedule(self, fn: Callable, *args) -> None:
        """Run ``fn(*args)`` in the session's document (next tick)."""
        if self._closed:
            return
        if self._served:
            try:
                self.doc.add_next_tick_callback(partial(fn, *args))
            except (RuntimeError, AttributeError):  # the session is going away
                pass
        else:  # a notebook: Panel sends changes made from a thread over its comm
            fn(*args)

    def close(self, *_context) -> None:
        self._closed = True
        while self._undo:
            self._undo.pop()()


#: Added to Panel's page template (which has no viewport tag): phones lay the
#: page out at their own width instead of a zoomed-out desktop width.
_PAGE_HEAD = (
    "{% block postamble %}"
    '<meta name="viewport" content="width=device-width, initial-scale=1">'
    "{% endblock %}"
)


def _phone_ready() -> None:
    """Give the session's page the viewport tag (server only)."""
    doc = pn.state.curdoc
    if doc is not None and doc.session_context is not None:
        doc.template = _PAGE_HEAD


def _arg(name: str) -> str | None:
    """A query argument of the page's URL (``?name=value``), or None."""
    values = (pn.state.session_args or {}).get(name)
    if not values:
        return None
    value = values[0]
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


# --------------------------------------------------------------------------
# The matrix


def _matrix_results(snapshot: Snapshot):
    """The results the projector may draw: none while results are hidden."""
    results = snapshot.results
    if not snapshot.revealed:
        results = results.assign(shown=False)
    return results


def _matrix_svg(snapshot: Snapshot, spread: bool, *, lang: str) -> str:
    """The projector's impact-effort matrix of ``snapshot`` as an SVG string:
    the use cases whose results are shown (at least ``min_votes`` votes and
    results revealed), coloured by quadrant as in the reports; with
    ``spread``, each point's standard deviations as error bars."""
    from .matrix import render_matrix

    return render_matrix(_matrix_results(snapshot), lang=lang, spread=spread, size=_MATRIX_SIZE)


#: A drawing starts once the board has been quiet this long (seconds) ...
QUIET_SECONDS = 0.1
#: ... or at the latest this long after the first change it has not drawn yet.
MAX_WAIT_SECONDS = 1.0


class MatrixRenderer:
    """Draws a board's matrix once per change for every projector, in a
    drawing process of its own, coalescing changes.

    The drawing (matplotlib, a few tenths of a second) runs in one separate
    process, so the server's event loop keeps taking votes at full speed while
    it draws. A drawing starts when the board has been quiet for
    :data:`QUIET_SECONDS` (a room voting in a burst gets one drawing after its
    last vote, not a queue of stale ones), or :data:`MAX_WAIT_SECONDS` after
    the first change not yet drawn (a long burst still shows progress). While
    a drawing is under way, later changes only mark it out of date; then the
    latest snapshot is drawn. Listeners get ``(svg_html, votes)`` from the
    renderer thread and must not block (a projector schedules the update on
    its document). Where no process can be started, it draws in its thread.

    Parameters
    ----------
    board : Board
        The board whose changes are drawn.
    process : bool, default=True
        Draw in a separate process (spawned once, reused).
    """

    def __init__(self, board: Board, *, process: bool = True) -> None:
        self.board = board
        self.lang = board.lang
        self._cond = threading.Condition()
        self._latest = board.snapshot()
        self._changed_at = float("-inf")  # monotonic time of the last change
        self._dirty_since: float | None = None  # first change not drawn yet
        self._drawn: dict[bool, tuple[int, str, int]] = {}
        self._listeners: dict[bool, list[Callable[[str, int], None]]] = {False: [], True: []}
        self._pool = self._new_pool() if process else None
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="aiadopt-matrix", daemon=True)
        self._thread.start()
        self._unsubscribe = board.subscribe(self.changed)

    @staticmethod
    def _new_pool():
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        try:
            return ProcessPoolExecutor(
                max_workers=1, mp_context=multiprocessing.get_context("spawn")
            )
        except (OSError, ValueError, NotImplementedError):  # no processes here
            return None

    def changed(self, snapshot: Snapshot) -> None:
        """Mark the drawing out of date (called by the board; never blocks long)."""
        now = time.monotonic()
        with self._cond:
            if snapshot.version >= self._latest.version:
                self._latest = snapshot
            self._changed_at = now
            if self._dirty_since is None:
                self._dirty_since = now
            self._cond.notify_all()

    def listen(self, spread: bool, fn: Callable[[str, int], None]) -> Callable[[], None]:
        """Call ``fn(svg_html, votes)`` with each new drawing (with or without
        the spread); the latest drawing, if any, is passed at once. Returns
        the function that stops it."""
        with self._cond:
            self._listeners[spread].append(fn)
            drawn = self._drawn.get(spread)
            self._cond.notify_all()
        if drawn is not None and drawn[0] == self._latest.version:
            fn(drawn[1], drawn[2])

        def stop() -> None:
            with self._cond:
                if fn in self._listeners[spread]:
                    self._listeners[spread].remove(fn)

        return stop

    def close(self) -> None:
        """Stop drawing and end the drawing process."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        self._unsubscribe()
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)

    def _todo(self):
        for spread in (False, True):
            if not spread or self._listeners[spread]:  # the plain matrix is always kept ready
                drawn = self._drawn.get(spread)
                if drawn is None or drawn[0] != self._latest.version:
                    return spread, self._latest
        return None

    def _next_job(self):
        """Wait for a drawing to do, then for the room to pause (under the lock)."""
        while not self._closed and self._todo() is None:
            self._cond.wait()
        while not self._closed:
            now = time.monotonic()
            since = self._dirty_since if self._dirty_since is not None else now
            wait = min(self._changed_at + QUIET_SECONDS, since + MAX_WAIT_SECONDS) - now
            if wait <= 0:
                break
            self._cond.wait(wait)
        if self._closed:
            return None
        self._dirty_since = None
        return self._todo()

    def _draw(self, snapshot: Snapshot, spread: bool) -> str:
        from .matrix import render_matrix

        results = _matrix_results(snapshot)
        kwargs = {"lang": self.lang, "spread": spread, "size": _MATRIX_SIZE}
        if self._pool is not None:
            from concurrent.futures.process import BrokenProcessPool

            try:
                return self._pool.submit(render_matrix, results, **kwargs).result()
            except (BrokenProcessPool, RuntimeError):  # the process died, or is shut down
                self._pool = None  # draw here from now on
        return render_matrix(results, **kwargs)

    def _run(self) -> None:
        while True:
            with self._cond:
                job = self._next_job()
            if job is None:
                return
            spread, snapshot = job
            votes = int(snapshot.votes)
            try:
                svg = self._draw(snapshot, spread)
            except Exception as exc:  # keep the projector alive; the counts still update
                if self._closed:
                    return
                svg = ""
                print(
                    f"aiadopt workshop: the matrix could not be drawn: {exc}",
                    file=sys.stderr,
                    flush=True,
                )
            fmt = Formatter(self.lang)
            html = render(
                "matrix",
                svg=trusted(svg),
                votes=votes,
                version=snapshot.version,
                spread="true" if spread else "false",
                alt=label("workshop.matrix_alt", self.lang, n=fmt.count(votes)),
            )
            with self._cond:
                self._drawn[spread] = (snapshot.version, html, votes)
                listeners = list(self._listeners[spread])
            for fn in listeners:
                fn(html, votes)


_RENDERERS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_RENDERERS_LOCK = threading.Lock()


def _renderer(board) -> MatrixRenderer:
    with _RENDERERS_LOCK:
        if board not in _RENDERERS:
            _RENDERERS[board] = MatrixRenderer(board)
        return _RENDERERS[board]


# --------------------------------------------------------------------------
# Pages


def _refused(lang: str, what: str) -> pn.viewable.Viewable:
    return pn.pane.HTML(
        render(
            "refused",
            heading=label("workshop.refused", lang),
            text=label(f"workshop.refused_{what}", lang),
        ),
        sizing_mode="stretch_width",
    )


def _item_text(row) -> tuple[str, str]:
    return str(row["title"]), str(row["description"])


class _ParticipantSession:
    """The state of one participant's page."""

    def __init__(self, board, pid: str, *, lang: str, new: bool) -> None:
        self.board = board
        self.pid = pid
        self.lang = lang
        self.fmt = Formatter(lang)
        self.items = board.items.reset_index(drop=True)
        self.ids = list(self.items["use_case_id"])
        self.position = 0
        self.snapshot = board.snapshot()
        words = {
            "impact": label("workshop.impact", lang),
            "effort": label("workshop.effort", lang),
            "impact_n": [
                label("workshop.impact_n", lang, score=self.fmt.count(s)) for s in range(1, 6)
            ],
            "effort_n": [
                label("workshop.effort_n", lang, score=self.fmt.count(s)) for s in range(1, 6)
            ],
            "skip": label("workshop.skip", lang),
            "submit": label("workshop.submit", lang),
        }
        self.card = VoteCard(words=words, cookie=pid if new else "", sizing_mode="stretch_width")
        self.card.on_msg(self._on_msg)
        mine = board.my_votes(pid)
        self.position = self._next_unvoted(-1, mine)
        self.live = _Live()
        self.live.keep(board.subscribe(self._changed))
        self._show(mine=mine)

    def _next_unvoted(self, after: int, mine: dict) -> int:
        n = len(self.ids)
        for step in range(1, n + 1):
            i = (after + step) % n
            if self.ids[i] not in mine:
                return i
        return (after + 1) % n if n else 0

    def _changed(self, snapshot) -> None:
        old = self.snapshot
        if (old.open, old.current, old.ended) != (snapshot.open, snapshot.current, snapshot.ended):
            self.live.schedule(self._apply, snapshot)

    def _apply(self, snapshot) -> None:
        if snapshot.version < self.snapshot.version:
            return
        self.snapshot = snapshot
        self._show(message="")

    def _show(self, *, mine: dict | None = None, message: str | None = None) -> None:
        """Put the current use case (or the step mode's one) on the card."""
        snap = self.snapshot
        if mine is None:
            mine = self.board.my_votes(self.pid)
        lang = self.lang
        if snap.current is not None and snap.current in self.ids:
            self.position = self.ids.index(snap.current)
        row = self.items.iloc[self.position] if self.ids else None
        title, description = _item_text(row) if row is not None else ("", "")
        chosen = mine.get(self.ids[self.position]) if self.ids else None
        left = sum(1 for i in self.ids if i not in mine)
        if snap.ended:
            status = label("workshop.ended", lang)
        elif not snap.open:
            status = label("workshop.closed", lang)
        else:
            status = None
        if status is None and left == 0:
            left_text = label("workshop.all_done", lang)
        else:
            left_text = label("workshop.left", lang, n=self.fmt.count(left))
        update = {
            "title": title,
            "description": description,
            "impact": chosen[0] if chosen else 0,
            "effort": chosen[1] if chosen else 0,
            "left": left_text,
            "enabled": status is None and row is not None,
            "can_skip": snap.current is None and status is None,
        }
        if status is not None:
            update["message"] = status
        elif message is not None:
            update["message"] = message
        self.card.param.update(**update)

    def _on_msg(self, event) -> None:
        from . import VotingClosed

        msg = event.data  # {"action": "submit" | "skip", "impact": i, "effort": e}
        if not isinstance(msg, dict) or not self.ids:
            return
        action = msg.get("action")
        mine = self.board.my_votes(self.pid)
        if action == "skip":
            if self.snapshot.current is None:
                self.position = (self.position + 1) % len(self.ids)
            self._show(mine=mine, message="")
            return
        if action != "submit":
            return
        impact, effort = msg.get("impact"), msg.get("effort")
        if impact not in range(1, 6) or effort not in range(1, 6):
            self.card.message = label("workshop.choose_both", self.lang)
            return
        use_case = self.ids[self.position]
        try:
            self.snapshot = self.board.vote(self.pid, use_case, int(impact), int(effort))
        except VotingClosed:
            self.snapshot = self.board.snapshot()
            self._show(message=label("workshop.closed", self.lang))
            return
        mine = self.board.my_votes(self.pid)
        title = _item_text(self.items.iloc[self.position])[0]
        if self.snapshot.current is None:
            self.position = self._next_unvoted(self.position, mine)
        self._show(mine=mine, message=label("workshop.saved", self.lang, title=title))


def participant_page(board: Board, *, lang: str | None = None) -> pn.viewable.Viewable:
    """The participant's page for the current browser session.

    On a LAN server (``board.lan``) it asks for the join code until the URL
    carries the right ``?code=``; the participant id comes from the
    ``aiadopt_participant`` cookie when it is well-formed, otherwise a new one
    is made (and the page stores it in the cookie, ``SameSite=Strict``).

    Parameters
    ----------
    board : Board
        The shared vote board.
    lang : {"en", "nl"}, default=None
        Language of the page; ``None``: the board's.

    Returns
    -------
    Viewable
        The vote card, or the join-code form.
    """
    lang = lang or board.lang
    _phone_ready()
    if board.lan:
        code = _arg("code")
        if code is None or not board.check_code(code):
            return pn.pane.HTML(
                render(
                    "code_form",
                    heading=label("workshop.join_heading", lang),
                    prompt=label("workshop.join_prompt", lang),
                    join=label("workshop.join", lang),
                    wrong=label("workshop.join_wrong", lang) if code else "",
                ),
                sizing_mode="stretch_width",
            )
    cookie = (pn.state.cookies or {}).get(COOKIE, "")
    new = not board.is_participant(cookie)
    pid = board.new_participant() if new else cookie
    session = _ParticipantSession(board, pid, lang=lang, new=new)
    return pn.Column(session.card, sizing_mode="stretch_width", styles={"padding": "8px"})


def _set(pane, html: str) -> None:
    """Send ``html`` to the browser only when it changed."""
    if pane.object != html:
        pane.object = html


class _ProjectorView:
    """The live projector: counts, hidden use cases, the matrix, spread."""

    def __init__(self, board, *, lang: str, join: dict | None, large: bool = True) -> None:
        self.board = board
        self.lang = lang
        self.fmt = Formatter(lang)
        self.large = large
        self.size = "2.8em" if large else "1.3em"
        self.items = board.items.set_index("use_case_id")["title"]
        self.counts = pn.pane.HTML(sizing_mode="stretch_width")
        self.status = pn.pane.HTML(sizing_mode="stretch_width")
        self.hidden = pn.pane.HTML(sizing_mode="stretch_width")
        self.matrix = pn.pane.HTML(
            sizing_mode="stretch_width",
            min_height=300,
            stylesheets=[".aiadopt-matrix svg { width: 100%; height: auto; max-height: 74vh; }"],
        )
        self.spread = pn.widgets.Toggle(
            label=label("workshop.show_spread", lang),
            width=260 if large else 180,
            stylesheets=[".bk-btn { font-size: 1.4em; }"] if large else [],
        )
        self.version = -1
        snapshot = board.snapshot()
        self._counts(snapshot)
        self.live = _Live()
        self.live.keep(board.subscribe(lambda s: self.live.schedule(self._counts, s)))
        self.renderer = _renderer(board)
        self._stop_matrix = self.renderer.listen(False, self._drawn)
        self.live.keep(lambda: self._stop_matrix())
        self.spread.param.watch(self._toggle_spread, "value")
        heading = pn.pane.HTML(
            render(
                "status",
                size="2em" if large else "1.1em",
                lines=[label("workshop.projector_title", lang)],
            ),
            sizing_mode="stretch_width",
        )
        buttons = [self.spread]
        if large:  # the wall: a button to leave the browser's bars behind
            buttons.append(
                FullScreenButton(
                    label=label("workshop.full_screen", lang),
                    exit_label=label("workshop.exit_full_screen", lang),
                )
            )
        left = pn.Column(
            heading,
            self.counts,
            self.status,
            self.matrix,
            pn.Row(*buttons),
            self.hidden,
            sizing_mode="stretch_width",
        )
        if join is not None:
            side = pn.pane.HTML(render("join", **join), width=340)
            self.layout = pn.Row(left, side, sizing_mode="stretch_width")
        else:
            self.layout = left

    def _drawn(self, html: str, votes: int) -> None:
        self.live.schedule(self._set_matrix, html)

    def _set_matrix(self, html: str) -> None:
        self.matrix.object = html

    def _toggle_spread(self, event) -> None:
        self._stop_matrix()
        self._stop_matrix = self.renderer.listen(bool(event.new), self._drawn)

    def _counts(self, snapshot) -> None:
        if snapshot.version < self.version:
            return
        self.version = snapshot.version
        lang, fmt = self.lang, self.fmt
        _set(
            self.counts,
            render(
                "counts",
                size=self.size,
                votes=snapshot.votes,
                participants=snapshot.participants,
                votes_text=label("workshop.votes", lang, n=fmt.count(snapshot.votes)),
                participants_text=label(
                    "workshop.participants", lang, n=fmt.count(snapshot.participants)
                ),
            ),
        )
        lines = []
        if snapshot.ended:
            lines.append(label("workshop.ended", lang))
        elif not snapshot.open:
            lines.append(label("workshop.closed", lang))
        if snapshot.current is not None:
            title = self.items.get(snapshot.current, snapshot.current)
            lines.append(label("workshop.now", lang, title=title))
        if not snapshot.revealed:
            lines.append(label("workshop.results_hidden", lang))
        _set(self.status, render("status", size="1.8em" if self.large else "1.1em", lines=lines))
        results = snapshot.results
        rows = [
            (
                r.use_case_id,
                r.title,
                label("workshop.hidden", lang, n=fmt.count(int(r.votes))),
            )
            for r in results.itertuples()
            if r.votes > 0 and (not r.shown or not snapshot.revealed)
        ]
        _set(self.hidden, render("hidden", size="1.6em" if self.large else "1em", rows=rows))


def _qr_svg(url: str) -> str:
    import segno

    return segno.make(url, error="m").svg_inline(scale=5, border=2, omitsize=True)


def projector_page(
    board: Board, *, participant_url: str, lang: str | None = None
) -> pn.viewable.Viewable:
    """The projector's page: large type, the live matrix, the counts, the
    hidden use cases, a "Show spread" toggle, the QR code and join code.

    Parameters
    ----------
    board : Board
        The shared vote board.
    participant_url : str
        The address the QR code and the page show (with the join code on a
        LAN server).
    lang : {"en", "nl"}, default=None
        Language of the page; ``None``: the board's.

    Returns
    -------
    Viewable
        The projector, or a refusal when a LAN server's URL lacks the right
        view key (``?key=``).
    """
    lang = lang or board.lang
    if board.lan and not board.check_view_key(_arg("key") or ""):
        return _refused(lang, "projector")
    join = {
        "qr": trusted(_qr_svg(participant_url)),
        "prompt": label("workshop.join_code", lang),
        "code": board.join_code,
        "url": participant_url,
    }
    view = _ProjectorView(board, lang=lang, join=join)
    return pn.Column(view.layout, sizing_mode="stretch_both", styles={"padding": "12px"})


class _Controls:
    """The facilitator's controls; every action passes ``token`` on."""

    def __init__(self, board, token: str, *, lang: str) -> None:
        self.board = board
        self.token = token
        self.lang = lang
        self.fmt = Formatter(lang)
        items = board.items
        self.ids = list(items["use_case_id"])
        options = {f"{r.use_case_id} · {r.title}": r.use_case_id for r in items.itertuples()}
        L = partial(label, lang=lang)  # noqa: N806

        def button(key: str, action: Callable, kind: str = "default") -> pn.widgets.Button:
            b = pn.widgets.Button(label=L(f"workshop.{key}"), color=kind, min_width=150)
            b.on_click(lambda _event: action())
            return b

        self.open = button("open", lambda: self._do("open"), "success")
        self.close = button("close", lambda: self._do("close"), "warning")
        self.reveal = button("reveal", lambda: self._do("reveal"))
        self.hide = button("hide", lambda: self._do("hide"))
        self.step_select = pn.widgets.Select(label=L("workshop.use_case"), options=options)
        self.step_this = button("step_this", lambda: self._do("step", self.step_select.value))
        self.previous = button("previous", lambda: self._move(-1))
        self.next = button("next", lambda: self._move(+1))
        self.all = button("all_at_once", lambda: self._do("step", None))
        self.reset_select = pn.widgets.Select(label=L("workshop.use_case"), options=options)
        self.reset = button("reset", self._ask_reset, "danger")
        self.confirm = button("reset_confirm", self._reset, "danger")
        self.cancel = button("cancel", self._cancel_reset)
        self.confirm.visible = self.cancel.visible = False
        self.end = button("end_export", self._end, "primary")
        self.message = pn.pane.HTML(sizing_mode="stretch_width")
        self.snapshot = board.snapshot()
        self.live = _Live()
        self.live.keep(board.subscribe(lambda s: self.live.schedule(self._state, s)))
        self._state(self.snapshot)
        self.layout = pn.Column(
            pn.pane.HTML(render("status", size="1.3em", lines=[L("workshop.facilitator_title")])),
            pn.Row(self.open, self.close, self.reveal, self.hide),
            pn.Row(self.step_select, self.step_this),
            pn.Row(self.previous, self.next, self.all),
            pn.Row(self.reset_select, self.reset, self.confirm, self.cancel),
            pn.Row(self.end),
            self.message,
            sizing_mode="stretch_width",
        )

    def _state(self, snapshot) -> None:
        if snapshot.version < self.snapshot.version:
            return
        self.snapshot = snapshot
        done = snapshot.ended
        self.open.disabled = done or snapshot.open
        self.close.disabled = done or not snapshot.open
        self.reveal.disabled = snapshot.revealed
        self.hide.disabled = not snapshot.revealed
        for b in (self.step_this, self.previous, self.next, self.all, self.reset, self.end):
            b.disabled = done
        self.all.disabled = done or snapshot.current is None

    def _do(self, action: str, use_case_id: str | None = None):
        from . import Refused, VotingClosed

        try:
            snapshot = self.board.control(action, token=self.token, use_case_id=use_case_id)
        except Refused:
            self.message.object = render(
                "status", size="1.1em", lines=[label("workshop.refused_facilitator", self.lang)]
            )
            return None
        except (KeyError, ValueError, VotingClosed):
            self.message.object = render(
                "status", size="1.1em", lines=[label("workshop.not_now", self.lang)]
            )
            return None
        self._state(snapshot)
        return snapshot

    def _move(self, step: int) -> None:
        current = self.snapshot.current
        if current in self.ids:
            i = (self.ids.index(current) + step) % len(self.ids)
        else:
            i = 0 if step > 0 else len(self.ids) - 1
        self.step_select.value = self.ids[i]
        self._do("step", self.ids[i])

    def _ask_reset(self) -> None:
        title = self.board.items.set_index("use_case_id")["title"].get(self.reset_select.value, "")
        self.confirm.label = label("workshop.reset_confirm", self.lang, title=title)
        self.confirm.visible = self.cancel.visible = True

    def _cancel_reset(self) -> None:
        self.confirm.visible = self.cancel.visible = False

    def _reset(self) -> None:
        self.confirm.visible = self.cancel.visible = False
        self._do("reset", self.reset_select.value)

    def _end(self) -> None:
        if self._do("end") is None:
            return
        self.end.disabled = True
        self.message.object = render(
            "status", size="1.1em", lines=[label("workshop.exporting", self.lang)]
        )
        threading.Thread(target=self._export, name="aiadopt-export", daemon=True).start()

    def _export(self) -> None:
        try:
            paths = self.board.export()
        except Exception as exc:  # shown to the facilitator; the votes are safe in votes.csv
            html = render(
                "status",
                size="1.1em",
                lines=[label("workshop.export_failed", self.lang, error=str(exc))],
            )
        else:
            html = render(
                "paths",
                heading=label("workshop.exported", self.lang),
                paths=[(name, str(Path(p))) for name, p in paths.items()],
            )
        self.live.schedule(setattr, self.message, "object", html)


def facilitator_page(board: Board, *, lang: str | None = None) -> pn.viewable.Viewable:
    """The facilitator's page: with the right ``?token=``, the controls and
    the live projector view; otherwise a refusal, and no control is built.

    Parameters
    ----------
    board : Board
        The shared vote board.
    lang : {"en", "nl"}, default=None
        Language of the page; ``None``: the board's.

    Returns
    -------
    Viewable
        The controls, or the refusal.
    """
    lang = lang or board.lang
    _phone_ready()
    token = _arg("token")
    if token is None or not board.check_token(token):
        return _refused(lang, "facilitator")
    controls = _Controls(board, token, lang=lang)
    view = _ProjectorView(board, lang=lang, join=None, large=False)
    return pn.Column(
        controls.layout, view.layout, sizing_mode="stretch_width", styles={"padding": "12px"}
    )


def _notebook_ready() -> None:
    """Load Panel's notebook extension once when running in a Jupyter kernel:
    without it, JupyterLab shows the board as text (Panel's own warning)."""
    shell = sys.modules.get("IPython")
    ip = shell.get_ipython() if shell is not None else None
    if ip is not None and getattr(ip, "kernel", None) is not None:
        if not pn.extension._loaded:
            pn.extension()


def board_view(board: Board) -> pn.viewable.Viewable:
    """The projector and the facilitator's controls of ``board`` in one
    layout, for a notebook (``Board.show()``); the controls use
    ``board.token``.

    Parameters
    ----------
    board : Board
        The shared vote board.

    Returns
    -------
    Viewable
        A Panel column that updates live as votes arrive.

    Examples
    --------
    >>> from aiadopt.workshop import Board            # doctest: +SKIP
    >>> Board("data/sample", status=["idea"]).show()  # doctest: +SKIP
    """
    _notebook_ready()
    lang = board.lang
    view = _ProjectorView(board, lang=lang, join=None, large=False)
    controls = _Controls(board, board.token, lang=lang)
    return pn.Column(view.layout, controls.layout, sizing_mode="stretch_width")


# --------------------------------------------------------------------------
# Serving


def lan_address() -> str:
    """This machine's LAN address, found without sending a packet (a UDP
    socket's route to a documentation address, RFC 5737); ``"0.0.0.0"``
    (all interfaces) when there is none."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))  # UDP connect sends nothing
            address = probe.getsockname()[0]
    except OSError:
        return "0.0.0.0"
    return "0.0.0.0" if address.startswith("127.") or address == "0.0.0.0" else address


def _free_port(address: str) -> int:
    """A port free on ``address`` now. The allowed websocket origin names the
    port, so it is known before the server binds it (a moment later)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((address, 0))
        return s.getsockname()[1]


class WorkshopServer:
    """The three pages of ``board`` on one Panel server.

    Parameters
    ----------
    board : Board
        The shared vote board.
    address : str, default="127.0.0.1"
        Interface to bind; ``"0.0.0.0"`` binds all of them.
    port : int, default=0
        Port; 0 picks a free one (see :attr:`port`).

    Attributes
    ----------
    urls : dict
        ``participant``, ``projector`` and ``facilitator`` URLs, with the join
        code, view key and token they need.
    """

    def __init__(self, board: Board, *, address: str = "127.0.0.1", port: int = 0) -> None:
        self.board = board
        self.address = address
        self.port = port or _free_port(address)
        host = socket.gethostname() if address == "0.0.0.0" else address
        self.host = host
        base = f"http://{host}:{self.port}"
        participant = f"{base}/participant"
        if board.lan:
            participant += "?" + urlencode({"code": board.join_code})
        projector = f"{base}/projector"
        if board.lan:
            projector += "?" + urlencode({"key": board.view_key})
        self.urls = {
            "participant": participant,
            "projector": projector,
            "facilitator": f"{base}/facilitator?" + urlencode({"token": board.token}),
        }
        origins = [f"{host}:{self.port}"]
        if address == "0.0.0.0":
            origins += [f"localhost:{self.port}", f"127.0.0.1:{self.port}"]
        lang = board.lang

        # Panel calls a plain function once per session (not a functools.partial).
        def participant_app():
            return participant_page(board)

        def projector_app():
            return projector_page(board, participant_url=participant)

        def facilitator_app():
            return facilitator_page(board)

        self.server = pn.serve(
            {
                "participant": participant_app,
                "projector": projector_app,
                "facilitator": facilitator_app,
            },
            address=address,
            port=self.port,
            websocket_origin=origins,
            show=False,
            start=False,
            verbose=False,
            location=False,
            title={
                "participant": label("workshop.participant_title", lang),
                "projector": label("workshop.projector_title", lang),
                "facilitator": label("workshop.facilitator_title", lang),
            },
        )
        _renderer(board)  # the first projector finds a drawing ready

    def run(self) -> None:
        """Serve until :meth:`stop` or Ctrl-C (KeyboardInterrupt is passed on)."""
        self.server.start()
        try:
            self.server.io_loop.start()
        finally:
            self.server.stop()
            with _RENDERERS_LOCK:
                renderer = _RENDERERS.pop(self.board, None)
            if renderer is not None:
                renderer.close()

    def stop(self) -> None:
        """Stop serving (from any thread)."""
        self.server.io_loop.add_callback(self.server.io_loop.stop)
