"""Options shared by several commands, defined once: the command line's one grammar.

One flag name per idea, and ``--json`` is always a switch that prints JSON on standard
output; a command that writes a report file takes ``--output FILE``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import click

F = TypeVar("F", bound=Callable[..., object])
POLICY_NAMES = ("conservative", "words", "union", "never", "calibrated")

json_option = click.option(
    "--json", "as_json", is_flag=True, help="Print machine-readable JSON instead of a table."
)
timeout_option = click.option(
    "--timeout",
    type=float,
    default=None,
    metavar="SECONDS",
    help="Give git's own result if santamerge needs longer (default 10; "
    "SANTAMERGE_TIMEOUT, git config santamerge.timeout).",
)


def policy_choice(default: str = "conservative") -> Callable[[F], F]:
    """``--policy``; ``default`` only names the command's own default in its help."""
    ours = (
        "conservative: structured merges of order-free parts (imports, members, keys) "
        "whose order the file shows"
        if default == "conservative"
        else default
    )
    return click.option(
        "--policy",
        type=click.Choice(POLICY_NAMES),
        default=None,
        help=f"Which candidates may be written without asking (default: {ours}; "
        "words: also unions in either order and word-level merges; union: the "
        "default before structured merge; calibrated: the learned ranker's top "
        "candidate above its 99 %-precision threshold).",
    )


policy_option = policy_choice()
global_option = click.option(
    "--global",
    "global_",
    is_flag=True,
    help="Use the global git config and attributes file instead of this repository's.",
)
model_option = click.option(
    "--model",
    "model_name",
    default=None,
    metavar="MODEL",
    help="embedded (default), a hub id such as bigcode/gpt_bigcode-santacoder, or a local "
    "folder (SANTAMERGE_MODEL, git config santamerge.model).",
)
device_option = click.option(
    "--device",
    default=None,
    metavar="DEVICE",
    help="auto (CUDA, then MPS, then CPU; the default), cpu, cuda, cuda:1, mps.",
)
server_option = click.option(
    "--server",
    default=None,
    metavar="URL",
    help="Ask this OpenAI-compatible completions server instead of loading the model here: "
    "http://host:port, or unix:///path (SANTAMERGE_SERVER, git config santamerge.server).",
)


def model_options(command: F) -> F:
    """--model, --device and --server: the model a command uses, and where it runs."""
    return model_option(device_option(server_option(command)))


output_option = click.option(
    "--output",
    "output",
    default=None,
    metavar="FILE",
    help="Also write the full report as JSON to FILE.",
)

DEVICES = "auto, cpu, cuda, cuda:N (the N-th GPU), mps or xpu"


def check_device(device: str) -> None:
    """Refuse a device that torch cannot name, before any model loads or server starts."""
    import re

    from santamerge.errors import SantamergeError

    if not re.fullmatch(r"auto|cpu|mps|(?:cuda|xpu)(?::\d+)?", device.strip()):
        raise SantamergeError(
            f"there is no device '{device}'; give {DEVICES} (--device, "
            "SANTAMERGE_DEVICE or git config santamerge.device)"
        )
