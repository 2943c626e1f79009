"""URLs of the workdays app."""

app_name = "workdays"
urlpatterns = []
