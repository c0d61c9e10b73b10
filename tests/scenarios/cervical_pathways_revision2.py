"""Scenarios of revision 2 of the cervical and pathway rules (catalog §3, issue #16): CERV-FIRSTLINE places therapy
against the recurrence (platinum given before it is prior platinum exposure and makes the card lead with the
carboplatin non-inferiority statement, CERVICAL-OMENTAL "Treatment selection"); CERV-FOLLOWUP (new) asks for a CT
of the chest, abdomen and pelvis every 2-3 months on systemic therapy (CERVICAL-OMENTAL "Monitoring and
follow-up"), read from the imaging on record, with its boundary at exactly three calendar months; PM-GENERAL,
BR-OLIGO and CERV-OMENTAL-RESECTION count every coded metastatic site and name them.

`python -m tests.scenario_builder CERV-FIRSTLINE CERV-FOLLOWUP PM-GENERAL BR-OLIGO CERV-OMENTAL-RESECTION`
(re)writes these folders (and the other described folders of those rules); the scenario test then writes their
golden cards with CDS_UPDATE_GOLDEN=1 (name the folders: `-k "CERV-FIRSTLINE/ or CERV-FOLLOWUP/ or ..."`). Each
states by hand the cards it expects, or forbids its own rule's. The hook fires on 2026-03-02 (UTC).
"""

from __future__ import annotations

from tests.scenario_builder import (
    PATIENT_ID,
    SCENARIO_ROOT,
    Json,
    PatientView,
    concept,
    condition,
    medication_request,
    observation,
)

LOCAL_RECURRENCE = condition(
    "cervix-recurrence",
    "sct",
    "314970000",
    "Local recurrence of malignant tumor of cervix",
    onset="2025-12-15",
)
"""A recurrence coded as such: its onset is the recurrence's own date."""
OMENTUM = condition("omentum-1", "sct", "94626004", "Omental metastasis", onset="2025-12-15")
ECOG_1 = observation(
    "ecog-1",
    concept("loinc", "89247-1", "ECOG Performance Status score"),
    "2026-02-20T10:00:00Z",
    category="survey",
    valueInteger=1,
)


def cisplatin(status: str, start: str) -> Json:
    return medication_request(
        "cisplatin-1", "rxnorm", "2555", "cisplatin", status=status, start=start, authored=start
    )


PACLITAXEL_ACTIVE = medication_request(
    "paclitaxel-1",
    "rxnorm",
    "56946",
    "paclitaxel",
    status="active",
    start="2026-01-05",
    authored="2026-01-05",
)


def ct_report(on: str, rid: str = "ct-cap-1") -> Json:
    """A final radiology report of a CT of the chest, abdomen and pelvis with contrast (LOINC 72254-6)."""
    return {
        "resourceType": "DiagnosticReport",
        "id": rid,
        "status": "final",
        "category": [
            {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0074", "code": "RAD"}]}
        ],
        "code": concept("loinc", "72254-6", "Chest and Abdomen and Pelvis CT W contrast IV"),
        "subject": {"reference": f"Patient/{PATIENT_ID}"},
        "effectiveDateTime": on,
    }


BREAST = condition(
    "breast-1",
    "icd",
    "C50.911",
    "Malignant neoplasm of unspecified site of right female breast",
    onset="2023-04-18",
)
PERITONEUM = condition(
    "pm-1",
    "icd",
    "C78.6",
    "Secondary malignant neoplasm of retroperitoneum and peritoneum",
    onset="2026-01-20",
)
BONE = condition("bone-1", "sct", "94222008", "Secondary malignant neoplasm of bone", onset="2026-01-20")


FIRSTLINE = ("CERV-FIRSTLINE", "info")
RESECTION = ("CERV-OMENTAL-RESECTION", "info")
FOLLOWUP = ("CERV-FOLLOWUP", "info")
RECURRENT_OMENTAL = (LOCAL_RECURRENCE, OMENTUM, ECOG_1)

SCENARIOS: tuple[PatientView, ...] = (
    PatientView(
        "CERV-FIRSTLINE",
        "in-cisplatin-chemoradiation-years-before-recurrence-is-prior-platinum",
        "Local recurrence of cervical cancer recorded 2025-12-15 with omental metastasis, cisplatin (with "
        "chemoradiation) completed from 2021-03-01: prior platinum exposure, not first-line therapy; the card "
        "leads with carboplatin-based regimens being non-inferior (HR 0.994).",
        (*RECURRENT_OMENTAL, cisplatin("completed", "2021-03-01")),
        (FIRSTLINE, RESECTION),
    ),
    PatientView(
        "CERV-FIRSTLINE",
        "out-cisplatin-given-after-the-recurrence",
        "Local recurrence recorded 2025-12-15, cisplatin completed from 2026-01-05: first-line therapy for the "
        "recurrent disease is on record, no first-line card.",
        (*RECURRENT_OMENTAL, cisplatin("completed", "2026-01-05")),
        (RESECTION,),
    ),
    PatientView(
        "CERV-FIRSTLINE",
        "boundary-cisplatin-on-the-recurrence-day-is-for-the-recurrence",
        "Cisplatin started on the day the recurrence is recorded (2025-12-15): not before it, so it is therapy "
        "for the recurrent disease; no first-line card.",
        (*RECURRENT_OMENTAL, cisplatin("completed", "2025-12-15")),
        (RESECTION,),
    ),
    PatientView(
        "CERV-FOLLOWUP",
        "in-on-paclitaxel-last-ct-over-three-months-ago",
        "Recurrent cervical cancer with omental metastasis on paclitaxel (active since 2026-01-05), last CT chest/"
        "abdomen/pelvis on 2025-11-20: no CT in the last 3 months, imaging every 2-3 months to assess response.",
        (*RECURRENT_OMENTAL, PACLITAXEL_ACTIVE, ct_report("2025-11-20T10:00:00Z")),
        (FOLLOWUP,),
    ),
    PatientView(
        "CERV-FOLLOWUP",
        "missing-no-ct-on-record",
        "On paclitaxel with no CT chest/abdomen/pelvis on record at all: the card says none is on record.",
        (*RECURRENT_OMENTAL, PACLITAXEL_ACTIVE),
        (FOLLOWUP,),
    ),
    PatientView(
        "CERV-FOLLOWUP",
        "out-ct-two-months-ago",
        "On paclitaxel, CT chest/abdomen/pelvis on 2026-01-02 (2 months ago): within the interval, no card.",
        (*RECURRENT_OMENTAL, PACLITAXEL_ACTIVE, ct_report("2026-01-02T10:00:00Z")),
        (),
    ),
    PatientView(
        "CERV-FOLLOWUP",
        "boundary-ct-exactly-three-months-ago",
        "On paclitaxel, CT chest/abdomen/pelvis on 2025-12-02, exactly 3 calendar months before 2026-03-02: still "
        "within the interval (the card comes from the next day), no card.",
        (*RECURRENT_OMENTAL, PACLITAXEL_ACTIVE, ct_report("2025-12-02T10:00:00Z")),
        (),
    ),
    PatientView(
        "CERV-FOLLOWUP",
        "out-not-on-systemic-therapy",
        "Recurrent cervical cancer with omental metastasis, no CT on record, but no systemic therapy the patient "
        "is on (paclitaxel completed): no follow-up card.",
        (
            *RECURRENT_OMENTAL,
            medication_request(
                "paclitaxel-1",
                "rxnorm",
                "56946",
                "paclitaxel",
                status="completed",
                start="2026-01-05",
                authored="2026-01-05",
            ),
        ),
        (),
    ),
    PatientView(
        "PM-GENERAL",
        "boundary-breast-peritoneum-and-snomed-bone-names-both-sites",
        "Breast cancer (C50.911) with peritoneal (C78.6) and bone (SNOMED 94222008) metastases, ECOG 1: two "
        "sites, not oligometastatic; the general card names peritoneum and bone.",
        (BREAST, PERITONEUM, BONE, ECOG_1),
        (("PM-GENERAL", "info"),),
    ),
    PatientView(
        "BR-OLIGO",
        "out-breast-peritoneum-and-snomed-bone-two-sites",
        "Breast cancer with peritoneal and SNOMED-coded bone metastases: two sites on record, no single-site card "
        "(PM-GENERAL names both).",
        (BREAST, PERITONEUM, BONE, ECOG_1),
        (("PM-GENERAL", "info"),),
    ),
    PatientView(
        "CERV-OMENTAL-RESECTION",
        "out-omental-and-snomed-liver-no-therapy",
        "Recurrent cervical cancer with omental and liver (SNOMED 94381002) metastases, ECOG 1, no therapy: the "
        "omentum is not the single site, no resection card; the first-line card shows.",
        (
            *RECURRENT_OMENTAL,
            condition(
                "liver-1", "sct", "94381002", "Secondary malignant neoplasm of liver", onset="2025-12-15"
            ),
        ),
        (FIRSTLINE,),
    ),
)


def main() -> None:
    for spec in SCENARIOS:
        print(spec.write().relative_to(SCENARIO_ROOT.parent.parent))


if __name__ == "__main__":
    main()
