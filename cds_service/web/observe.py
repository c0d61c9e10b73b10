"""What a hook call and a feedback post report beyond their answer: the cards returned (recorded in the store for
the feedback report, and counted in the metrics), and feedback outcomes by the rule id of their card."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

from fastapi import Request

from cds_service.card_log import ShownCardLog
from cds_service.metrics import metrics_of
from cds_service.protocol.models import FeedbackItem
from cds_service.store import ShownCard, Store

if TYPE_CHECKING:
    from cds_service.pipeline import RuledCard

log = logging.getLogger(__name__)


def cards_returned(request: Request, service_id: str, cards: Sequence[RuledCard]) -> None:
    """Record the cards a hook call returns (uuid and rule id, for the feedback report; written in batches by
    the card log) and count them."""
    shown = [
        ShownCard(card_uuid=c.card.uuid, rule_id=c.rule_id, indicator=c.card.indicator)
        for c in cards
        if c.card.uuid
    ]
    metrics = metrics_of(request.app.state)
    if metrics is not None:
        metrics.cards_returned((c.rule_id, c.indicator) for c in shown)
    if shown:
        card_log: ShownCardLog = request.app.state.card_log
        card_log.add(service_id, shown)


def feedback_received(request: Request, items: Sequence[FeedbackItem]) -> None:
    """Count feedback outcomes by the rule id of their card."""
    metrics = metrics_of(request.app.state)
    if metrics is None or not items:
        return
    store: Store = request.app.state.store
    request.app.state.card_log.flush()  # the cards shown just before this post are in the store
    try:
        rules = store.rules_of_cards(sorted({i.card for i in items}))
    except Exception as exc:
        log.warning("feedback rule ids not resolved: %s", type(exc).__name__)
        rules = {}
    metrics.feedback_received((rules.get(i.card), i.outcome) for i in items)
