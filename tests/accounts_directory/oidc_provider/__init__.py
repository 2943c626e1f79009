"""A small OpenID provider (django-oidc-provider) for the directory login tests, run in its own process on the
loopback: `python -m tests.accounts_directory.oidc_provider.serve` (see serve.py and ../conftest.py)."""
