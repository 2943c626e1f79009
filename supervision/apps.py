from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = "督查督办"

    def ready(self):
        from tiexi_gov.followups import register_followups
        from tiexi_gov.org.panels import register_unit_panel
        from tiexi_gov.workflow.registry import register_flow

        from .ledger.flow import FLOW as ITEMS
        from .ledger.panels import open_items_panel
        from .ledger.selectors import followups_of_instructions
        from .outcomes.flow import FLOW as OUTCOMES
        from .outcomes.panels import outcomes_panel
        from .public.flow import FLOW as INQUIRIES
        from .reports.flow import FLOW as HALF_YEAR_REPORTS

        # What each item waits on, and who: the tasks of 我的待办 (tiexi_gov.workflow).
        for flow in (ITEMS, HALF_YEAR_REPORTS, OUTCOMES, INQUIRIES):
            register_flow(flow)
        # The unit page shows the unit's open supervised items and the outcomes on its record (SUP-4).
        register_unit_panel(open_items_panel, order=30)
        register_unit_panel(outcomes_panel, order=31)
        # A leader's instruction on a processing slip links to the items raised from it (SUP-1).
        register_followups("leader_instruction", followups_of_instructions)
