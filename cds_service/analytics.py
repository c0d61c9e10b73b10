"""The feedback report a CDS committee reads to find the alerts clinicians ignore: per rule id, cards shown,
accepted, overridden, override rate and the most frequent override reasons.

Counts are of distinct cards (a card with two feedback items of the same outcome counts once). The override rate
is overridden / (accepted + overridden): of the cards a clinician answered, the share overridden (None when no
card of the rule was answered). Override reasons are counted by their coding (system, code, display); free-text
`userComment`s are never reported (they may hold patient data).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import orjson

from cds_service.store import Store

TOP_REASONS = 3


def feedback_report(store: Store, top: int = TOP_REASONS) -> dict[str, Any]:
    rules = []
    for row in store.feedback_by_rule():
        accepted = {f["card_uuid"] for f in row["feedback"] if f["outcome"] == "accepted"}
        overridden = {f["card_uuid"] for f in row["feedback"] if f["outcome"] == "overridden"}
        reasons: Counter[tuple[str | None, str | None, str | None]] = Counter()
        for item in row["feedback"]:
            if item["outcome"] == "overridden":
                reasons[_reason(item["override_reason"])] += 1
        answered = len(accepted) + len(overridden)
        rules.append(
            {
                "ruleId": row["rule_id"],
                "shown": row["shown"],
                "accepted": len(accepted),
                "overridden": len(overridden),
                "overrideRate": round(len(overridden) / answered, 4) if answered else None,
                "topOverrideReasons": [
                    {"system": system, "code": code, "display": display, "count": count}
                    for (system, code, display), count in reasons.most_common(top)
                ],
            }
        )
    return {"rules": rules}


def _reason(stored: str | None) -> tuple[str | None, str | None, str | None]:
    """(system, code, display) of a stored overrideReason; (None, None, None) when no reason was given."""
    try:
        body = orjson.loads(stored) if stored else None
    except orjson.JSONDecodeError:
        body = None
    reason = body.get("reason") if isinstance(body, dict) else None
    if not isinstance(reason, dict):
        return (None, None, None)

    def text(key: str) -> str | None:
        value = reason.get(key)
        return value if isinstance(value, str) else None

    return (text("system"), text("code"), text("display"))


def render_report(report: dict[str, Any]) -> str:
    """The report as a plain-text table."""
    rows = report["rules"]
    if not rows:
        return "No cards recorded and no feedback received yet."
    header = f"{'rule id':<22} {'shown':>7} {'accepted':>9} {'overridden':>11} {'override rate':>14}"
    lines = [header, "-" * len(header)]
    for r in rows:
        rate = "-" if r["overrideRate"] is None else f"{r['overrideRate'] * 100:.1f} %"
        rule = r["ruleId"] or "(card not recorded)"
        lines.append(f"{rule:<22} {r['shown']:>7} {r['accepted']:>9} {r['overridden']:>11} {rate:>14}")
        for reason in r["topOverrideReasons"]:
            label = reason["display"] or reason["code"] or "(no reason given)"
            lines.append(f"{'':<22}   override reason: {label} × {reason['count']}")
    return "\n".join(lines)
