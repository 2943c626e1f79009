"""The planner's costs on each new PostgreSQL connection (settings.DB_RANDOM_PAGE_COST).

A SET when the connection opens, not a libpq startup option: an `options` connection parameter would replace
PGOPTIONS, which a deployment (and the test suite's runtime role) may use for its own settings."""

from django.conf import settings


def set_costs(sender, connection, **kwargs) -> None:
    if connection.vendor != "postgresql" or not settings.DB_RANDOM_PAGE_COST:
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('random_page_cost', %s, false)", [str(settings.DB_RANDOM_PAGE_COST)])
