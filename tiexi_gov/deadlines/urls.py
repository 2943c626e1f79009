"""URLs of the deadlines app."""

app_name = "deadlines"
urlpatterns = []
