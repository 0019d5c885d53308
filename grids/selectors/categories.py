"""Reads of the responsibility list (责任清单). Every staff account reads it (it says who handles what); residents
and the three administrators do not (pages answer 404).

- category_leaves: the categories a case may be filed under (active 细类 without active sub-categories), searched
  by name, keywords or code; for the intake category picker.
- category_tree_rows: one tree as a flat list in tree order, with `is_reportable` worked out in Python (1 query).
"""

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from governance.lib.exceptions import NotFoundOrForbidden
from governance.models import STAFF_ROLES
from grids.models import Category, CategoryTree
from grids.services.categories import REPORTABLE_DEPTH

MAX_SEARCH_TERMS = 5


def can_read_categories(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.role in STAFF_ROLES)


def _active_children():
    return Category.objects.filter(path__startswith=OuterRef("path"), depth=OuterRef("depth") + 1, is_active=True)


def category_leaves(*, tree: str | None = None, q: str = "") -> QuerySet[Category]:
    """Active reportable leaves (depth ≥ 3, no active sub-category; ancestors are active by the services'
    invariant), in tree order, with the department. `q`: every whitespace-separated term must occur in the name
    or the keywords, or start the code."""
    queryset = (Category.objects.filter(is_active=True, depth__gte=REPORTABLE_DEPTH)
                .filter(~Exists(_active_children())).select_related("department").order_by("path"))
    if tree:
        queryset = queryset.filter(tree=tree)
    for term in (q or "").split()[:MAX_SEARCH_TERMS]:
        queryset = queryset.filter(Q(name__icontains=term) | Q(keywords__icontains=term) | Q(code__istartswith=term))
    return queryset


def category_tree_rows(*, tree: str) -> list[Category]:
    """The whole tree in path order (parents first), departments joined: one query. Each row gets
    `is_reportable` (active, depth ≥ 3, every ancestor active, no active child) and `is_leaf`."""
    if tree not in CategoryTree.values:
        return []
    rows = list(Category.objects.filter(tree=tree).select_related("department").order_by("path"))
    steplen = Category.steplen
    active_child_of: set[str] = set()
    by_path = {row.path: row for row in rows}
    for row in rows:
        if row.is_active and row.depth > 1:
            active_child_of.add(row.path[:-steplen])
    for row in rows:
        parent = by_path.get(row.path[:-steplen]) if row.depth > 1 else None
        row.ancestors_active = parent is None or (parent.is_active and parent.ancestors_active)
        row.is_leaf = row.numchild == 0
        row.is_reportable = (row.is_active and row.ancestors_active and row.depth >= REPORTABLE_DEPTH
                             and row.path not in active_child_of)
    return rows


def category_get(*, category_id) -> Category:
    try:
        return Category.objects.select_related("department").get(pk=int(category_id))
    except (Category.DoesNotExist, ValueError, TypeError):
        raise NotFoundOrForbidden(_("Category not found. 分类不存在。")) from None
