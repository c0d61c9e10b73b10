"""The py-spy profile of a serving worker: how sampled stacks are summed by function and by layer, and one short
run against a real worker (where py-spy can trace)."""

from __future__ import annotations

import os

import pytest

from bench.hotspots import LAYERS, OTHER, layer_of, layer_table, main, module_path, py_spy, read_collapsed
from bench.servers import ROOT

RAW = [  # paths in this checkout, wherever it lies (py-spy writes them absolute)
    # outermost first; the same function twice on one stack (recursion) counts once for that sample
    f"run (uvicorn/main.py:10);call_service ({ROOT}/cds_service/web/routes.py:132);"
    f"parse_json_body ({ROOT}/cds_service/protocol/parse.py:40) 6",
    f"run (uvicorn/main.py:10);call_service ({ROOT}/cds_service/web/routes.py:132);"
    f"run_rules ({ROOT}/cds_service/engine/run.py:15);walk ({ROOT}/fhir_mappings/x.py:3);"
    f"walk ({ROOT}/fhir_mappings/x.py:9) 3",
    f"run (uvicorn/main.py:10);card ({ROOT}/cds_service/engine/cards.py:69) 1",
    "",
    "not a stack line",
]


def test_self_time_goes_to_the_innermost_function_and_inclusive_time_to_each_function_once() -> None:
    profile = read_collapsed(RAW)

    assert profile.samples == 10
    assert profile.self_time["parse_json_body (cds_service/protocol/parse.py)"] == 6
    assert profile.self_time["walk (fhir_mappings/x.py)"] == 3
    assert profile.inclusive["walk (fhir_mappings/x.py)"] == 3  # not 6: the recursion is one sample each
    assert profile.inclusive["call_service (cds_service/web/routes.py)"] == 9
    assert profile.inclusive["run (uvicorn/main.py)"] == 10


def test_layers_follow_the_module_of_the_innermost_function() -> None:
    profile = read_collapsed(RAW)

    assert profile.layers == {"JSON parse": 6, "facts": 3, "cards": 1}
    assert layer_of("cds_service/engine/run.py") == "rules"  # before the rest of the engine
    assert layer_of("cds_service/engine/cards.py") == "cards"
    assert layer_of("cds_service/pipeline.py") == "pipeline"
    assert layer_of("sqlalchemy/engine/default.py") == "card log"
    assert layer_of("enum.py") == OTHER


def test_file_paths_become_module_paths() -> None:
    assert (
        module_path("/work/main/.venv/lib/python3.11/site-packages/fastapi/routing.py")
        == "fastapi/routing.py"
    )
    assert (
        module_path("/root/.pyenv/versions/3.11.7/lib/python3.11/asyncio/runners.py") == "asyncio/runners.py"
    )
    assert module_path("uvicorn/server.py") == "uvicorn/server.py"  # py-spy shortens some paths itself
    assert module_path(f"{ROOT}/hooks/rules/wording.py") == "hooks/rules/wording.py"  # this checkout


def test_a_layer_row_accounts_for_every_sample() -> None:
    profile = read_collapsed(RAW)
    [_, _, row] = layer_table({("small", "patient-view"): profile})

    shares = [float(cell) for cell in row.strip("| ").split(" | ")[3:]]
    assert sum(shares) == pytest.approx(100.0)


@pytest.mark.skipif(py_spy() is None, reason="py-spy is not installed")
@pytest.mark.skipif(os.geteuid() != 0, reason="py-spy needs to trace another process (root here)")
def test_a_short_run_samples_the_services_own_code(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--seconds", "1", "--top", "5"]) == 0

    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if line.startswith("| small | patient-view |"))
    cells = row.strip("| ").split(" | ")
    samples, shares = (
        int(cells[2]),
        dict(zip([layer for layer, _ in LAYERS] + [OTHER], map(float, cells[3:]), strict=True)),
    )
    assert samples > 50
    assert shares["facts"] > 0 and shares["JSON parse"] > 0
