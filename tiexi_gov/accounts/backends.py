"""django-axes' lockout check as the first authentication backend."""

from axes.backends import AxesStandaloneBackend


class LockoutBackend(AxesStandaloneBackend):
    """Refuses a locked username or address. A login without a request (the shell, the test client's `login()`)
    is not a login attempt over the network; the backends after this one handle it as before."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
