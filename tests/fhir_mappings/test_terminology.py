"""Code lookup: ICD-10-CM matches by prefix (the most specific code wins), every other system exactly; a site's
mappings extend the built-in sets without changing them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from fhir_mappings import valuesets as vs
from fhir_mappings.facts import Cancer, Drug, MetastaticSite, Scale
from fhir_mappings.systems import HGNC, ICD10CM, LOINC, PM_CONCEPTS, RXNORM, SNOMED
from fhir_mappings.terminology import BUILT_IN, Terminology
from fhir_mappings.valuesets.model import Code, ValueSet, lookup_keys

SITE = "http://hospital.example.org/codes"


@pytest.mark.parametrize(
    ("code", "cancer"),
    [
        ("C18.1", Cancer.APPENDICEAL),
        ("C18.72", Cancer.COLORECTAL),
        ("C18.7", Cancer.COLORECTAL),
        ("C18", Cancer.COLORECTAL),
        ("C20", Cancer.COLORECTAL),
        ("C22.0", Cancer.HCC),
        ("C22.8", Cancer.OTHER),
        ("C16.9", Cancer.OTHER),
        ("C56.9", Cancer.OVARIAN),
        ("C34.11", Cancer.LUNG),
        ("C53.9", Cancer.CERVICAL),
        ("C50.911", Cancer.BREAST),
    ],
)
def test_icd_primary_matches_its_most_specific_category(code: str, cancer: Cancer) -> None:
    assert BUILT_IN.cancers.concept(ICD10CM, code) is cancer


def test_skin_carcinoma_is_not_a_primary_of_peritoneal_metastasis() -> None:
    assert BUILT_IN.cancers.concept(ICD10CM, "C44.91") is None


@pytest.mark.parametrize(
    ("code", "site"),
    [
        ("C78.6", MetastaticSite.PERITONEUM),
        ("C7B.04", MetastaticSite.PERITONEUM),
        ("C78.7", MetastaticSite.LIVER),
        ("C78.01", MetastaticSite.LUNG),
        ("C79.51", MetastaticSite.BONE),
        ("C78.5", MetastaticSite.OTHER),
        ("C79.2", MetastaticSite.OTHER),
    ],
)
def test_icd_metastasis_site(code: str, site: MetastaticSite) -> None:
    assert BUILT_IN.metastases.concept(ICD10CM, code) is site


def test_secondary_codes_are_not_primaries() -> None:
    assert BUILT_IN.cancers.concept(ICD10CM, "C78.6") is None


@pytest.mark.parametrize("code", ["c18.1", " C18.1 ", " c18.1", "C18.1\t"])
def test_icd_codes_are_read_case_and_space_insensitively(code: str) -> None:
    assert BUILT_IN.cancers.concept(ICD10CM, code) is Cancer.APPENDICEAL


def test_icd_prefixes_stop_at_the_three_character_category() -> None:
    assert list(lookup_keys(ICD10CM, "C18.72")) == [
        (ICD10CM, "C18.72"),
        (ICD10CM, "C18.7"),
        (ICD10CM, "C18"),
    ]
    assert BUILT_IN.cancers.concept(ICD10CM, "C1") is None


def test_an_icd_code_under_another_system_uri_is_not_matched_by_prefix() -> None:
    assert BUILT_IN.cancers.concept("http://hl7.org/fhir/sid/icd-10", "C18.1") is None


def test_other_systems_match_exactly() -> None:
    assert BUILT_IN.cancers.concept(SNOMED, "363406005") is Cancer.COLORECTAL
    assert BUILT_IN.cancers.concept(SNOMED, "36340600") is None
    assert BUILT_IN.cancers.concept(SNOMED, "3634060051") is None
    assert BUILT_IN.cancers.concept(SNOMED, " 363406005") is None
    assert BUILT_IN.drugs.concept(RXNORM, "32592") is Drug.OXALIPLATIN
    assert BUILT_IN.drugs.concept(RXNORM, "3259") is None
    assert BUILT_IN.observations.concept(LOINC, "89247-1") == ("scale", Scale.ECOG)
    assert BUILT_IN.observations.concept(LOINC, "89247") is None


def test_the_same_code_in_the_wrong_system_is_not_matched() -> None:
    assert BUILT_IN.cancers.concept(LOINC, "363406005") is None
    assert BUILT_IN.cancers.concept(None, "C18.1") is None
    assert BUILT_IN.cancers.concept(ICD10CM, None) is None


def test_first_returns_the_concept_of_the_first_coding_in_a_set() -> None:
    codings = [(SITE, "x"), (ICD10CM, "C56.9"), (ICD10CM, "C18.1")]
    assert BUILT_IN.cancers.first(codings) is Cancer.OVARIAN
    assert BUILT_IN.cancers.all(codings) == [Cancer.OVARIAN, Cancer.APPENDICEAL]


def test_site_additions_extend_the_index_and_leave_the_built_in_sets_alone() -> None:
    code = Code(SITE, "GASTRO-77", "Local colon cancer", "site file")
    site = Terminology({"colorectal-cancer": [code]})
    assert site.cancers.concept(SITE, "GASTRO-77") is Cancer.COLORECTAL
    assert site.cancers.concept(ICD10CM, "C18.1") is Cancer.APPENDICEAL
    assert site.site_codes == 1
    assert BUILT_IN.cancers.concept(SITE, "GASTRO-77") is None
    assert code not in BUILT_IN.value_set("colorectal-cancer").codes


def test_site_additions_reach_single_value_sets_and_observation_roles() -> None:
    site = Terminology(
        {
            "peritoneum-body-site": [Code(SITE, "PERIT", "Peritoneum", "site file")],
            "ecog-performance-status": [Code(SITE, "ECOG", "ECOG local", "site file")],
        }
    )
    assert site.peritoneum_body_site.contains(SITE, "PERIT")
    assert site.observations.concept(SITE, "ECOG") == ("scale", Scale.ECOG)
    assert Code(SITE, "ECOG", "ECOG local", "site file") in site.observation_codes("scale")


def test_a_site_code_already_in_the_set_is_not_repeated() -> None:
    existing = BUILT_IN.value_set("colorectal-cancer").codes[0]
    site = Terminology({"colorectal-cancer": [existing]})
    assert site.value_set("colorectal-cancer").codes == BUILT_IN.value_set("colorectal-cancer").codes
    value_set = BUILT_IN.value_set("colorectal-cancer")
    assert value_set.with_codes([existing]) is value_set


def test_an_unknown_value_set_id_is_refused() -> None:
    with pytest.raises(KeyError, match="no-such-set"):
        Terminology({"no-such-set": [Code(SITE, "1", "x", "site file")]})


def test_observation_codes_leave_out_gene_ids() -> None:
    codes = BUILT_IN.observation_codes("scale", "afp", "variant", "gene-test")
    assert codes and all(c.system != HGNC for c in codes)
    assert any(c.system == PM_CONCEPTS and c.code == "peritoneal-cancer-index" for c in codes)


def test_value_set_contains_uses_icd_prefixes_only_for_icd() -> None:
    value_set = ValueSet(
        id="t", title="t", codes=(Code(ICD10CM, "C78", "x", "t"), Code(SNOMED, "94627008", "y", "t"))
    )
    assert value_set.contains(ICD10CM, "C78.6")
    assert not value_set.contains(SNOMED, "9462700")
    assert value_set.matches_any([(SITE, "C78"), (ICD10CM, "c78.01")])


def _variants(code: str) -> list[str]:
    """A code, its descendants, ancestors and the spellings EHRs send."""
    return [
        code,
        code.lower(),
        f" {code} ",
        f"{code}\t",
        code + "0",
        code + "9",
        code + "X1",
        code + ".0" if "." not in code else code + "1",
        code[:-1],
        code[:3],
        code[:2],
        "",
    ]


_SITE = Terminology(
    {
        "venous-thromboembolism": [
            Code(ICD10CM, "I82.4", "DVT, site", "site file"),
            Code(SITE, "VTE", "", "s"),
        ],
        "other-metastasis": [Code(ICD10CM, "c79", "lower case, site", "site file")],
        "colorectal-cancer": [Code(ICD10CM, "Z85.038", "History of colon cancer, site", "site file")],
        "serum-creatinine": [Code(SITE, "CREA", "Creatinine, site", "site file")],
    }
)


@pytest.mark.parametrize("terminology", [BUILT_IN, _SITE], ids=["built-in", "site"])
def test_the_lookup_tables_agree_with_matching_set_by_set_on_every_code(terminology: Terminology) -> None:
    """CodeIndex.concept and ValueSet.contains (exact pairs, ICD-10-CM heads) give what a scan of the sets
    with `lookup_keys` gives, for every code of every set, its descendants, ancestors and odd spellings."""
    pairs = {(c.system, c.code) for s in terminology.value_sets.values() for c in s.codes}
    extra = ["I10", "E11.9", "D63.0", "C44.91", "C78.6", "C7B.04", "Z99", "C", "C1", "c18.1", "C18..1"]
    probes: set[tuple[str | None, str | None]] = {(s, v) for s, code in pairs for v in _variants(code)}
    probes |= (
        {(ICD10CM, c) for c in extra} | {(SNOMED, c) for c in extra} | {(None, "C18.1"), (ICD10CM, None)}
    )

    def scanned(sets: Mapping[Any, ValueSet], system: str | None, code: str | None) -> Any:
        for pair in lookup_keys(system, code):
            for key, value_set in sets.items():
                if pair in {(c.system, c.code) for c in value_set.codes}:
                    return key
        return None

    indexes: dict[str, Mapping[Any, ValueSet]] = {
        "drugs": vs.DRUGS,
        "cancers": vs.CANCERS,
        "metastases": vs.METASTASES,
        "comorbidities": vs.COMORBIDITIES,
        "risk_features": vs.RISK_FEATURES,
        "trends": vs.TRENDS,
        "genes": vs.GENES,
        "interventions": vs.INTERVENTIONS,
    }
    checked = 0
    for name, concept_map in indexes.items():
        sets = {key: terminology.value_set(s.id) for key, s in concept_map.items()}
        index = getattr(terminology, name)
        for system, code in probes:
            assert index.concept(system, code) == scanned(sets, system, code), (name, system, code)
            checked += 1
    roles = terminology._observation_roles()
    for system, code in probes:
        assert terminology.observations.concept(system, code) == scanned(roles, system, code), (system, code)
    for value_set in terminology.value_sets.values():
        for system, code in probes:
            expected = scanned({True: value_set}, system, code) is True
            assert value_set.contains(system, code) is expected, (value_set.id, system, code)
    assert checked > 10_000
