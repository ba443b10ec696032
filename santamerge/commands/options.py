"""Options shared by several commands, defined once."""

from __future__ import annotations

import click

json_option = click.option(
    "--json", "as_json", is_flag=True, help="Print machine-readable JSON instead of a table."
)
timeout_option = click.option(
    "--timeout", type=float, default=None, metavar="SECONDS",
    help="Give git's own result if santamerge needs longer (default 10; "
         "SANTAMERGE_TIMEOUT, git config santamerge.timeout).",
)
policy_option = click.option(
    "--policy", type=click.Choice(["conservative", "words", "never", "calibrated"]), default=None,
    help="Which candidates may be written without asking (default: conservative, "
         "only order-free unions of added imports and definitions; calibrated: the learned "
         "ranker's top candidate above its 99 %-precision threshold).",
)
global_option = click.option(
    "--global", "global_", is_flag=True,
    help="Use the global git config and attributes file instead of this repository's.",
)
model_option = click.option(
    "--model", "model_name", default=None, metavar="MODEL",
    help="embedded (default), a hub id such as bigcode/gpt_bigcode-santacoder, or a local "
         "folder (SANTAMERGE_MODEL, git config santamerge.model).",
)
device_option = click.option(
    "--device", default=None, metavar="DEVICE",
    help="auto (CUDA, then MPS, then CPU; the default), cpu, cuda, cuda:1, mps.",
)
server_option = click.option(
    "--server", default=None, metavar="URL",
    help="Ask this OpenAI-compatible completions server instead of loading the model here: "
         "http://host:port, or unix:///path (SANTAMERGE_SERVER, git config santamerge.server).",
)

DEVICES = "auto, cpu, cuda, cuda:N (the N-th GPU), mps or xpu"


def check_device(device: str) -> None:
    """Refuse a device that torch cannot name, before any model loads or server starts."""
    import re

    from santamerge.errors import SantamergeError

    if not re.fullmatch(r"auto|cpu|mps|(?:cuda|xpu)(?::\d+)?", device.strip()):
        raise SantamergeError(f"there is no device '{device}'; give {DEVICES} (--device, "
                              "SANTAMERGE_DEVICE or git config santamerge.device)")
