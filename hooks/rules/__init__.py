"""Every guideline rule of the service, one module per clinical topic."""

from cds_service.engine.types import Rule
from hooks.rules import (
    bevacizumab_toxicity,
    cervical,
    cytoreduction,
    hepatocellular,
    lung,
    pathways,
)
from hooks.rules.bevacizumab_perioperative import (
    active_bevacizumab_near_planned_surgery,
    bevacizumab_order_near_planned_surgery,
    bevacizumab_order_soon_after_major_surgery,
    surgery_order_soon_after_bevacizumab,
    vegf_agent_near_planned_surgery,
)
from hooks.rules.dose_checks import (
    bevacizumab_per_weight,
    carboplatin_calvert,
    cisplatin_per_bsa,
    paclitaxel_per_bsa,
)

ALL_RULES: tuple[Rule, ...] = (
    bevacizumab_order_near_planned_surgery,
    bevacizumab_order_soon_after_major_surgery,
    surgery_order_soon_after_bevacizumab,
    active_bevacizumab_near_planned_surgery,
    vegf_agent_near_planned_surgery,
    carboplatin_calvert,
    cisplatin_per_bsa,
    paclitaxel_per_bsa,
    bevacizumab_per_weight,
    *bevacizumab_toxicity.RULES,
    *cytoreduction.RULES,
    *pathways.RULES,
    *hepatocellular.RULES,
    *lung.RULES,
    *cervical.RULES,
)
