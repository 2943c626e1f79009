"""The password policy's entry points for the org app (the admin's reset path): see tiexi_gov.accounts.passwords."""

from tiexi_gov.accounts.passwords import change_reason, require_password_change

__all__ = ["change_reason", "require_password_change"]
