"""The roster API: workers visible in the user's jurisdiction (read-only; masked phone, audited reveal)."""

from django.utils.translation import gettext_lazy as _

from grids.api.serializers import RevealOutputSerializer
from grids.api.views import (
    ScopedDetailApi,
    ScopedListApi,
    ScopedRevealApi,
    collection_schema,
    detail_schema,
    reveal_schema,
)
from workforce.api.filters import WorkerFilterSet
from workforce.api.serializers import WorkerRevealInputSerializer, WorkerSerializer
from workforce.selectors import worker_list


class WorkerQuerysetMixin:
    serializer_class = WorkerSerializer
    not_found_message = _("Worker not found. 社区工作者不存在或不在您的管辖范围内。")

    def get_queryset(self):
        return worker_list(user=self.request.user)


@collection_schema(WorkerSerializer, tag="workers")
class WorkerListApi(WorkerQuerysetMixin, ScopedListApi):
    filterset_class = WorkerFilterSet


@detail_schema(WorkerSerializer, tag="workers")
class WorkerDetailApi(WorkerQuerysetMixin, ScopedDetailApi):
    pass


@reveal_schema(WorkerRevealInputSerializer, tag="workers")
class WorkerRevealApi(WorkerQuerysetMixin, ScopedRevealApi):
    serializer_class = RevealOutputSerializer
    input_serializer_class = WorkerRevealInputSerializer
