"""`aiadopt charts`: every chart of the gallery is drawn and is not blank."""

from __future__ import annotations

from pathlib import Path

import matplotlib.image as mpimg
import numpy as np
import pytest

from aiadopt.cli import main
from aiadopt.gallery import CHARTS

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"


@pytest.fixture(scope="module")
def gallery(tmp_path_factory):
    out = tmp_path_factory.mktemp("charts")
    assert main(["charts", "--data", str(SAMPLE), "--out", str(out), "--n-boot", "200"]) == 0
    return out


def test_one_png_per_chart(gallery):
    assert sorted(p.stem for p in gallery.glob("*.png")) == sorted(CHARTS)
    assert not list(gallery.glob(".*"))  # no temporary files left


@pytest.mark.parametrize("name", list(CHARTS))
def test_png_is_not_blank(gallery, name):
    image = mpimg.imread(gallery / f"{name}.png")[..., :3]
    assert image.shape[0] > 300 and image.shape[1] > 500
    ink = (image < 0.9).any(axis=-1).mean()  # share of non-white pixels
    assert ink > 0.03, f"{name}.png is (nearly) blank: {ink:.1%} ink"
    colours = np.unique((image * 255).astype(np.uint8).reshape(-1, 3), axis=0)
    assert len(colours) > 20, f"{name}.png has only {len(colours)} colours"


def test_dutch_gallery_subset(tmp_path):
    assert (
        main(
            [
                "charts",
                "--data",
                str(SAMPLE),
                "--out",
                str(tmp_path),
                "--lang",
                "nl",
                "--chart",
                "impact_effort",
                "--chart",
                "goal_mix",
            ]
        )
        == 0
    )
    assert sorted(p.name for p in tmp_path.glob("*.png")) == ["goal_mix.png", "impact_effort.png"]
