from django.urls import path

from listings.certificates import views

app_name = "certificates"
urlpatterns = [
    path("request/", views.request_create, name="request"),
    path("mine/", views.my_requests, name="my_requests"),
    path("register/", views.register, name="register"),
    path("register/export/", views.register_export, name="register_export"),
    path("walk-in/", views.walk_in, name="walk_in"),
    path("requests/<int:pk>/", views.request_detail, name="request_detail"),
    path("requests/<int:pk>/issue/", views.issue, name="issue"),
    path("requests/<int:pk>/refuse/", views.refuse, name="refuse"),
    path("requests/<int:pk>/revoke/", views.revoke, name="revoke"),
    path("requests/<int:pk>/reveal/", views.reveal, name="reveal"),
    path("requests/<int:pk>/certificate.pdf", views.certificate_pdf, name="pdf"),
    path("requests/<int:pk>/notice/", views.refusal_notice, name="refusal_notice"),
    path("requests/<int:pk>/notice.pdf", views.refusal_notice_pdf, name="refusal_notice_pdf"),
    path("verify/", views.verify, name="verify"),
    path("verify/<str:serial>/", views.verify_serial, name="verify_serial"),
]
