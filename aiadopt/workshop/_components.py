"""Browser-side pieces of the workshop app: the participant's vote card and
the HTML fragments of the pages (Jinja2, autoescaped).

The vote card is a :class:`panel.custom.JSComponent` with an inline ES module
(no imports, so nothing is fetched from a CDN). It draws real ``<button>``
elements with ``aria-label`` and ``aria-pressed``; every word it shows comes
from the Python side (the label catalogue), the module holds none.
"""

from __future__ import annotations

import functools

import jinja2
import panel as pn
import param
from markupsafe import Markup

__all__ = ["FullScreenButton", "VoteCard", "render"]

#: The cookie that keeps a participant's anonymous id across reloads.
COOKIE = "aiadopt_participant"


class FullScreenButton(pn.custom.JSComponent):
    """A button that puts the whole page in full screen (and back): the
    projector on the wall, without the browser's bars. Browsers allow it only
    from a click, so it cannot happen by itself when the page opens."""

    label = param.String(default="", doc="the button's text outside full screen")
    exit_label = param.String(default="", doc="its text in full screen")

    _stylesheets = [
        """
        button { font-size: 1.4em; min-height: 44px; padding: 0 1em; border-radius: 6px;
                 border: 2px solid #4c566a; background: #eceff4; color: #1a1a1a; cursor: pointer; }
        button:focus-visible { outline: 3px solid #d08770; outline-offset: 2px; }
        """
    ]

    _esm = """
    export function render({ model }) {
      const button = document.createElement("button");
      button.type = "button";
      const sync = () => {
        button.textContent = document.fullscreenElement ? model.exit_label : model.label;
        button.setAttribute("aria-pressed", String(Boolean(document.fullscreenElement)));
      };
      button.addEventListener("click", () => {
        if (document.fullscreenElement) {
          document.exitFullscreen();
        } else {
          document.documentElement.requestFullscreen();
        }
      });
      document.addEventListener("fullscreenchange", sync);
      model.on(["label", "exit_label"], sync);
      sync();
      return button;
    }
    """


class VoteCard(pn.custom.JSComponent):
    """One use case to score: title, description, impact and effort 1–5,
    Skip and Submit, what is left and what just happened.

    The browser sets ``impact`` / ``effort`` when a score is chosen and sends
    ``{"action": "submit" | "skip", "impact": i, "effort": e}`` with
    ``model.send_msg``; the Python side answers by updating the parameters.
    """

    title = param.String(default="")
    description = param.String(default="")
    impact = param.Integer(default=0, bounds=(0, 5), doc="chosen impact; 0: none yet")
    effort = param.Integer(default=0, bounds=(0, 5), doc="chosen effort; 0: none yet")
    left = param.String(default="", doc="how many use cases are left, as a sentence")
    message = param.String(default="", doc="confirmation or reason, read out politely")
    enabled = param.Boolean(default=True, doc="whether the scores and Submit can be used")
    can_skip = param.Boolean(default=True)
    words = param.Dict(default={}, doc="labels: impact, effort, impact_n, effort_n, skip, submit")
    cookie = param.String(default="", doc="participant id to keep in the cookie")

    _stylesheets = [
        """
        :host { display: block; width: 100%; }
        .card { font-family: system-ui, sans-serif; font-size: 18px; max-width: 560px;
                margin: 0 auto; padding: 4px 8px; color: #1a1a1a; }
        h2 { font-size: 1.35em; margin: 0.2em 0 0.3em; }
        .description { margin: 0 0 0.8em; line-height: 1.4; }
        .row-label { font-weight: 600; margin: 0.6em 0 0.3em; }
        .scores { display: flex; gap: 8px; }
        .scores button { flex: 1 1 0; min-height: 52px; min-width: 44px; font-size: 1.3em;
                         border: 2px solid #4c566a; border-radius: 8px; background: #fff;
                         color: #1a1a1a; cursor: pointer; }
        .scores button[aria-pressed="true"] { background: #1f5f99; border-color: #1f5f99;
                                               color: #fff; font-weight: 700; }
        .actions { display: flex; gap: 12px; margin-top: 1.1em; }
        .actions button { flex: 1 1 0; min-height: 52px; font-size: 1.1em; border-radius: 8px;
                          border: 2px solid #4c566a; background: #eceff4; color: #1a1a1a; }
        .actions button.submit { background: #1f5f99; border-color: #1f5f99; color: #fff; }
        button:disabled { opacity: 0.45; cursor: default; }
        button:focus-visible { outline: 3px solid #d08770; outline-offset: 2px; }
        .left { margin-top: 1em; color: #3b4252; }
        .message { margin-top: 0.6em; min-height: 1.4em; font-weight: 600; color: #2e6b30; }
        """
    ]

    _esm = """
    export function render({ model, el }) {
      const card = document.createElement("div");
      card.className = "card";
      const title = document.createElement("h2");
      const description = document.createElement("p");
      description.className = "description";
      card.append(title, description);
      const rows = {};
      for (const kind of ["impact", "effort"]) {
        const head = document.createElement("div");
        head.className = "row-label";
        const row = document.createElement("div");
        row.className = "scores";
        row.setAttribute("role", "group");
        const buttons = [];
        for (let score = 1; score <= 5; score++) {
          const button = document.createElement("button");
          button.type = "button";
          button.textContent = String(score);
          button.addEventListener("click", () => { model[kind] = score; });
          buttons.push(button);
          row.append(button);
        }
        rows[kind] = { head, row, buttons };
        card.append(head, row);
      }
      const actions = document.createElement("div");
      actions.className = "actions";
      const skip = document.createElement("button");
      skip.type = "button";
      const submit = document.createElement("button");
      submit.type = "button";
      submit.className = "submit";
      actions.append(skip, submit);
      const left = document.createElement("div");
      left.className = "left";
      const message = document.createElement("div");
      message.className = "message";
      message.setAttribute("role", "status");
      message.setAttribute("aria-live", "polite");
      card.append(actions, left, message);
      const send = (action) => model.send_msg(
        { action: action, impact: model.impact, effort: model.effort });
      skip.addEventListener("click", () => send("skip"));
      submit.addEventListener("click", () => send("submit"));

      function update() {
        const words = model.words || {};
        title.textContent = model.title;
        description.textContent = model.description;
        for (const kind of ["impact", "effort"]) {
          const { head, row, buttons } = rows[kind];
          head.textContent = words[kind] || "";
          row.setAttribute("aria-label", words[kind] || "");
          buttons.forEach((button, i) => {
            button.setAttribute("aria-label", (words[kind + "_n"] || [])[i] || "");
            button.setAttribute("aria-pressed", String(model[kind] === i + 1));
            button.disabled = !model.enabled;
          });
        }
        skip.textContent = words.skip || "";
        submit.textContent = words.submit || "";
        skip.hidden = !model.can_skip;
        submit.disabled = !model.enabled;
        left.textContent = model.left;
        message.textContent = model.message;
        if (model.cookie) {
          document.cookie = "COOKIE=" + encodeURIComponent(model.cookie) +
            "; Max-Age=86400; Path=/; SameSite=Strict";
        }
      }
      for (const name of ["title", "description", "impact", "effort", "left", "message",
                          "enabled", "can_skip", "words", "cookie"]) {
        model.on(name, update);
      }
      update();
      el.append(card);
    }
    """.replace("COOKIE", COOKIE)


_ENV = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)

_TEMPLATES: dict[str, str] = {
    # The live matrix: the figure carries the vote count it was drawn from.
    "matrix": (
        '<figure class="aiadopt-matrix" role="img" aria-label="{{ alt }}" '
        'data-votes="{{ votes }}" data-version="{{ version }}" data-spread="{{ spread }}" '
        'style="margin:0;width:100%">{{ svg }}</figure>'
    ),
    "counts": (
        '<div class="aiadopt-counts" style="font-size:{{ size }};font-weight:700;'
        'line-height:1.2;font-family:system-ui,sans-serif">'
        '<span data-votes="{{ votes }}">{{ votes_text }}</span> · '
        '<span data-participants="{{ participants }}">{{ participants_text }}</span></div>'
    ),
    "status": (
        '<div class="aiadopt-status" style="font-size:{{ size }};font-family:system-ui,'
        'sans-serif">{% for line in lines %}<div>{{ line }}</div>{% endfor %}</div>'
    ),
    "hidden": (
        '<ul class="aiadopt-hidden" style="font-size:{{ size }};font-family:system-ui,'
        'sans-serif;margin:0;padding-left:1.2em">'
        '{% for id, title, text in rows %}<li data-use-case="{{ id }}"><strong>{{ id }}</strong>'
        " {{ title }}: {{ text }}</li>{% endfor %}</ul>"
    ),
    "join": (
        '<div class="aiadopt-join" style="font-family:system-ui,sans-serif;text-align:center">'
        '<div style="width:280px;margin:0 auto">{{ qr }}</div>'
        '<div style="font-size:1.5em">{{ prompt }}</div>'
        '<div class="aiadopt-join-code" style="font-size:4.5em;font-weight:800;'
        'letter-spacing:0.15em">{{ code }}</div>'
        '<div style="font-size:1.2em;word-break:break-all">{{ url }}</div></div>'
    ),
    "refused": (
        '<div class="aiadopt-refused" role="alert" style="font-family:system-ui,sans-serif;'
        'font-size:1.3em;padding:1em"><h1>{{ heading }}</h1><p>{{ text }}</p></div>'
    ),
    "code_form": (
        '<form method="get" class="aiadopt-code-form" style="font-family:system-ui,sans-serif;'
        'font-size:1.2em;padding:1em;max-width:420px;margin:0 auto">'
        '<h1>{{ heading }}</h1>{% if wrong %}<p role="alert">{{ wrong }}</p>{% endif %}'
        '<label for="code">{{ prompt }}</label><br>'
        '<input id="code" name="code" autocomplete="off" autocapitalize="characters" '
        'required style="font-size:1.6em;width:8em;letter-spacing:0.15em;margin:0.4em 0">'
        '<br><button type="submit" style="font-size:1em;min-height:48px;min-width:8em">'
        "{{ join }}</button></form>"
    ),
    "paths": (
        '<div class="aiadopt-export" style="font-family:system-ui,sans-serif">'
        "<p>{{ heading }}</p><ul>{% for name, path in paths %}"
        "<li><strong>{{ name }}</strong>: <code>{{ path }}</code></li>{% endfor %}</ul></div>"
    ),
}


@functools.cache
def _template(name: str) -> jinja2.Template:
    return _ENV.from_string(_TEMPLATES[name])


def render(name: str, **values) -> str:
    """The HTML fragment ``name`` of :data:`_TEMPLATES` with ``values``
    (escaped, except for values passed as :class:`markupsafe.Markup`)."""
    return _template(name).render(**values)


def trusted(svg: str) -> Markup:
    """An SVG drawn by matplotlib or segno in this process, placed as it is."""
    return Markup(svg)
