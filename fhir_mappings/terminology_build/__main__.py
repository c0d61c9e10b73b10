"""`python -m fhir_mappings.terminology_build [--check]`: regenerate (or check) fhir_mappings/valuesets/codes.json."""

from __future__ import annotations

import argparse
import sys

from fhir_mappings.terminology_build.build import OUTPUT, build, render
from fhir_mappings.terminology_build.sources import SourceError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m fhir_mappings.terminology_build", description=__doc__)
    parser.add_argument("--check", action="store_true", help="compare with the committed data; write nothing")
    args = parser.parse_args(argv)
    try:
        data = build()
    except SourceError as exc:
        print(f"terminology build failed: {exc}", file=sys.stderr)
        return 2
    text = render(data)
    counts: dict[str, int] = {}
    for spec in data["sets"].values():
        for system, *_ in spec["codes"]:
            counts[system] = counts.get(system, 0) + 1
    summary = ", ".join(f"{n} {system}" for system, n in sorted(counts.items()))
    if args.check:
        same = OUTPUT.exists() and OUTPUT.read_text(encoding="utf-8") == text
        print(
            f"{len(data['sets'])} value sets ({summary}): " + ("up to date" if same else f"{OUTPUT} differs")
        )
        return 0 if same else 1
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUTPUT}: {len(data['sets'])} value sets ({summary})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
