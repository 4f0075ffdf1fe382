"""The common layer ships everything the functions import, eager or lazy.

Lambda's python3.13 runtime provides the standard library and boto3 (with botocore, s3transfer,
jmespath, urllib3, python-dateutil, six); everything else must be pinned in
layers/common/requirements.txt. The dev venv holds far more, so an import the layer lacks would pass
every other test and fail only when deployed. Here a fresh interpreter refuses any third-party module
whose distribution is neither in the layer's pins nor in the runtime, then imports every handler and
runs the lazy paths that pull in more (the clients, Powertools data masking).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from importlib.metadata import packages_distributions

from tests.conftest import ROOT, TEST_ENVIRONMENT

RUNTIME_PROVIDED = {"boto3", "botocore", "s3transfer", "jmespath", "urllib3", "python-dateutil", "six"}
# optional accelerators that libraries try and do without (urllib3's brotli and zstd, requests' chardet)
OPTIONAL = {"brotli", "brotlicffi", "zstandard", "chardet", "simplejson", "socks"}
HANDLERS = sorted(p.stem for p in (ROOT / "functions").glob("*/*_handler.py"))

PROBE = r"""
import importlib, importlib.abc, json, sys
allowed = set(json.loads(sys.argv[1]))
distributions = json.loads(sys.argv[2])
refused = []
OWN = {"contact_intake"}

class LayerOnly(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        top = name.partition(".")[0]
        if top in sys.stdlib_module_names or top in OWN or top not in distributions:
            return None  # the standard library, or our own code (contact_intake, the handlers)
        if not set(distributions[top]) & allowed:
            refused.append(top)
            raise ModuleNotFoundError(f"not in the layer: {top}", name=name)
        return None

sys.meta_path.insert(0, LayerOnly())
for handler in sys.argv[3:]:
    importlib.import_module(handler)
# every module of the package (the wiring imports most of them lazily), and what it defers
import pkgutil, contact_intake
for module in pkgutil.walk_packages(contact_intake.__path__, "contact_intake."):
    importlib.import_module(module.name)
import boto3, requests
from aws_lambda_powertools.utilities import parameters
from contact_intake.core.observability import log_masked
log_masked("probe", {"detail": {"email": "x"}}, ["$.detail.*"])
print("REFUSED", json.dumps(sorted(set(refused))))
"""


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def layer_pins() -> set[str]:
    lines = (ROOT / "layers/common/requirements.txt").read_text(encoding="utf-8").splitlines()
    return {_normalise(line.split("==")[0]) for line in lines if line.strip() and not line.startswith("#")}


def test_every_pin_is_exact() -> None:
    lines = (ROOT / "layers/common/requirements.txt").read_text(encoding="utf-8").splitlines()
    pins = [line for line in lines if line.strip() and not line.startswith("#")]
    assert pins
    assert all(re.fullmatch(r"[A-Za-z0-9_.-]+==[A-Za-z0-9_.+-]+", line) for line in pins), pins


def test_the_layer_holds_every_module_the_functions_import() -> None:
    allowed = layer_pins() | RUNTIME_PROVIDED
    distributions = {top: [_normalise(d) for d in dists] for top, dists in packages_distributions().items()}
    path = [str(ROOT / "layers/common"), *(str(p) for p in (ROOT / "functions").iterdir() if p.is_dir())]
    env = {**os.environ, **TEST_ENVIRONMENT, "PYTHONPATH": os.pathsep.join(path)}

    done = subprocess.run(
        [
            sys.executable,
            "-P",
            "-c",
            PROBE,
            json.dumps(sorted(allowed)),
            json.dumps(distributions),
            *HANDLERS,
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert done.returncode == 0, done.stderr[-3000:]
    (line,) = [x for x in done.stdout.splitlines() if x.startswith("REFUSED ")]
    assert set(json.loads(line.removeprefix("REFUSED "))) <= OPTIONAL
    assert len(HANDLERS) == 10
