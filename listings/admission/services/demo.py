"""Demo admission data for 示范区 (`seed_demo_admission`), run after the demo district and its lists
(grids.services.demo.demo_seed, then listings.services.demo.seed_demo_lists).

A handful of applications from the demo department account (demo_department, 城管执法局) in every state —
admitted and in the ledgers, under review, submitted and overdue (the next sweep escalates it), returned for
changes, refused at once for the negative list, refused by the review group (demo_district), a draft, and one
admitted and later revoked — and tasks sent to communities: an admitted one, one not admitted and refused by
demo_community with a reason, one not admitted still waiting, and a separate inspection on an admitted item.

Everything goes through the services, so the rules, events, ledgers and notifications are the real ones; the
steps are dated in the past relative to today (the services take `now`; the event and sent-task timestamps are
set to the same moments), so the timelines, review clocks and burden trend read naturally. Every row is marked as
sample data.

Deterministic and idempotent: the plan is fixed; an application is found by its department and title, a sent task
by its department, title and community; what exists is left alone, so a second run writes nothing. Without the
district, the demo accounts or the lists (an assisting and a negative item in force), nothing is created and the
reason is printed."""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from governance.lib.exceptions import ApplicationError
from governance.lib.request_context import Actor, reset_actor, set_actor
from governance.models import Role, User
from grids.models import Region, RegionLevel
from listings.admission.models import AdmissionEvent, Application, SentTask, SentTaskEvent
from listings.admission.services import applications as app_svc
from listings.admission.services import tasks as task_svc
from listings.models import ListItem, ListPurpose, in_force_q

logger = logging.getLogger(__name__)

DISTRICT_CODE = "110199"
SEED_ACTOR = "seed_demo"
DEPARTMENT_ACCOUNT, REVIEW_ACCOUNT, COMMUNITY_ACCOUNT = "demo_department", "demo_district", "demo_community"


@dataclass(frozen=True)
class Plan:
    """One application: its content, and the steps (days before today) it goes through."""

    title: str
    content: str
    communities: int | str               # how many of the district's communities (in path order), or "all"
    applied: int | None                  # days ago it was submitted (None: a draft)
    start: int                           # period start, days from today (negative: already running)
    length: int = 365
    cite: str = ""                       # "assisting0", "assisting1", "negative0" or ""
    funding: str | None = "8000"
    staff: str | None = None
    purchase: str = ""
    brings: tuple[int, int, int, int, int] = (1, 1, 0, 1, 0)  # forms, ledgers, inspections, meetings, signboards
    cycle: str = "quarterly"
    steps: tuple[tuple[int, str, str], ...] = ()                # (days ago, action, note)
    legal_basis: str = ""
    extra: dict = field(default_factory=dict)


PLANS = (
    Plan("协助开展市容环境秩序巡查并报告",
         "每周巡查主要街巷一次，发现违法建设、占道经营等线索通过网格平台上报；不承担查处责任。",
         "all", applied=120, start=-60, cite="assisting0", funding=None,
         brings=(1, 1, 0, 1, 0), cycle="monthly", legal_basis="《城市市容和环境卫生管理条例》",
         steps=((95, "take_up", ""), (85, "admit", "属于依法协助政府工作事项，经费由区财政按社区拨付。"))),
    Plan("协助开展生活垃圾分类入户宣传", "组织志愿者入户宣传垃圾分类，每季度开展一次集中宣传活动。",
         2, applied=5, start=60, cite="assisting1", funding=None, brings=(1, 1, 0, 0, 0),
         steps=((3, "take_up", ""),)),
    Plan("背街小巷保洁质量巡看（政府购买服务）",
         "由中标的物业服务企业每日巡看背街小巷保洁质量，社区协助反映居民意见。",
         3, applied=30, start=20, funding=None,
         purchase="区城管执法局通过政府购买服务委托专业公司实施，社区只反映居民意见，不承担巡看任务。",
         brings=(0, 0, 0, 0, 0), cycle="none"),
    Plan("建筑垃圾消纳场所夜间巡看", "社区安排人员夜间巡看辖区建筑垃圾消纳场所，发现偷倒及时上报。",
         2, applied=40, start=90, funding="6000", brings=(1, 1, 0, 0, 0),
         steps=((30, "return", "请补充经费测算依据和夜间巡看的人员安全保障安排。"),)),
    Plan("negative0", "要求各社区承担该项工作并按月报送情况。", "all", applied=20, start=60, funding="5000",
         brings=(1, 2, 1, 0, 1)),
    Plan("沿街商户门前三包责任书签订", "由社区逐户与沿街商户签订门前三包责任书并建立台账。", 3, applied=25, start=45,
         funding="3000", brings=(1, 2, 0, 0, 1),
         steps=((10, "refuse", "门前三包属城管部门管理职责，不得转嫁社区；可通过政府购买服务实施。"),)),
    Plan("共享单车停放秩序劝导", "高峰时段在地铁站口劝导共享单车规范停放。", 2, applied=None, start=60, funding="4000"),
    Plan("户外广告牌匾设置情况统计", "每半年统计一次辖区户外广告和牌匾设置情况。", 2, applied=230, start=-180,
         funding="2000", brings=(1, 1, 0, 0, 0), cycle="half_yearly",
         steps=((200, "admit", "同意，经费按社区拨付。"),
                (30, "revoke", "区城管执法局已建成牌匾数据库，不再需要社区统计。"))),
)

# (title, content, kind, cite: application plan index or None, community index, days ago, answer)
TASKS = (
    ("报送本月市容环境秩序巡查记录", "请于每月5日前报送上月巡查记录表。", "report", 0, 0, 20, "accept"),
    ("报送本月市容环境秩序巡查记录", "请于每月5日前报送上月巡查记录表。", "report", 0, 1, 20, ""),
    ("协助清理辖区小广告并上报台账", "请组织人员清理辖区楼道小广告，每周上报清理台账。", "work", None, 0, 10,
     "refuse"),
    ("统计辖区沿街商户名单", "请统计辖区全部沿街商户名称、地址和负责人电话，三日内报送。", "report", None, 0, 2, ""),
    ("市容环境秩序巡查工作专项检查", "区城管执法局将对各社区巡查工作进行专项检查，请准备巡查台账。", "inspection",
     0, 2, 7, ""),
)
REFUSAL = "该任务未经准入，不在本社区工作事项清单内，请按程序申请准入或通过政府购买服务实施。"


def _say(stdout, text: str) -> None:
    if stdout is not None:
        stdout.write(text)


def _items(district, day) -> dict[str, ListItem]:
    def pick(purpose, department_id=None):
        qs = (ListItem.objects.filter(in_force_q(day), kind__district=district, kind__purpose=purpose)
              .order_by("kind__position", "kind_id", "position", "code"))
        items = list(qs)
        if department_id:  # the department's own items first (城管 cites 城管 items)
            items.sort(key=lambda i: i.responsible_department_id != department_id)
        return items

    return {"assisting": pick(ListPurpose.ASSISTING), "negative": pick(ListPurpose.NEGATIVE)}


def seed_demo_admission(*, stdout=None) -> None:
    district = Region.objects.filter(code=DISTRICT_CODE, level=RegionLevel.DISTRICT, valid_to__isnull=True).first()
    if district is None:
        _say(stdout, "Demo admission: district 110199 not found; run the demo seed first. 未找到示范区。")
        return
    accounts = {u.username: u for u in User.objects.filter(
        username__in=[DEPARTMENT_ACCOUNT, REVIEW_ACCOUNT, COMMUNITY_ACCOUNT], is_active=True)}
    handler, reviewer, community_user = (accounts.get(DEPARTMENT_ACCOUNT), accounts.get(REVIEW_ACCOUNT),
                                         accounts.get(COMMUNITY_ACCOUNT))
    if (handler is None or handler.role != Role.DEPARTMENT_HANDLER or reviewer is None
            or reviewer.region_id != district.pk or community_user is None):
        _say(stdout, "Demo admission: the demo accounts are missing; nothing created. 缺少演示账号，未创建准入数据。")
        return
    now = timezone.now()
    today = timezone.localdate()
    items = _items(district, today)
    assisting = sorted(items["assisting"], key=lambda i: i.responsible_department_id != handler.department_id)
    if len(assisting) < 2 or not items["negative"]:
        _say(stdout, "Demo admission: the district's lists are absent (run seed_demo_lists first); nothing created. "
                     "未找到清单，未创建准入数据。")
        return
    cited = {"assisting0": assisting[0], "assisting1": assisting[1], "negative0": items["negative"][0]}
    communities = list(Region.objects.filter(path__startswith=district.path, level=RegionLevel.COMMUNITY,
                                             valid_to__isnull=True).order_by("path"))
    created = {"applications": 0, "tasks": 0, "skipped": 0}
    token = set_actor(Actor(username=SEED_ACTOR))
    try:
        with transaction.atomic():
            applications = []
            for plan in PLANS:
                applications.append(_application(plan, handler=handler, reviewer=reviewer, cited=cited,
                                                 communities=communities, now=now, today=today, created=created,
                                                 stdout=stdout))
            for spec in TASKS:
                _task(spec, handler=handler, community_user=community_user, applications=applications,
                      communities=communities, now=now, created=created, stdout=stdout)
    finally:
        reset_actor(token)
    total = Application.objects.filter(district=district, is_sample=True).count()
    _say(stdout, f"Demo admission 准入: {total} sample applications in 示范区; created this run: "
                 f"{created['applications']} applications, {created['tasks']} tasks sent"
                 + (f", {created['skipped']} skipped" if created["skipped"] else "") + ".")


def _title(plan: Plan, cited) -> str:
    if plan.title == "negative0":
        return f"由社区承担{cited['negative0'].name}"
    return plan.title


def _backdate(model, filters: dict, after_id: int | None, when) -> None:
    rows = model.objects.filter(**filters)
    if after_id:
        rows = rows.filter(pk__gt=after_id)
    rows.update(created_at=when)


def _last_event(application) -> int:
    return AdmissionEvent.objects.filter(application=application).aggregate(m=Max("pk"))["m"] or 0


def _application(plan: Plan, *, handler, reviewer, cited, communities, now, today, created, stdout):
    title = _title(plan, cited)
    existing = Application.objects.filter(department_id=handler.department_id, title=title).first()
    if existing is not None:
        return existing
    targets = communities if plan.communities == "all" else communities[: plan.communities]
    start = today + datetime.timedelta(days=plan.start)
    item = cited.get(plan.cite)
    if plan.cite == "negative0":
        item = None  # named in the title: the rules find it there
    data = dict(title=title, content=plan.content, legal_basis=plan.legal_basis or (item.legal_basis if item else ""),
                cited_item=item, period_start=start, period_end=start + datetime.timedelta(days=plan.length),
                workload_hours_per_month=Decimal("4"), forms_count=plan.brings[0], ledgers_count=plan.brings[1],
                inspections_count=plan.brings[2], meetings_count=plan.brings[3], signboards_count=plan.brings[4],
                reporting_cycle=plan.cycle,
                funding_per_community_yuan=Decimal(plan.funding) if plan.funding else None,
                staff_per_community=Decimal(plan.staff) if plan.staff else None, purchase_of_service=plan.purchase)
    applied_at = now - datetime.timedelta(days=plan.applied if plan.applied is not None else 1)
    try:
        with transaction.atomic():
            application = app_svc.application_create(actor=handler, communities=targets,
                                                     submit=plan.applied is not None, now=applied_at,
                                                     is_sample=True, **data)
            _backdate(AdmissionEvent, {"application": application}, None, applied_at)
            Application.objects.filter(pk=application.pk).update(created_at=applied_at)
            for days, action, note in plan.steps:
                when = now - datetime.timedelta(days=days)
                last = _last_event(application)
                if action == "take_up":
                    app_svc.application_take_up(actor=reviewer, application_id=application.pk)
                elif action == "revoke":
                    app_svc.application_revoke(actor=reviewer, application_id=application.pk, note=note, now=when)
                else:
                    app_svc.application_decide(actor=reviewer, application_id=application.pk, decision=action,
                                               note=note, now=when)
                _backdate(AdmissionEvent, {"application": application}, last, when)
    except (ValidationError, ApplicationError) as exc:
        created["skipped"] += 1
        logger.warning("demo admission: %s skipped: %s", title, exc)
        _say(stdout, f"Demo admission: skipped “{title}”: {exc}")
        return None
    created["applications"] += 1
    application.refresh_from_db()
    return application


def _task(spec, *, handler, community_user, applications, communities, now, created, stdout) -> None:
    title, content, kind, cite, community_index, days, answer = spec
    community = communities[community_index] if community_index < len(communities) else None
    application = applications[cite] if cite is not None else None
    if community is None or (cite is not None and application is None):
        return
    if SentTask.objects.filter(department_id=handler.department_id, title=title, community=community).exists():
        return
    when = now - datetime.timedelta(days=days)
    try:
        with transaction.atomic():
            [task] = task_svc.task_send(actor=handler, title=title, content=content, kind=kind,
                                        communities=[community], application=application, now=when, is_sample=True)
            SentTask.objects.filter(pk=task.pk).update(created_at=when)
            _backdate(SentTaskEvent, {"task": task}, None, when)
            if answer and community_user.region_id == community.pk:
                answered = when + datetime.timedelta(hours=3)
                last = SentTaskEvent.objects.filter(task=task).aggregate(m=Max("pk"))["m"]
                if answer == "refuse":
                    task_svc.task_refuse(actor=community_user, task_id=task.pk, reason=REFUSAL, now=answered)
                else:
                    task_svc.task_accept(actor=community_user, task_id=task.pk, note="已安排网格员每周巡查。",
                                         now=answered)
                _backdate(SentTaskEvent, {"task": task}, last, answered)
    except (ValidationError, ApplicationError) as exc:
        created["skipped"] += 1
        _say(stdout, f"Demo admission: skipped task “{title}”: {exc}")
        return
    created["tasks"] += 1
