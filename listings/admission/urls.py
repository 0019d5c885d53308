from django.urls import path

from listings.admission.views import applications, burden, tasks

app_name = "admission"
urlpatterns = [
    path("", applications.application_list, name="application_list"),
    path("new/", applications.application_create, name="application_create"),
    path("<int:pk>/", applications.application_detail, name="application_detail"),
    path("<int:pk>/edit/", applications.application_edit, name="application_edit"),
    path("<int:pk>/<slug:action>/", applications.application_action, name="application_action"),
    path("tasks/", tasks.community_tasks, name="community_tasks"),
    path("tasks/send/", tasks.task_send, name="task_send"),
    path("tasks/<int:pk>/", tasks.task_detail, name="task_detail"),
    path("tasks/<int:pk>/refuse/", tasks.task_refuse, name="task_refuse"),
    path("tasks/<int:pk>/accept/", tasks.task_accept, name="task_accept"),
    path("tasks/<int:pk>/done/", tasks.task_done, name="task_done"),
    path("tasks/separate-inspection/", tasks.extra_demand_create, name="extra_demand_create"),
    path("burden/", burden.burden, name="burden"),
    path("burden/export/", burden.burden_export_view, name="burden_export"),
]
