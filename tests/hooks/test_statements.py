"""Each guideline sentence stated once: rules read numbers and wording from Statements, and what a clinician reads
names things, not FHIR references."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from cds_service.engine.statements import Param, SourceDocument, Statement
from hooks.rules import ALL_RULES
from tests.conftest import FIXTURES

RULE_MODULES = sorted((Path(__file__).resolve().parents[2] / "hooks" / "rules").glob("*.py"))
FHIR_REFERENCE = re.compile(
    r"\b(Condition|Observation|MedicationRequest|MedicationAdministration|ServiceRequest|Procedure|Appointment"
    r"|Patient)/[A-Za-z0-9\-.]+"
)
LINE_NUMBER = re.compile(r"\bl\.\s?\d")


def prose(module: Path) -> list[tuple[int, str]]:
    """The string literals of a module (f-string text included), docstrings left out: what cards say."""
    tree = ast.parse(module.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    docstrings |= {  # the string just after an assignment documents it
        id(b.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef)
        for a, b in zip(node.body, node.body[1:], strict=False)
        if isinstance(a, ast.Assign | ast.AnnAssign)
        and isinstance(b, ast.Expr)
        and isinstance(b.value, ast.Constant)
    }
    versions = {  # a rule's version is metadata, not prose
        id(node.value)
        for node in ast.walk(tree)
        if (isinstance(node, ast.keyword) and node.arg == "version")
        or (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "VERSION" for t in node.targets)
        )
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings | versions
    ]


@pytest.mark.parametrize("module", RULE_MODULES, ids=[m.stem for m in RULE_MODULES])
def test_rule_prose_holds_no_number_and_no_line_reference(module: Path) -> None:
    """Thresholds, doses and figures are Statement parameters and citations are Statement sections: a digit
    in a rule module's prose is a number stated a second time."""
    offending = [(line, text) for line, text in prose(module) if re.search(r"\d", text)]
    assert not offending, f"{module.name}: numbers in prose {offending[:5]}"


def test_every_rule_rests_on_statements() -> None:
    assert [r.id for r in ALL_RULES if not r.statements] == []


def test_a_statement_is_said_with_its_parameters_and_its_section() -> None:
    doc = SourceDocument("DOC", "guidelines/doc.txt", "A document", None, None, "covers", 10)
    hold = Statement(
        doc, "Surgery", (2, 3), "Withhold it {days} before surgery.", {"days": Param(28, "days")}
    )
    assert hold["days"] == 28
    assert hold.said() == "Withhold it 28 days before surgery. (Surgery)"
    assert str(hold.citation) == "DOC l.2-3"


def test_a_statement_refuses_a_placeholder_without_a_parameter_and_lines_outside_its_document() -> None:
    doc = SourceDocument("DOC", "guidelines/doc.txt", "A document", None, None, "covers", 10)
    with pytest.raises(ValueError, match="no parameter"):
        Statement(doc, "Surgery", (2, 3), "Withhold it {days} before surgery.")
    with pytest.raises(ValueError, match="outside"):
        Statement(doc, "Surgery", (9, 11), "Withhold it.")


def test_no_statement_is_stated_twice() -> None:
    statements = {id(s): s for r in ALL_RULES for s in r.statements}.values()
    texts = [s.paraphrase for s in statements]
    assert len(texts) == len(set(texts))


@pytest.mark.parametrize("rule_folder", sorted((FIXTURES / "scenarios").iterdir()), ids=lambda p: p.name)
def test_cards_name_things_not_fhir_references(rule_folder: Path) -> None:
    for golden in sorted(rule_folder.glob("*/expected.json")):
        for card in json.loads(golden.read_text(encoding="utf-8"))["cards"]:
            for field in ("summary", "detail"):
                found = FHIR_REFERENCE.search(card[field])
                assert found is None, f"{golden.parent.name}: {field} says {found.group(0) if found else ''}"
                assert not LINE_NUMBER.search(card[field]), (
                    f"{golden.parent.name}: {field} cites a line number"
                )
