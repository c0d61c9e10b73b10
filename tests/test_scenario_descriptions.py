"""The scenario descriptions of tests.scenarios are what wrote the folders on disk: each, written into an empty
folder, gives byte for byte the request.json and scenario.json under fixtures/scenarios, and the command writes
the folders of the rules it is named."""

from __future__ import annotations

from pathlib import Path

import pytest

from hooks.rules import ALL_RULES
from tests.conftest import FIXTURES
from tests.scenario_builder import ScenarioSpec, described_scenarios, main

SPECS = described_scenarios()


def test_there_are_scenario_descriptions_and_each_names_a_rule() -> None:
    assert SPECS
    assert {s.rule for s in SPECS} <= {r.id for r in ALL_RULES}


@pytest.mark.parametrize("spec", SPECS, ids=[f"{s.rule}/{s.name}" for s in SPECS])
def test_a_description_writes_exactly_its_folder_on_disk(spec: ScenarioSpec, tmp_path: Path) -> None:
    written = spec.write(tmp_path)
    assert written == tmp_path / spec.rule / spec.name
    on_disk = FIXTURES / "scenarios" / spec.rule / spec.name
    assert sorted(p.name for p in written.iterdir()) == ["request.json", "scenario.json"]
    for name in ("request.json", "scenario.json"):
        assert (written / name).read_bytes() == (on_disk / name).read_bytes(), (
            f"{spec.rule}/{spec.name}/{name} differs from its description: "
            f"python -m tests.scenario_builder {spec.rule}, then review the diff"
        )


def test_the_command_writes_the_described_folders_of_the_rules_named(tmp_path: Path) -> None:
    rules = sorted({s.rule for s in SPECS})[:2]
    assert main(["--root", str(tmp_path), *rules]) == 0
    written = {(p.parent.name, p.name) for p in tmp_path.glob("*/*")}
    assert written == {(s.rule, s.name) for s in SPECS if s.rule in rules}


def test_the_command_refuses_a_rule_without_descriptions(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["NO-SUCH-RULE"])
    assert "unknown rule id" in capsys.readouterr().err
    described = {s.rule for s in SPECS}
    for undescribed in [r.id for r in ALL_RULES if r.id not in described][:1]:
        with pytest.raises(SystemExit):
            main([undescribed])
        assert "no scenario of" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main([])
    with pytest.raises(SystemExit):
        main(["--all", "BEV-SURG-BEFORE"])
