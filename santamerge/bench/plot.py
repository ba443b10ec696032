"""``bench merges --plot``: precision against coverage over a threshold on the top-1
score, drawn with matplotlib (an optional dependency: santamerge[bench])."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from santamerge.errors import SantamergeError


def check_plot(path: str) -> None:
    """Refuse, before any work, a plot that could not be drawn: no matplotlib, or a
    format it cannot write (it picks the format from the extension; none: PNG)."""
    try:
        from matplotlib.backend_bases import FigureCanvasBase
    except ImportError:
        raise SantamergeError(
            "--plot needs matplotlib; install it with pip install 'santamerge[bench]'"
        ) from None
    suffix = Path(path).suffix.lower().lstrip(".")
    formats = FigureCanvasBase.get_supported_filetypes()
    if suffix and suffix not in formats:
        raise SantamergeError(
            f"--plot {path}: matplotlib cannot write .{suffix} files; use "
            f"one of {', '.join('.' + f for f in sorted(formats))}"
        )


def plot_curve(report: dict[str, Any], path: str) -> None:
    """Draw the report's curve, and its policy's point, to ``path``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    points = report["curve"]
    fig, ax = plt.subplots(figsize=(6, 4.5), dpi=120)
    ax.plot(
        [p["coverage"] for p in points],
        [p["precision"] for p in points],
        marker=".",
        label="santamerge top-1, score >= threshold",
    )
    auto = report["auto_apply"]
    if auto["coverage"]:
        ax.scatter(
            [auto["coverage"]],
            [auto["precision"]],
            color="C3",
            zorder=3,
            label=f"policy '{report['policy']}'",
        )
    ax.axhline(0.99, color="grey", linestyle=":", linewidth=1, label="99 % precision")
    ax.set_xlabel("coverage (share of matched hunks written)")
    ax.set_ylabel("precision (written and right)")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.set_title(f"{report['name']}: {report['hunks']['matched']} hunks")
    ax.legend(loc="lower left", fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
