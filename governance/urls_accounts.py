from django.urls import path

from governance.views import accounts, auth

app_name = "accounts"
urlpatterns = [
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth.logout_view, name="logout"),
    # System administrator: accounts.
    path("manage/", accounts.account_list_view, name="list"),
    path("manage/new/", accounts.account_create_view, name="create"),
    path("manage/<int:user_id>/", accounts.account_edit_view, name="edit"),
    path("manage/<int:user_id>/active/", accounts.account_active_view, name="set_active"),
    path("manage/<int:user_id>/password/", accounts.account_password_view, name="reset_password"),
    # Security administrator: roles, grants, lockouts.
    path("grants/", accounts.grant_list_view, name="grants"),
    path("grants/<int:user_id>/", accounts.grant_edit_view, name="grant_edit"),
    path("grants/<int:user_id>/unlock/", accounts.account_unlock_view, name="unlock"),
]
