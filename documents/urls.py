"""URLs of the documents app."""

app_name = "documents"
urlpatterns = []
