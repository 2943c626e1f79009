"""Start the test OpenID provider: bind a free loopback port, migrate a fresh SQLite file, make the RSA key, the
client and the accounts from the spec, print "READY <port>" and serve until terminated.

    TIEXI_OIDC_SPEC='{"db": ..., "client": {...}, "users": [...]}' \
        python -m tests.accounts_directory.oidc_provider.serve
"""

import contextlib
import os
import sys
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


def main() -> None:
    server = make_server("127.0.0.1", 0, None, server_class=_Server, handler_class=_QuietHandler)
    port = server.server_address[1]
    os.environ["TIEXI_OIDC_SITE_URL"] = f"http://127.0.0.1:{port}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.accounts_directory.oidc_provider.settings"
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application
    from oidc_provider.models import Client, ResponseType

    call_command("migrate", verbosity=0, interactive=False)
    with open(os.devnull, "w") as quiet:
        call_command("creatersakey", stdout=quiet)
    spec = settings.SPEC
    client = Client.objects.create(
        name="铁西区政府工作平台",
        client_type="confidential",
        client_id=spec["client"]["id"],
        client_secret=spec["client"]["secret"],
        jwt_alg="RS256",
        require_consent=False,
    )
    client.redirect_uris = spec["client"]["redirect_uris"]
    client.scope = ["openid", "profile", "employee"]
    client.save()
    client.response_types.add(ResponseType.objects.get(value="code"))
    for account in spec["users"]:
        User.objects.create_user(account["username"], password=account["password"])

    server.set_app(get_wsgi_application())
    print(f"READY {port}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever(poll_interval=0.1)


if __name__ == "__main__":
    sys.exit(main())
