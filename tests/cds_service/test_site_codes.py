"""Site code mappings (CDS_SITE_CODES): a valid JSON or YAML file adds local codes to the value sets in force;
a malformed one stops start-up (app factory, `serve`, `check-config`) with a message naming its line."""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest

from cds_service import cli
from cds_service.app import create_app
from cds_service.errors import ConfigError
from cds_service.site_codes import load_site_codes, read_site_codes, site_terminology
from fhir_mappings.facts import InterventionKind, Measure
from fhir_mappings.queries import BODY_MEASUREMENTS, CLINICAL_OBSERVATIONS
from fhir_mappings.terminology import BUILT_IN
from tests.auth_keys import PUBLIC_BASE, trusted_clients_file
from tests.conftest import FIXTURES, make_client, suite_settings

EXAMPLE = FIXTURES / "examples" / "site-codes.example.yaml"
LOCAL_OID = "urn:oid:1.2.3.4.5"
LAB = "http://acme.example/lab"


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def error_of(path: Path) -> str:
    with pytest.raises(ConfigError) as raised:
        read_site_codes(path)
    return str(raised.value)


VALID_YAML = """
    valueSets:
      hipec:
        - {system: "urn:oid:1.2.3.4.5", code: "HIPEC-01", display: "HIPEC (local order)"}
      alpha-fetoprotein:
        - system: http://acme.example/lab
          code: "AFP"
"""

VALID_JSON = {
    "valueSets": {
        "hipec": [{"system": LOCAL_OID, "code": "HIPEC-01", "display": "HIPEC (local order)"}],
        "alpha-fetoprotein": [{"system": LAB, "code": "AFP"}],
    }
}


# --- valid files -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["site.yaml", "site.yml", "site.json"])
def test_a_valid_file_adds_a_local_hipec_code_matched_like_the_project_code(
    tmp_path: Path, name: str
) -> None:
    text = VALID_YAML if name != "site.json" else json.dumps(VALID_JSON, indent=2)
    terminology = load_site_codes(write(tmp_path, name, text))

    assert terminology.interventions.first([(LOCAL_OID, "HIPEC-01")]) is InterventionKind.HIPEC
    assert terminology.observations.concept(LAB, "AFP") == ("afp", None)
    assert terminology.site_codes == 2
    assert BUILT_IN.interventions.first([(LOCAL_OID, "HIPEC-01")]) is None  # the built-in sets are untouched


def test_each_added_code_records_the_file_and_line_it_came_from(tmp_path: Path) -> None:
    added = read_site_codes(write(tmp_path, "site.yaml", VALID_YAML))

    [hipec] = added["hipec"]
    [afp] = added["alpha-fetoprotein"]
    assert (hipec.system, hipec.code, hipec.display) == (LOCAL_OID, "HIPEC-01", "HIPEC (local order)")
    assert hipec.verified_in == "site mapping site.yaml:3"
    assert afp.verified_in == "site mapping site.yaml:5"
    assert afp.display == ""  # display is optional: none is invented


def test_json_codes_record_the_line_of_their_item(tmp_path: Path) -> None:
    added = read_site_codes(write(tmp_path, "site.json", json.dumps(VALID_JSON, indent="\t")))

    assert added["hipec"][0].verified_in == "site mapping site.json:4"
    assert added["alpha-fetoprotein"][0].verified_in == "site mapping site.json:11"


def test_the_documented_example_file_loads(tmp_path: Path) -> None:
    terminology = load_site_codes(EXAMPLE)

    assert terminology.interventions.first([(LOCAL_OID, "HIPEC-01")]) is InterventionKind.HIPEC
    assert terminology.interventions.first([(LOCAL_OID, "PIPAC-01")]) is InterventionKind.PIPAC
    assert terminology.observations.concept(LAB, "AFP") == ("afp", None)
    assert terminology.observations.concept("http://acme.example/vitals", "WT-KG") == (
        "measure",
        Measure.WEIGHT,
    )


def test_no_file_means_the_built_in_terminology() -> None:
    assert site_terminology(None) is BUILT_IN


# --- malformed files: the error names the line -------------------------------------------------------------------


def test_a_yaml_syntax_error_names_its_line(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "site.yaml",
        """
        valueSets:
          hipec:
            - {system: "urn:oid:1.2.3.4.5", code: "HIPEC-01"
          pipac: []
        """,
    )
    message = error_of(path)
    assert message.startswith(f"{path}:4: not valid YAML")


def test_a_json_syntax_error_names_its_line(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "site.json",
        """
        {"valueSets": {
          "hipec": [
            {"system": "urn:oid:1.2.3.4.5", "code": "HIPEC-01",}
          ]
        }}
        """,
    )
    assert error_of(path).startswith(f"{path}:3: not valid JSON")


def test_an_unknown_value_set_id_names_its_line_and_the_nearest_known_ids(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "site.yaml",
        """
        valueSets:
          pipac:
            - {system: "urn:oid:1.2.3.4.5", code: "PIPAC-01"}
          hipc:
            - {system: "urn:oid:1.2.3.4.5", code: "HIPEC-01"}
        """,
    )
    message = error_of(path)
    assert message.startswith(f"{path}:4: valueSets: unknown value set 'hipc' (nearest: hipec")


def test_an_unknown_value_set_id_in_json_names_its_line(tmp_path: Path) -> None:
    data = {
        "valueSets": {
            "hipec": [{"system": LOCAL_OID, "code": "H"}],
            "alpha-feto": [{"system": LAB, "code": "A"}],
        }
    }
    path = write(tmp_path, "site.json", json.dumps(data, indent=2))
    message = error_of(path)
    assert message.startswith(
        f"{path}:9: valueSets: unknown value set 'alpha-feto' (nearest: alpha-fetoprotein"
    )


def test_a_missing_code_names_the_line_of_its_item(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "site.yaml",
        """
        valueSets:
          hipec:
            - {system: "urn:oid:1.2.3.4.5", code: "HIPEC-01"}
            - system: "urn:oid:1.2.3.4.5"
              display: HIPEC without a code
        """,
    )
    assert error_of(path) == f"{path}:4: valueSets.hipec[1].code: 'code' is required"


def test_a_missing_code_in_json_names_the_line_of_its_item(tmp_path: Path) -> None:
    path = write(
        tmp_path, "site.json", json.dumps({"valueSets": {"hipec": [{"system": LOCAL_OID}]}}, indent=2)
    )
    assert error_of(path) == f"{path}:4: valueSets.hipec[0].code: 'code' is required"


@pytest.mark.parametrize(
    "system",
    ["acme-lab", "acme lab", "/relative/lab", "http://", "urn:oid:1.2.x", "http://acme.example/lab#afp", ""],
)
def test_a_system_that_is_not_an_absolute_uri_names_its_line(tmp_path: Path, system: str) -> None:
    path = write(
        tmp_path,
        "site.yaml",
        f"""
        valueSets:
          alpha-fetoprotein:
            - code: AFP
              system: {json.dumps(system)}
        """,
    )
    message = error_of(path)
    assert message.startswith(f"{path}:4: valueSets.alpha-fetoprotein[0].system: ")


@pytest.mark.parametrize("code", [" AFP", "AFP ", "", "A  FP", "AF\tP"])
def test_a_code_with_whitespace_at_its_ends_or_empty_names_its_line(tmp_path: Path, code: str) -> None:
    path = write(
        tmp_path,
        "site.json",
        json.dumps({"valueSets": {"alpha-fetoprotein": [{"system": LAB, "code": code}]}}, indent=1),
    )
    assert error_of(path).startswith(f"{path}:6: valueSets.alpha-fetoprotein[0].code: ")


def test_a_code_yaml_reads_as_a_number_is_refused_rather_than_rewritten(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "site.yaml",
        "valueSets:\n  alpha-fetoprotein:\n    - {system: 'http://a.example', code: 0123}\n",
    )
    message = error_of(path)
    assert message.startswith(f"{path}:3: valueSets.alpha-fetoprotein[0].code: must be a string (quote it")


def test_an_unknown_key_names_its_own_line(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "site.yaml",
        """
        valueSets:
          hipec:
            - system: "urn:oid:1.2.3.4.5"
              code: HIPEC-01
              dispaly: HIPEC (local order)
        """,
    )
    assert error_of(path) == (
        f"{path}:5: valueSets.hipec[0].dispaly: unknown key 'dispaly' (allowed: system, code, display)"
    )


def test_an_unknown_top_level_key_names_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, "site.yaml", "valueSets: {}\nvalueSet:\n  hipec: []\n")
    assert error_of(path) == f"{path}:2: valueSet: unknown key 'valueSet' (allowed: valueSets)"


def test_every_problem_is_reported_each_with_its_line(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "site.yaml",
        """
        valueSets:
          hipc:
            - {system: "urn:oid:1.2.3.4.5", code: "HIPEC-01"}
          pipac:
            - {system: "pipac", code: "PIPAC-01"}
        """,
    )
    lines = error_of(path).splitlines()
    assert [line.split(": ")[0] for line in lines] == [f"{path}:2", f"{path}:5"]


@pytest.mark.parametrize(
    ("text", "line", "says"),
    [
        ("", 1, "the file is empty"),
        ("- hipec\n", 1, "(top level): Input should be a valid dictionary"),
        ("valueSets:\n  hipec: []\n", 2, "valueSets.hipec: lists no codes"),
        (
            "valueSets:\n  hipec:\n    - {system: 'urn:oid:1.2', code: A}\n"
            "  hipec:\n    - {system: 'urn:oid:1.2', code: B}\n",
            4,
            "key 'hipec' appears twice (first on line 2)",
        ),
        (
            "valueSets:\n  hipec:\n    - {system: 'urn:oid:1.2', code: A}\n    - {system: 'urn:oid:1.2', code: A}\n",
            4,
            "urn:oid:1.2|A repeats line 3",
        ),
    ],
)
def test_other_malformed_shapes_name_their_line(tmp_path: Path, text: str, line: int, says: str) -> None:
    path = write(tmp_path, "site.yaml", text)
    message = error_of(path)
    assert message.startswith(f"{path}:{line}: ") and says in message


def test_a_duplicate_key_in_json_names_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, "site.json", '{"valueSets": {\n "pipac": [],\n "pipac": []\n}}\n')
    assert error_of(path) == f"{path}:3: key 'pipac' appears twice (first on line 2)"


def test_a_file_of_another_kind_or_missing_is_refused(tmp_path: Path) -> None:
    assert "must be .json, .yaml or .yml" in error_of(write(tmp_path, "site.txt", "valueSets: {}\n"))
    assert "cannot be read" in error_of(tmp_path / "absent.yaml")


# --- start-up refuses a bad file ---------------------------------------------------------------------------------

BAD_YAML = "valueSets:\n  hipec:\n    - {system: 'urn:oid:1.2.3.4.5'}\n"


def test_the_app_factory_refuses_to_start_with_a_bad_file(tmp_path: Path) -> None:
    bad = write(tmp_path, "site.yaml", BAD_YAML)
    with pytest.raises(ConfigError, match=r"site\.yaml:3: valueSets\.hipec\[0\]\.code: 'code' is required"):
        create_app(suite_settings(tmp_path, site_codes=bad))


def test_the_app_factory_builds_the_site_terminology_once_into_the_runtime(tmp_path: Path) -> None:
    app = create_app(suite_settings(tmp_path, site_codes=write(tmp_path, "site.yaml", VALID_YAML)))
    terminology = app.state.runtime.terminology
    assert terminology is not BUILT_IN
    assert terminology.interventions.first([(LOCAL_OID, "HIPEC-01")]) is InterventionKind.HIPEC


def test_the_site_codes_setting_is_read_from_cds_site_codes(monkeypatch: pytest.MonkeyPatch) -> None:
    from cds_service.settings import Settings

    monkeypatch.setenv("CDS_SITE_CODES", str(EXAMPLE))
    assert Settings().site_codes == EXAMPLE


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    runs: list[Any] = []
    monkeypatch.setattr("uvicorn.run", lambda *a, **k: runs.append((a, k)))
    for name in ("CDS_DEV", "CDS_TRUSTED_CLIENTS", "CDS_PUBLIC_BASE_URL", "CDS_SITE_CODES"):
        monkeypatch.setenv(name, "")  # restored after the test
        monkeypatch.delenv(name)
    return runs


def test_serve_with_a_bad_site_codes_file_exits_2_naming_the_line(
    started: list[Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = write(tmp_path, "site.yaml", BAD_YAML)
    monkeypatch.setenv("CDS_TRUSTED_CLIENTS", str(trusted_clients_file(tmp_path)))
    monkeypatch.setenv("CDS_PUBLIC_BASE_URL", PUBLIC_BASE)
    monkeypatch.setenv("CDS_SITE_CODES", str(bad))

    assert cli.main(["serve"]) == 2

    assert started == []
    assert f"refusing to start: {bad}:3: valueSets.hipec[0].code" in capsys.readouterr().err


def test_serve_dev_with_a_bad_site_codes_file_exits_2_too(
    started: list[Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(
        "CDS_SITE_CODES", str(write(tmp_path, "site.json", '{"valueSets": {\n  "hipec": [}\n}'))
    )
    assert cli.main(["serve", "--dev"]) == 2
    assert started == []
    assert "site.json:2: not valid JSON" in capsys.readouterr().err


def test_serve_with_a_valid_site_codes_file_starts(
    started: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CDS_SITE_CODES", str(EXAMPLE))
    assert cli.main(["serve", "--dev"]) == 0
    assert len(started) == 1 and os.environ["CDS_DEV"] == "true"


def test_check_config_counts_the_site_codes_per_value_set(
    started: list[Any], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CDS_TRUSTED_CLIENTS", str(FIXTURES / "examples" / "trusted-clients.example.yaml"))
    monkeypatch.setenv("CDS_SITE_CODES", str(EXAMPLE))

    assert cli.main(["check-config"]) == 0

    out = capsys.readouterr().out
    assert "(2 clients)" in out
    assert f"site codes: {EXAMPLE} (4 codes in 4 value sets)" in out
    for set_id in ("alpha-fetoprotein", "body-weight", "hipec", "pipac"):
        assert f"  {set_id}: 1 code\n" in out + "\n"


def test_check_config_with_only_a_site_codes_file_checks_just_that(
    started: list[Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(
        tmp_path,
        "site.yaml",
        """
        valueSets:
          hipec:
            - {system: "urn:oid:1.2.3.4.5", code: "HIPEC-01"}
            - {system: "http://peritoneal-cds.org/CodeSystem/pm-concepts", code: "hipec"}
        """,
    )
    assert cli.main(["check-config", "--site-codes", str(path)]) == 0

    out = capsys.readouterr().out
    assert "trusted clients: not checked (CDS_TRUSTED_CLIENTS is not set)" in out
    assert "  hipec: 2 codes (1 already built in)" in out


def test_check_config_with_a_bad_site_codes_file_exits_2_naming_the_line(
    started: list[Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = write(tmp_path, "site.yaml", BAD_YAML)
    assert cli.main(["check-config", "--site-codes", str(bad)]) == 2
    assert f"check-config: {bad}:3: valueSets.hipec[0].code: 'code' is required" in capsys.readouterr().err


def test_check_config_without_site_codes_says_the_built_in_sets_are_used(
    started: list[Any], capsys: pytest.CaptureFixture[str]
) -> None:
    example = FIXTURES / "examples" / "trusted-clients.example.yaml"
    assert cli.main(["check-config", "--trusted-clients", str(example)]) == 0
    assert "site codes: none (CDS_SITE_CODES is not set" in capsys.readouterr().out


# --- discovery publishes the site's Observation codes ------------------------------------------------------------


def templates(tmp_path: Path, site_codes: Path | None) -> dict[str, dict[str, str]]:
    with make_client(suite_settings(tmp_path, site_codes=site_codes)) as client:
        response = client.get("/cds-services")
    assert response.status_code == 200
    return {
        s["id"]: {k: unquote(v) for k, v in s.get("prefetch", {}).items()}
        for s in response.json()["services"]
    }


def test_discovery_asks_for_a_mapped_weight_code_in_the_body_measurements_template(tmp_path: Path) -> None:
    site = templates(tmp_path, EXAMPLE)
    built_in = templates(tmp_path, None)

    asking = [sid for sid, t in site.items() if BODY_MEASUREMENTS.key in t]
    assert asking, "no service asks for body measurements"
    for service_id in asking:
        assert "http://acme.example/vitals|WT-KG" in site[service_id][BODY_MEASUREMENTS.key]
        assert "WT-KG" not in built_in[service_id][BODY_MEASUREMENTS.key]


def test_discovery_asks_for_a_mapped_afp_code_in_the_clinical_observations_template(tmp_path: Path) -> None:
    site = templates(tmp_path, EXAMPLE)
    asking = [sid for sid, t in site.items() if CLINICAL_OBSERVATIONS.key in t]
    if not asking:
        pytest.skip("no service's rules need clinical observations yet")
    for service_id in asking:
        assert f"{LAB}|AFP" in site[service_id][CLINICAL_OBSERVATIONS.key]
