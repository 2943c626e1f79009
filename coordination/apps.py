from django.apps import AppConfig


class CoordinationConfig(AppConfig):
    name = "coordination"
    verbose_name = "议事协调"

    def ready(self):
        from tiexi_gov.org.panels import register_unit_panel
        from tiexi_gov.workflow.registry import register_flow

        from .absence.flow import FLOW as ABSENCE_FLOW
        from .absence.views import unit_away_panel
        from .register.flow import APPLICATION_FLOW, BODY_FLOW
        from .research.flow import FLOW as RESEARCH_FLOW
        from .upkeep.flow import REVIEW_FLOW, TARGETS_FLOW

        register_unit_panel(unit_away_panel, order=60)
        for flow in (BODY_FLOW, APPLICATION_FLOW, REVIEW_FLOW, TARGETS_FLOW, ABSENCE_FLOW, RESEARCH_FLOW):
            register_flow(flow)
