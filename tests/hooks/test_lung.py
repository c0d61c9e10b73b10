"""The lung pathway rules as pure functions: molecular testing, KRAS and targeted therapy, palliation."""

from __future__ import annotations

from datetime import date

import pytest

from cds_service.engine.types import CreateServiceRequest, Finding, Indicator
from fhir_mappings.facts import (
    Cancer,
    CancerCondition,
    ClinicalPicture,
    Drug,
    Gene,
    GeneResult,
    MedicationOrder,
    Metastasis,
    MetastaticSite,
    Orderable,
)
from hooks.rules.lung import (
    MOLECULAR_PANEL,
    lung_kras_targeted,
    lung_molecular_testing,
    lung_palliation,
)
from hooks.statements.lung import (
    LUNG_ISOLATED_PM_SURVIVAL,
    LUNG_MOLECULAR_TESTING,
    LUNG_PALLIATIVE_GOALS,
    LUNG_PALLIATIVE_IP_CHEMOTHERAPY,
    LUNG_PM_CONTEXT,
)
from tests.facts import (
    HCC,
    LIVER,
    LUNG,
    OMENTUM,
    PM,
    SELECT,
    VIEW,
    medication_order,
    with_primaries,
)

BONE = Metastasis(
    "Condition/bone-met", MetastaticSite.OTHER, "icd|C79.5", "Secondary malignant neoplasm of bone"
)


def result(
    gene: Gene,
    mutated: bool | None = False,
    variant: str | None = None,
    on: date | None = date(2026, 1, 15),
    ref: str | None = None,
) -> GeneResult:
    return GeneResult(ref or f"Observation/{gene.value.lower()}", gene, mutated, variant, on)


def all_negative() -> tuple[GeneResult, ...]:
    return tuple(result(g) for g in MOLECULAR_PANEL)


def draft(drug: Drug, under_review: bool = True) -> MedicationOrder:
    return medication_order(drug, under_review=under_review)


def chart(
    cancer: CancerCondition | None = LUNG,
    metastases: tuple[Metastasis, ...] = (PM,),
    genes: tuple[GeneResult, ...] = (),
    orders: tuple[MedicationOrder, ...] = (),
) -> ClinicalPicture:
    return with_primaries(
        *((cancer,) if cancer else ()),
        metastases=metastases,
        gene_results=tuple(sorted(genes, key=lambda g: (g.gene, g.on or date.min, g.ref))),
        medication_orders=orders,
    )


def suggestion_label(finding: Finding) -> str:
    (suggestion,) = finding.suggestions
    return suggestion.label


# LUNG-MOLECULAR


def test_no_molecular_results_is_a_warning_naming_all_four_genes() -> None:
    finding = lung_molecular_testing.evaluate(chart(), VIEW)
    assert finding is not None
    assert finding.indicator is Indicator.WARNING
    assert "no EGFR, ALK, ROS1 or KRAS result" in finding.summary
    assert "- ALK: no result on record." in finding.detail
    assert LUNG_MOLECULAR_TESTING.said() in finding.detail
    assert suggestion_label(finding) == "Order EGFR, ALK, ROS1 and KRAS testing"
    (suggestion,) = finding.suggestions
    (action,) = suggestion.actions
    assert isinstance(action, CreateServiceRequest)
    assert action.order is Orderable.LUNG_MOLECULAR_TESTING


def test_one_gene_missing_fires_and_names_only_that_gene() -> None:
    genes = tuple(result(g) for g in (Gene.EGFR, Gene.ALK, Gene.KRAS))
    finding = lung_molecular_testing.evaluate(chart(genes=genes), VIEW)
    assert finding is not None
    assert "no ROS1 result" in finding.summary
    assert "EGFR" not in finding.summary
    assert "- EGFR: no variant found, on 2026-01-15." in finding.detail


def test_two_genes_missing_are_named_together() -> None:
    genes = (result(Gene.EGFR), result(Gene.KRAS))
    finding = lung_molecular_testing.evaluate(chart(genes=genes), VIEW)
    assert finding is not None
    assert "no ALK or ROS1 result" in finding.summary


def test_all_four_answered_gives_no_card() -> None:
    assert lung_molecular_testing.evaluate(chart(genes=all_negative()), VIEW) is None


def test_a_positive_result_counts_as_answered() -> None:
    genes = (*all_negative()[:3], result(Gene.KRAS, True, "p.Gly12Ala"))
    assert lung_molecular_testing.evaluate(chart(genes=genes), VIEW) is None


# Revision 2: a driver found ends the card (the result now guides therapy).


def test_an_egfr_l858r_driver_alone_ends_the_card_though_three_genes_are_untested() -> None:
    genes = (result(Gene.EGFR, True, "p.Leu858Arg"),)
    assert lung_molecular_testing.evaluate(chart(genes=genes), VIEW) is None


@pytest.mark.parametrize("gene", MOLECULAR_PANEL)
def test_a_variant_found_in_any_panel_gene_ends_the_card(gene: Gene) -> None:
    assert lung_molecular_testing.evaluate(chart(genes=(result(gene, True, "variant"),)), VIEW) is None


def test_a_driver_ends_the_card_beside_an_inconclusive_gene() -> None:
    genes = (result(Gene.KRAS, True, "p.Gly12Ala"), result(Gene.ALK, None, ref="Observation/alk-open"))
    assert lung_molecular_testing.evaluate(chart(genes=genes), VIEW) is None


def test_egfr_negative_only_names_the_three_genes_without_a_result() -> None:
    finding = lung_molecular_testing.evaluate(chart(genes=(result(Gene.EGFR),)), VIEW)
    assert finding is not None
    assert "no ALK, ROS1 or KRAS result on record: test" in finding.summary
    assert "EGFR" not in finding.summary
    assert "- EGFR: no variant found, on 2026-01-15." in finding.detail


def test_a_later_negative_result_does_not_undo_an_earlier_positive_one_so_no_card() -> None:
    """EGFR L858R found, then a negative result (a plasma test, say): the driver stays on record (review of
    issue #16: a later negative does not rule out the variant found earlier)."""
    older = result(Gene.EGFR, True, "p.Leu858Arg", on=date(2025, 6, 1), ref="Observation/e1")
    newer = result(Gene.EGFR, False, on=date(2026, 1, 15), ref="Observation/e2")
    assert lung_molecular_testing.evaluate(chart(genes=(older, newer)), VIEW) is None
    palliation = lung_palliation.evaluate(chart(genes=(older, newer)), VIEW)
    assert palliation is not None
    assert (
        "- EGFR: variant present (p\\.Leu858Arg), on 2025-06-01; a later result found none, on 2026-01-15: the two "
        "results disagree." in palliation.detail
    )


def test_a_later_inconclusive_result_leaves_the_earlier_driver_standing() -> None:
    older = result(Gene.EGFR, True, "p.Leu858Arg", on=date(2025, 6, 1), ref="Observation/e1")
    newer = result(Gene.EGFR, None, on=date(2026, 1, 15), ref="Observation/e2")
    assert lung_molecular_testing.evaluate(chart(genes=(older, newer)), VIEW) is None


def test_a_result_that_does_not_say_is_not_an_answer() -> None:
    genes = (*all_negative()[:3], result(Gene.KRAS, None, on=date(2026, 2, 3), ref="Observation/kras-open"))
    finding = lung_molecular_testing.evaluate(chart(genes=genes), VIEW)
    assert finding is not None
    assert "no conclusive KRAS result:" in finding.summary
    assert "result on record" not in finding.summary
    assert "- KRAS: the result (on 2026-02-03) does not say whether a variant was found." in finding.detail


def test_an_inconclusive_kras_and_a_missing_ros1_are_worded_apart() -> None:
    genes = (result(Gene.EGFR), result(Gene.ALK), result(Gene.KRAS, None, ref="Observation/kras-open"))
    finding = lung_molecular_testing.evaluate(chart(genes=genes), VIEW)
    assert finding is not None
    assert "no ROS1 result on record, no conclusive KRAS result:" in finding.summary
    assert "- ROS1: no result on record." in finding.detail


def test_an_undated_result_still_answers_the_gene() -> None:
    genes = (*all_negative()[:3], result(Gene.KRAS, False, on=None))
    assert lung_molecular_testing.evaluate(chart(genes=genes), VIEW) is None


@pytest.mark.parametrize(
    ("cancer", "metastases"), [(LUNG, ()), (LUNG, (LIVER,)), (HCC, (PM,)), (None, (PM,))]
)
def test_molecular_card_needs_lung_cancer_with_pm(
    cancer: CancerCondition | None, metastases: tuple[Metastasis, ...]
) -> None:
    assert lung_molecular_testing.evaluate(chart(cancer, metastases), VIEW) is None


# LUNG-KRAS


def kras_mutated(on: date | None = date(2026, 1, 15)) -> tuple[GeneResult, ...]:
    return (result(Gene.KRAS, True, "p.Gly12Ala", on=on),)


def test_gefitinib_with_kras_g12a_is_a_warning_with_variant_and_date() -> None:
    finding = lung_kras_targeted.evaluate(
        chart(genes=kras_mutated(), orders=(draft(Drug.GEFITINIB),)),
        SELECT,
    )
    assert finding is not None
    assert finding.indicator is Indicator.WARNING
    assert "Gefitinib ordered" in finding.summary
    assert "p.Gly12Ala" in finding.summary
    assert "2026-01-15" in finding.summary
    assert "- Targeted therapy under review: gefitinib." in finding.detail
    assert "- KRAS: variant present (p\\.Gly12Ala), on 2026-01-15." in finding.detail
    assert "G12A" in finding.detail
    assert len(finding.summary) < 140


@pytest.mark.parametrize("drug", [Drug.OSIMERTINIB, Drug.ALECTINIB, Drug.CETUXIMAB])
def test_every_targeted_therapy_counts(drug: Drug) -> None:
    picture = chart(genes=kras_mutated(), orders=(draft(drug),))
    assert lung_kras_targeted.evaluate(picture, SELECT) is not None


@pytest.mark.parametrize("drug", [Drug.CARBOPLATIN, Drug.PEMBROLIZUMAB, Drug.BEVACIZUMAB])
def test_non_targeted_therapy_gives_no_kras_card(drug: Drug) -> None:
    picture = chart(genes=kras_mutated(), orders=(draft(drug),))
    assert lung_kras_targeted.evaluate(picture, SELECT) is None


def test_targeted_draft_not_under_review_gives_no_card() -> None:
    picture = chart(genes=kras_mutated(), orders=(draft(Drug.GEFITINIB, under_review=False),))
    assert lung_kras_targeted.evaluate(picture, SELECT) is None


def test_kras_wild_type_gives_no_card() -> None:
    picture = chart(genes=(result(Gene.KRAS, False),), orders=(draft(Drug.GEFITINIB),))
    assert lung_kras_targeted.evaluate(picture, SELECT) is None


def test_kras_result_that_does_not_say_gives_no_card() -> None:
    picture = chart(genes=(result(Gene.KRAS, None),), orders=(draft(Drug.GEFITINIB),))
    assert lung_kras_targeted.evaluate(picture, SELECT) is None


def test_no_kras_result_gives_no_card() -> None:
    picture = chart(genes=(result(Gene.EGFR, True, "p.Leu858Arg"),), orders=(draft(Drug.GEFITINIB),))
    assert lung_kras_targeted.evaluate(picture, SELECT) is None


def test_the_latest_conclusive_kras_result_decides() -> None:
    older_mutated = result(Gene.KRAS, True, "p.Gly12Ala", on=date(2025, 6, 1), ref="Observation/k1")
    newer_wild = result(Gene.KRAS, False, on=date(2026, 1, 15), ref="Observation/k2")
    newer_open = result(Gene.KRAS, None, on=date(2026, 2, 1), ref="Observation/k3")
    orders = (draft(Drug.GEFITINIB),)
    assert (
        lung_kras_targeted.evaluate(chart(genes=(older_mutated, newer_wild), orders=orders), SELECT) is None
    )
    finding = lung_kras_targeted.evaluate(
        chart(genes=(older_mutated, newer_open), orders=orders),
        SELECT,
    )
    assert finding is not None
    assert "variant present (p\\.Gly12Ala), on 2025-06-01." in finding.detail


def test_mutation_without_variant_or_date_is_worded_as_such() -> None:
    genes = (result(Gene.KRAS, True, None, on=None),)
    finding = lung_kras_targeted.evaluate(chart(genes=genes, orders=(draft(Drug.GEFITINIB),)), SELECT)
    assert finding is not None
    assert "KRAS mutation on record (undated)" in finding.summary
    assert "variant not stated" in finding.detail


def test_kras_card_needs_lung_cancer_with_pm() -> None:
    orders = (draft(Drug.GEFITINIB),)
    assert lung_kras_targeted.evaluate(chart(HCC, genes=kras_mutated(), orders=orders), SELECT) is None
    assert (
        lung_kras_targeted.evaluate(chart(metastases=(), genes=kras_mutated(), orders=orders), SELECT) is None
    )


# LUNG-PALLIATION

ADENOSQUAMOUS_LUNG = CancerCondition(
    "Condition/lung-asc",
    Cancer.LUNG,
    "Primary adenosquamous carcinoma of lung",
    recurrent=False,
    histology="adenosquamous",
)
LIVER_SITE = Metastasis(
    "Condition/liver-site", MetastaticSite.LIVER, "liver", "Secondary malignant neoplasm of liver"
)
FIGURE = "median survival under 2 months"


def test_adenosquamous_with_the_peritoneum_the_only_site_is_told_the_median_survival() -> None:
    finding = lung_palliation.evaluate(chart(ADENOSQUAMOUS_LUNG), VIEW)
    assert finding is not None
    assert finding.indicator is Indicator.INFO
    assert finding.summary.startswith(
        "Adenosquamous lung cancer, peritoneum the only metastatic site on record: chemotherapy is primary; "
        f"{FIGURE}"
    )
    assert "- Histology: adenosquamous carcinoma." in finding.detail
    assert "- Metastatic sites on record: 1, the peritoneum only" in finding.detail
    assert LUNG_ISOLATED_PM_SURVIVAL.said() in finding.detail
    assert LUNG_PALLIATIVE_GOALS.said() in finding.detail
    assert LUNG_PALLIATIVE_IP_CHEMOTHERAPY.text() in finding.detail
    assert len(finding.summary) < 140


def test_the_adenosquamous_primary_is_found_beside_a_less_specific_lung_code() -> None:
    finding = lung_palliation.evaluate(with_primaries(LUNG, ADENOSQUAMOUS_LUNG, metastases=(PM,)), VIEW)
    assert finding is not None
    assert FIGURE in finding.summary
    assert "- Primary: Primary adenosquamous carcinoma of lung." in finding.detail


def test_another_histology_with_the_peritoneum_the_only_site_is_not_told_the_adenosquamous_figure() -> None:
    finding = lung_palliation.evaluate(chart(), VIEW)
    assert finding is not None
    assert finding.summary.startswith("Lung cancer, peritoneum the only metastatic site on record")
    assert "isolated peritoneal involvement" in finding.detail
    assert "median survival" not in finding.summary + finding.detail
    assert "adenosquamous" not in finding.summary + finding.detail
    assert LUNG_PM_CONTEXT.said() in finding.detail
    assert LUNG_PALLIATIVE_GOALS.said() in finding.detail


def test_adenosquamous_with_a_liver_metastasis_is_not_told_the_figure_and_the_liver_is_named() -> None:
    finding = lung_palliation.evaluate(chart(ADENOSQUAMOUS_LUNG, metastases=(PM, LIVER_SITE)), VIEW)
    assert finding is not None
    assert "2 metastatic sites on record (peritoneum, liver)" in finding.summary
    assert "median survival" not in finding.summary + finding.detail
    assert "- Other metastatic sites: Secondary malignant neoplasm of liver." in finding.detail
    assert "- Metastatic sites on record: 2 (peritoneum, liver; peritoneum and omentum count as one)." in (
        finding.detail
    )


def test_peritoneum_and_omentum_are_one_site() -> None:
    finding = lung_palliation.evaluate(chart(ADENOSQUAMOUS_LUNG, metastases=(PM, OMENTUM)), VIEW)
    assert finding is not None
    assert "only metastatic site" in finding.summary
    assert FIGURE in finding.summary


def test_a_second_site_is_counted_and_not_called_isolated() -> None:
    finding = lung_palliation.evaluate(chart(metastases=(PM, LIVER)), VIEW)
    assert finding is not None
    assert "2 metastatic sites on record" in finding.summary
    assert "the peritoneum only" not in finding.detail
    assert "- Other metastatic sites: Secondary malignant neoplasm of liver." in finding.detail
    assert LUNG_PM_CONTEXT.said() in finding.detail
    assert "adenosquamous" not in finding.detail


def test_three_sites_are_counted_and_each_is_named() -> None:
    """Peritoneum first, then in record order; a site the facts do not name is "other" in the summary and named
    by its condition in the detail."""
    finding = lung_palliation.evaluate(chart(metastases=(BONE, PM, LIVER_SITE)), VIEW)
    assert finding is not None
    assert "3 metastatic sites on record (peritoneum, other, liver)" in finding.summary
    assert (
        "- Other metastatic sites: Secondary malignant neoplasm of bone; Secondary malignant neoplasm of liver."
        in finding.detail
    )
    assert (
        "- Metastatic sites on record: 3 (peritoneum, Secondary malignant neoplasm of bone, liver; peritoneum "
        "and omentum count as one)." in finding.detail
    )
    assert len(finding.summary) < 140


def test_two_codes_of_one_organ_are_one_site() -> None:
    liver_again = Metastasis("Condition/liver-2", MetastaticSite.LIVER, "liver", "Liver metastases")
    finding = lung_palliation.evaluate(chart(metastases=(PM, LIVER_SITE, liver_again)), VIEW)
    assert finding is not None
    assert "2 metastatic sites on record" in finding.summary
    assert "Secondary malignant neoplasm of liver; Liver metastases" in finding.detail


def test_without_a_driver_the_card_does_not_speak_of_molecular_results() -> None:
    finding = lung_palliation.evaluate(chart(genes=all_negative()), VIEW)
    assert finding is not None
    assert "chemotherapy is primary" in finding.summary
    assert LUNG_MOLECULAR_TESTING.text() not in finding.detail


def test_with_a_driver_found_the_card_says_molecular_results_guide_systemic_therapy() -> None:
    genes = (result(Gene.EGFR, True, "p.Leu858Arg", on=date(2026, 1, 20)),)
    finding = lung_palliation.evaluate(chart(genes=genes), VIEW)
    assert finding is not None
    assert "the EGFR result should guide systemic therapy" in finding.summary
    assert "- EGFR: variant present (p\\.Leu858Arg), on 2026-01-20." in finding.detail
    assert LUNG_MOLECULAR_TESTING.text() in finding.detail


def test_the_longest_summary_still_fits() -> None:
    """Two drivers, adenosquamous with three more sites named at length: the summary drops the list of sites
    before it would reach the limit, and keeps the count."""
    genes = (result(Gene.EGFR, True, "x"), result(Gene.KRAS, True, "y"))
    long_named = tuple(
        Metastasis(
            f"Condition/m{i}", MetastaticSite.OTHER, f"sct|{i}", f"Secondary malignant neoplasm {i} " * 3
        )
        for i in range(3)
    )
    finding = lung_palliation.evaluate(chart(ADENOSQUAMOUS_LUNG, (PM, *long_named), genes=genes), VIEW)
    assert finding is not None
    assert len(finding.summary) < 140
    assert finding.summary.startswith("Lung cancer with PM, 4 metastatic sites on record:")


def test_palliation_needs_lung_cancer_with_pm() -> None:
    assert lung_palliation.evaluate(chart(metastases=(LIVER,)), VIEW) is None
    assert lung_palliation.evaluate(chart(HCC), VIEW) is None
