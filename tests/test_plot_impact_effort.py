"""The impact-effort matrix: assertions on artists, not pixels."""

from __future__ import annotations

import itertools

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_rgb  # noqa: E402
from matplotlib.legend import Legend  # noqa: E402

from aiadopt.labels import label  # noqa: E402
from aiadopt.plots import palette  # noqa: E402
from aiadopt.plots.impact_effort import plot_impact_effort  # noqa: E402
from aiadopt.prioritisation import compute_priorities  # noqa: E402

QUADRANT_NAMES = {
    "en": {"Quick wins", "Major projects", "Fill-ins", "Thankless tasks"},
    "nl": {"Quick wins", "Grote projecten", "Opvullers", "Ondankbare taken"},
}


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _register(rng, n, *, step=0.25):
    """``n`` use cases with scores on a ``step`` grid and varied investments."""

    def score():
        return np.round(rng.uniform(1, 5, n) / step) * step

    goals = np.array(["personal", "operational", "strategic"])
    return [
        {
            "use_case_id": f"UC-{i + 1:03d}",
            "goal": str(g),
            "impact": float(a),
            "effort": float(b),
            "feasibility": float(c),
            "urgency": float(d),
            "investment_eur": float(e),
        }
        for i, (g, a, b, c, d, e) in enumerate(
            zip(
                rng.choice(goals, n),
                score(),
                score(),
                score(),
                score(),
                np.round(rng.lognormal(10, 1.2, n), -2),
                strict=True,
            )
        )
    ]


def _axes(figsize=(9, 7)):
    fig, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def _points(ax):
    (points,) = [c for c in ax.collections if c.get_gid() == "use_cases"]
    return points


def _texts(ax, gid):
    return [t for t in ax.texts if t.get_gid() == gid]


def _labels(ax):
    return [t.get_text() for t in _texts(ax, "use_case_label")]


def _by_position(ax):
    """(x, y) of each drawn point -> (size, rgb)."""
    points = _points(ax)
    sizes = np.broadcast_to(points.get_sizes(), (len(points.get_offsets()),))
    return {
        (round(float(x), 9), round(float(y), 9)): (float(s), tuple(fc[:3]))
        for (x, y), s, fc in zip(points.get_offsets(), sizes, points.get_facecolors(), strict=True)
    }


def _distinct(make_dataset, rng, n):
    """A register whose points all sit at different coordinates."""
    rows = _register(rng, n, step=0.01)
    prio = compute_priorities(make_dataset(use_cases=rows))
    assert not prio[["effort", "impact"]].duplicated().any()
    return prio


# --- the matrix -----------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_quadrant_names_axes_labels_and_split_lines(make_dataset, rng, lang):
    ax = _axes()
    plot_impact_effort(make_dataset(use_cases=_register(rng, 10)), ax=ax, lang=lang, annotate=False)
    names = {t.get_text(): t.get_position() for t in _texts(ax, "quadrant_name")}
    assert set(names) == QUADRANT_NAMES[lang]
    quick = label("quadrant.quick_wins", lang)
    thankless = label("quadrant.thankless_tasks", lang)
    # Quick wins top-left (low effort, high impact); Thankless tasks bottom-right
    assert names[quick][0] < 0.5 < names[quick][1]
    assert names[thankless][1] < 0.5 < names[thankless][0]
    assert ax.get_xlabel() == label("text.effort", lang)
    assert ax.get_ylabel() == label("text.impact", lang)
    lo, hi = ax.get_xlim()
    assert lo < 1 and hi > 5 and (lo, hi) == ax.get_ylim()
    dashed = [line for line in ax.get_lines() if line.get_linestyle() == "--"]
    assert [list(map(float, line.get_xdata())) for line in dashed][0] == [3.0, 3.0]
    assert [list(map(float, line.get_ydata())) for line in dashed][1] == [3.0, 3.0]


def test_custom_split_moves_lines(make_dataset, rng):
    ax = _axes()
    plot_impact_effort(make_dataset(use_cases=_register(rng, 5)), ax=ax, split=2.5, annotate=False)
    vertical, horizontal = ax.get_lines()
    assert list(map(float, vertical.get_xdata())) == [2.5, 2.5]
    assert list(map(float, horizontal.get_ydata())) == [2.5, 2.5]


def test_one_point_per_row(make_dataset, rng):
    prio = compute_priorities(make_dataset(use_cases=_register(rng, 37)))
    ax = _axes()
    plot_impact_effort(prio, ax=ax, annotate=False)
    assert len(_points(ax).get_offsets()) == len(prio) == 37


def test_point_size_grows_with_investment(make_dataset, rng):
    prio = _distinct(make_dataset, rng, 30)
    ax = _axes()
    plot_impact_effort(prio, ax=ax, annotate=False, size="investment_eur")
    drawn = _by_position(ax)
    ordered = prio.sort_values("investment_eur")
    sizes = [
        drawn[(round(e, 9), round(i, 9))][0]
        for e, i in zip(ordered["effort"], ordered["impact"], strict=True)
    ]
    assert np.all(np.diff(sizes) >= 0)
    assert sizes[-1] > 5 * sizes[0]
    # the size legend shows two or three round amounts, translated
    (size_legend,) = [
        lg for lg in ax.get_children() if isinstance(lg, Legend)
        and lg.get_title().get_text() == label("text.investment", "en")
    ]  # fmt: skip
    assert 2 <= len(size_legend.get_texts()) <= 3


def test_colours_follow_shared_palette(make_dataset, rng):
    prio = _distinct(make_dataset, rng, 30)
    for hue in ("goal", "status", "quadrant"):
        ax = _axes()
        plot_impact_effort(prio, ax=ax, hue=hue, annotate=False)
        drawn = _by_position(ax)
        pal = palette(hue)
        for _, row in prio.iterrows():
            _, rgb = drawn[(round(row["effort"], 9), round(row["impact"], 9))]
            assert rgb == pytest.approx(to_rgb(pal[row[hue]]))
        plt.close("all")


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_hue_legend_translated(make_dataset, rng, lang):
    prio = compute_priorities(make_dataset(use_cases=_register(rng, 30)))
    ax = _axes()
    plot_impact_effort(prio, ax=ax, hue="quadrant", lang=lang, annotate=False)
    (legend,) = [
        lg for lg in ax.get_children() if isinstance(lg, Legend)
        and lg.get_title().get_text() == label("text.quadrant", lang)
    ]  # fmt: skip
    assert {t.get_text() for t in legend.get_texts()} <= QUADRANT_NAMES[lang]


def test_identical_points_stay_distinguishable(make_dataset):
    rows = [{"use_case_id": f"D{i}", "impact": 4.0, "effort": 2.0} for i in range(4)]
    rows += [{"use_case_id": f"S{i}", "impact": 3.0, "effort": 3.0} for i in range(3)]
    rows += [{"use_case_id": "single", "impact": 1.5, "effort": 4.5}]
    ax = _axes()
    plot_impact_effort(make_dataset(use_cases=rows), ax=ax, annotate=False)
    offsets = _points(ax).get_offsets()
    assert len({(round(x, 6), round(y, 6)) for x, y in offsets}) == len(rows)
    for x, y in offsets:
        if np.hypot(x - 2.0, y - 4.0) < 0.2:
            assert np.hypot(x - 2.0, y - 4.0) > 0.01
        elif np.hypot(x - 3.0, y - 3.0) < 0.2:
            # on both split lines: only moved to the low side, so still a Fill-in
            assert x <= 3.0 and y <= 3.0
        else:
            assert (x, y) == (4.5, 1.5)  # a lone point is drawn where it is
    # deterministic: a second drawing is identical
    ax2 = _axes()
    plot_impact_effort(make_dataset(use_cases=rows), ax=ax2, annotate=False)
    np.testing.assert_array_equal(_points(ax2).get_offsets(), offsets)


# --- labels ---------------------------------------------------------------------


def test_up_to_40_points_all_labelled(make_dataset, rng):
    prio = compute_priorities(make_dataset(use_cases=_register(rng, 30)))
    ax = _axes()
    plot_impact_effort(prio, ax=ax)
    assert sorted(_labels(ax)) == sorted(prio["use_case_id"])
    assert _texts(ax, "top_n_note") == []


def test_many_points_only_top_n_labelled_with_note(make_dataset, rng):
    prio = compute_priorities(make_dataset(use_cases=_register(rng, 150)))
    ax = _axes()
    plot_impact_effort(prio, ax=ax, lang="nl")
    top = prio.sort_values(
        ["priority_score", "effort", "use_case_id"], ascending=[False, True, True]
    )
    assert sorted(_labels(ax)) == sorted(top["use_case_id"].head(25))
    (note,) = _texts(ax, "top_n_note")
    assert note.get_text() == label("text.top_n_labelled", "nl", n=25)


def test_label_top_and_annotate_false(make_dataset, rng):
    prio = compute_priorities(make_dataset(use_cases=_register(rng, 30)))
    ax = _axes()
    plot_impact_effort(prio, ax=ax, label_top=10)
    assert len(_labels(ax)) == 10
    assert _texts(ax, "top_n_note")[0].get_text() == "Labels: top 10 by priority"
    ax = _axes()
    plot_impact_effort(prio, ax=ax, annotate=False)
    assert _labels(ax) == [] and _texts(ax, "top_n_note") == []


def test_40_labels_do_not_overlap(make_dataset, rng):
    prio = compute_priorities(make_dataset(use_cases=_register(rng, 40)))
    ax = _axes()
    plot_impact_effort(prio, ax=ax)
    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    texts = _texts(ax, "use_case_label")
    assert len(texts) == 40
    boxes = [t.get_window_extent(renderer) for t in texts]
    tol = 0.5  # pixels
    for (i, a), (j, b) in itertools.combinations(enumerate(boxes), 2):
        dx = min(a.x1, b.x1) - max(a.x0, b.x0)
        dy = min(a.y1, b.y1) - max(a.y0, b.y0)
        assert dx <= tol or dy <= tol, (
            f"labels {texts[i].get_text()} and {texts[j].get_text()} overlap"
        )
    # every label stays inside the axes
    frame = ax.get_window_extent(renderer)
    assert all(frame.x0 - tol <= b.x0 and b.x1 <= frame.x1 + tol for b in boxes)
    assert all(frame.y0 - tol <= b.y0 and b.y1 <= frame.y1 + tol for b in boxes)


# --- API --------------------------------------------------------------------------


def test_returns_given_axes_and_uses_gca(make_dataset, rng):
    data = make_dataset(use_cases=_register(rng, 5))
    fig, (left, right) = plt.subplots(1, 2)
    assert plot_impact_effort(data, ax=left, annotate=False) is left
    assert len(left.collections) == 1 and len(right.collections) == 0
    plt.sca(right)
    assert plot_impact_effort(data, annotate=False) is right


def test_accepts_dataset_register_and_priorities(make_dataset, rng):
    data = make_dataset(use_cases=_register(rng, 8))
    offsets = []
    for source in (data, data.use_cases, compute_priorities(data)):
        ax = _axes()
        plot_impact_effort(source, ax=ax, annotate=False)
        offsets.append(np.sort(_points(ax).get_offsets(), axis=0))
    np.testing.assert_array_equal(offsets[0], offsets[1])
    np.testing.assert_array_equal(offsets[0], offsets[2])


def test_empty_register_draws_empty_matrix(make_dataset):
    ax = _axes()
    plot_impact_effort(make_dataset(), ax=ax)
    assert len(_texts(ax, "quadrant_name")) == 4
    assert [c for c in ax.collections if c.get_gid() == "use_cases"] == []


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"hue": "budget"}, r"hue column 'budget' is not in the data"),
        (
            {"palette": "no-such-palette", "hue": "goal"},
            r"palette 'no-such-palette' is not a seaborn",
        ),
        ({"lang": "de"}, r"lang must be one of \('en', 'nl'\)"),
        ({"label_top": -1}, r"label_top must be a whole number >= 0"),
        ({"size": "budget"}, r"size column 'budget' is not in the data"),
    ],
)
def test_bad_arguments(make_dataset, kwargs, message):
    with pytest.raises(ValueError, match=message):
        plot_impact_effort(make_dataset(use_cases=[{}]), ax=_axes(), **kwargs)


def test_title_is_optional(make_dataset):
    ax = _axes()
    plot_impact_effort(make_dataset(use_cases=[{}]), ax=ax, title="Finance")
    assert ax.get_title(loc="left") == "Finance"


def test_size_norm_shares_the_scale_and_size_none(make_dataset):
    rows = [
        {"use_case_id": "small", "impact": 2.0, "effort": 2.0, "investment_eur": 10_000.0},
        {"use_case_id": "big", "impact": 4.0, "effort": 4.0, "investment_eur": 50_000.0},
    ]
    data = make_dataset(use_cases=rows)
    ax = _axes()
    plot_impact_effort(data, ax=ax, annotate=False, size="investment_eur")
    own = _by_position(ax)
    ax = _axes()
    plot_impact_effort(data, ax=ax, annotate=False, size="investment_eur", size_norm=100_000.0)
    shared = _by_position(ax)
    # the largest in the data gets the largest point unless a norm is given
    assert shared[(4.0, 4.0)][0] < own[(4.0, 4.0)][0]
    # marker area is linear in the amount: 30 pt² at 0, 700 pt² at size_norm
    s_min, s_max = 30.0, 700.0
    assert shared[(2.0, 2.0)][0] == pytest.approx(s_min + (s_max - s_min) * 0.1)
    assert shared[(4.0, 4.0)][0] == pytest.approx(s_min + (s_max - s_min) * 0.5)
    ax = _axes()
    plot_impact_effort(data, ax=ax, annotate=False, size=None)
    assert len({s for s, _ in _by_position(ax).values()}) == 1
    titles = [lg.get_title().get_text() for lg in ax.get_children() if isinstance(lg, Legend)]
    assert label("text.investment", "en") not in titles


# --- a minimal frame (a workshop's mean scores) -----------------------------------------


def _room():
    return pd.DataFrame(
        {
            "use_case_id": ["UC-1", "UC-2", "UC-3", "UC-4"],
            "title": ["Invoice triage", "Chatbot", "Forecast", "Minutes"],
            "impact": [4.25, 2.5, 3.75, 3.0],
            "effort": [1.75, 4.0, 4.5, 3.0],
        }
    )


def test_minimal_frame_draws_with_hue_none():
    ax = _axes()
    plot_impact_effort(_room(), ax=ax, hue=None)
    offsets = _points(ax).get_offsets()
    assert sorted(map(tuple, np.asarray(offsets).tolist())) == sorted(
        zip([1.75, 4.0, 4.5, 3.0], [4.25, 2.5, 3.75, 3.0], strict=True)
    )
    assert len({tuple(fc) for fc in _points(ax).get_facecolors()}) == 1  # one colour
    assert sorted(_labels(ax)) == ["UC-1", "UC-2", "UC-3", "UC-4"]
    assert [lg for lg in ax.get_children() if isinstance(lg, Legend)] == []


def test_minimal_frame_quadrants_follow_prioritisation_rule():
    from aiadopt.prioritisation import quadrant_of

    room = _room()
    ax = _axes()
    plot_impact_effort(room, ax=ax, hue="quadrant", split=3.0, annotate=False)
    drawn = _by_position(ax)
    pal = palette("quadrant")
    for (effort, impact), code in zip(
        zip(room["effort"], room["impact"], strict=True),
        quadrant_of(room["impact"], room["effort"]),
        strict=True,
    ):
        assert drawn[(effort, impact)][1] == pytest.approx(to_rgb(pal[code]))
    legend = ax.get_legend()
    assert {t.get_text() for t in legend.get_texts()} == {
        label(f"quadrant.{q}", "en")
        for q in ("quick_wins", "major_projects", "thankless_tasks", "fill_ins")
    }


def test_minimal_frame_top_labels_by_impact_without_priority_score():
    ax = _axes()
    plot_impact_effort(_room(), ax=ax, label_top=2)
    assert sorted(_labels(ax)) == ["UC-1", "UC-3"]  # the two highest impacts


def test_minimal_frame_errors_name_the_columns_and_rows():
    with pytest.raises(ValueError, match=r"data lacks column\(s\) \['title'\]"):
        plot_impact_effort(_room().drop(columns="title"), ax=_axes())
    bad = _room().assign(impact=["4", "high", 3.0, None])
    with pytest.raises(
        ValueError, match=r"impact is not a number for use_case_id \['UC-2', 'UC-4'\]"
    ):
        plot_impact_effort(bad, ax=_axes())


def test_palette_and_kwargs_reach_the_points():
    room = _room()
    ax = _axes()
    colours = {"quick_wins": "#000000", "major_projects": "#ff0000"}
    plot_impact_effort(
        room, ax=ax, hue="quadrant", palette=colours, marker="s", alpha=0.5, annotate=False
    )
    drawn = _by_position(ax)
    assert drawn[(1.75, 4.25)][1] == pytest.approx((0.0, 0.0, 0.0))
    assert drawn[(4.5, 3.75)][1] == pytest.approx((1.0, 0.0, 0.0))
    # a category the dict leaves out keeps the shared palette
    assert drawn[(4.0, 2.5)][1] == pytest.approx(to_rgb(palette("quadrant")["thankless_tasks"]))
    assert _points(ax).get_alpha() == 0.5
    ax = _axes()
    plot_impact_effort(room, ax=ax, palette=["#00ff00"], annotate=False)
    assert {tuple(fc[:3]) for fc in _points(ax).get_facecolors()} == {(0.0, 1.0, 0.0)}


def test_any_column_as_hue_and_size():
    room = _room().assign(team=["A", "B", "A", "B"], votes=[3, 10, 5, 1])
    ax = _axes()
    plot_impact_effort(room, ax=ax, hue="team", size="votes", palette="Set2", annotate=False)
    titles = [lg.get_title().get_text() for lg in ax.get_children() if isinstance(lg, Legend)]
    assert titles == ["team", "votes"]
    assert len({tuple(fc) for fc in _points(ax).get_facecolors()}) == 2


def test_kwargs_can_replace_the_sizes():
    ax = _axes()
    plot_impact_effort(_room(), ax=ax, size=None, s=200, annotate=False)
    assert set(np.asarray(_points(ax).get_sizes()).tolist()) == {200.0}
