"""Messages for people (Django's messages framework): whatever a view or a service's refusal says, the user reads
the articles of the working rules (第六十条), never their internal IDs (DOC-7) — one place for every page."""

from django.contrib.messages.storage.fallback import FallbackStorage

from tiexi_gov.deadlines.rules import plain


class PlainRulesStorage(FallbackStorage):
    def add(self, level, message, extra_tags=""):
        return super().add(level, plain(str(message)) if message else message, extra_tags)
