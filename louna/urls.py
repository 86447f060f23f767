app_name = "louna"
urlpatterns = []
