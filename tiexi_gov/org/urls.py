"""URLs of the org app."""

app_name = "org"
urlpatterns = []
