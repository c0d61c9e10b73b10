"""The terminology build: regenerates the value-set data the service loads (`fhir_mappings/valuesets/codes.json`)
from public sources, each code with its provenance.

Run `python -m fhir_mappings.terminology_build` (or `--check` to compare without writing). What each value set
holds is chosen in `selections/*.yaml` (the project's own curation); what a code says and where it is confirmed
comes from the sources declared in `selections/sources.yaml`:

- `icd10cm`: the CMS ICD-10-CM tabular XML shipped by the PyPI package simple-icd-10-cm; every ICD-10-CM code is
  looked up there (its display and line), and ranges of categories are read from it;
- `npm`: HL7 FHIR packages from the npm registry (the SNOMED CT Global Patient Set in hl7.terminology.r4, the
  mCODE and genomics-reporting value sets), fetched with `npm pack` and checked against their pinned integrity;
  a code taken from one must be found in the named file, and its display is read from there;
- `cited`: files that no package registry serves (tx.fhir.org caches kept in HL7 IG repositories, the mCODE
  extraction framework's SNOMED expansions, Synthea's modules, RxNorm-derived data): the selection carries the
  display and the line, and the build records the repository, commit, path and line;
- `local`: the project code system (`fhir_mappings.pm_concepts`).

A code that no declared source confirms cannot be written: the build refuses it.
"""
