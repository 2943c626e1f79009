"""Login and sessions (issue 12 point 2): lockout, login audit, session limits, password policy, TOTP."""
