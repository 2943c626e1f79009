"""URLs of the coordination app."""

app_name = "coordination"
urlpatterns = []
