"""Every pin of both layers has a wheel for every runtime the template allows.

`make build` fetches the layers' wheels for Lambda (arm64, each runtime's glibc) with the
pip options in layers/lambda-wheels.mk; a pin with no such wheel used to surface only
there (zopfli 0.4.3 has no manylinux2014 aarch64 wheel). Here pip resolves the same pins
with the same options, read from the Makefiles themselves, without installing anything:
`pip install --dry-run --no-deps` reads PyPI's metadata, and the wheels it would take
are checked against the runtime's ABI and architecture.

This asks PyPI, so it needs the network, as `make build` does."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from remit_local.template import ROOT
from remit_local.template import load as load_template

LAYERS = ("remit", "weasyprint")


def _allowed_versions() -> list[str]:
    allowed = load_template()["Parameters"]["PythonRuntime"]["AllowedValues"]
    return sorted(runtime.removeprefix("python") for runtime in allowed)


def _pip_targets(layer: str) -> dict[str, list[str]]:
    """What the layer's Makefile hands pip per runtime: {"3.12": ["--only-binary=:all:", ...]}."""
    out = subprocess.run(
        ["make", "--no-print-directory", "-s", "-C", str(ROOT / "layers" / layer), "print-pip-targets"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return {line.split()[0]: line.split()[1:] for line in out.splitlines() if line.strip()}


def test_the_layers_build_for_exactly_the_runtimes_the_template_allows() -> None:
    template = load_template()
    allowed = template["Parameters"]["PythonRuntime"]["AllowedValues"]
    for layer in LAYERS:
        assert sorted(_pip_targets(layer)) == _allowed_versions(), layer
    for name in ("RemitLayer", "WeasyPrintLayer"):
        props = template["Resources"][name]["Properties"]
        assert sorted(props["CompatibleRuntimes"]) == sorted(allowed), name
        # The wheels are aarch64 ones: the layers and the functions must be arm64.
        assert props["CompatibleArchitectures"] == ["arm64"], name
    assert template["Globals"]["Function"]["Architectures"] == ["arm64"]


@pytest.mark.parametrize("layer", LAYERS)
@pytest.mark.parametrize("version", _allowed_versions())
def test_every_pin_has_a_wheel_for_the_runtime(layer: str, version: str, tmp_path: Path) -> None:
    requirements = ROOT / "layers" / layer / "requirements.txt"
    report = tmp_path / "report.json"
    env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_NO_INPUT": "1"}
    run = subprocess.run(
        [
            sys.executable, "-m", "pip", "install", "--dry-run", "--quiet", "--no-deps",
            "--ignore-installed", "--target", str(tmp_path / "target"),
            "--report", str(report), "--requirement", str(requirements),
            *_pip_targets(layer)[version],
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )  # fmt: skip
    errors = [line for line in run.stderr.splitlines() if line.startswith("ERROR")]
    assert run.returncode == 0, "\n".join(errors) or run.stderr

    chosen = {
        item["metadata"]["name"].lower().replace("_", "-"): item["download_info"]["url"].rsplit("/", 1)[-1]
        for item in json.loads(report.read_text())["install"]
    }
    pinned = {
        line.split("==")[0].strip().lower().replace("_", "-")
        for line in requirements.read_text().splitlines()
        if "==" in line and not line.lstrip().startswith("#")
    }
    assert set(chosen) == pinned
    abi = "cp" + version.replace(".", "")
    for name, wheel in chosen.items():
        assert wheel.endswith(".whl"), (name, wheel)
        abi_tag, platform_tag = wheel.removesuffix(".whl").split("-")[-2:]
        if platform_tag != "any":
            # Compiled: built for this runtime's ABI (or the stable ABI) on arm64 Linux.
            assert abi_tag in (abi, "abi3"), (name, wheel)
            assert "manylinux" in platform_tag, (name, wheel)
            assert "aarch64" in platform_tag, (name, wheel)
