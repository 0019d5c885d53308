import django_filters
from django.utils.translation import gettext_lazy as _

from workforce.models import Worker


class WorkerFilterSet(django_filters.FilterSet):
    post = django_filters.ChoiceFilter(choices=Worker.Post.choices, label=_("Post"))
    is_active = django_filters.BooleanFilter(label=_("Active"))
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", max_length=64, label=_("Name"))

    class Meta:
        model = Worker
        fields = ["post", "is_active", "q"]
