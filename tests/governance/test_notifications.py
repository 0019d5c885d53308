"""Notifications: inbox rows, e-mail/SMS deliveries after commit, gateway failures, retries and the resend sweep,
and the notification centre pages (own rows only, unread first, mark read, flat query count)."""

import datetime as dt

import pytest
from django.core import mail
from django.db import transaction
from django.urls import include, path, reverse
from django.utils import timezone

import governance.urls
from governance.models import Delivery, Notification, Role
from governance.services.notifications import deliveries_resend_pending, delivery_send, notify
from governance.sms import MemorySmsBackend, SmsError
from tests.factories import make_user

pytestmark = pytest.mark.django_db

# The lead includes governance.urls_notifications at "notifications/"; until then these tests add it themselves.
urlpatterns = list(governance.urls.urlpatterns)
if not any(getattr(p, "namespace", None) == "notifications" for p in urlpatterns):
    urlpatterns.append(path("notifications/", include("governance.urls_notifications")))
handler404 = governance.urls.handler404
handler403 = governance.urls.handler403
handler400 = governance.urls.handler400
handler500 = governance.urls.handler500


@pytest.fixture(autouse=True)
def _backends(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.GONGZHI_SMS_BACKEND = "governance.sms.MemorySmsBackend"
    settings.GONGZHI_NOTIFICATION_MAX_ATTEMPTS = 6
    MemorySmsBackend.outbox.clear()
    yield
    MemorySmsBackend.outbox.clear()


@pytest.fixture
def alice(db):
    return make_user(Role.RESIDENT, username="alice", email="alice@example.cn", phone="13800000011")


@pytest.fixture
def bob(db):
    return make_user(Role.RESIDENT, username="bob", email="bob@example.cn", phone="13800000022")


@pytest.fixture
def gateway_down(monkeypatch):
    def send(self, *, phone, text, idempotency_key):
        raise SmsError("gateway down")

    monkeypatch.setattr(MemorySmsBackend, "send", send)


def _notify(users, key="k1", **kwargs):
    kwargs.setdefault("title", "案件督办")
    return notify(recipients=users, kind="test", body="请尽快办理", url="/x/", dedupe_key=key, **kwargs)


# --- notify ---------------------------------------------------------------------------------------------------

def test_one_inbox_row_per_recipient_and_once_per_dedupe_key(alice, bob):
    inactive = make_user(Role.RESIDENT, is_active=False)
    created = _notify([alice, bob, alice, None, inactive])
    assert sorted(n.recipient.username for n in created) == ["alice", "bob"]
    assert _notify([alice, bob]) == []                     # same key again: nothing new
    assert len(_notify([alice], key="k2")) == 1            # another key: a new row
    assert Notification.objects.filter(recipient=alice).count() == 2
    assert Notification.objects.filter(recipient=bob).count() == 1


def test_email_is_sent_after_commit(alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            _notify([alice])
            assert mail.outbox == []                       # nothing leaves before the commit
    assert len(callbacks) == 1
    assert [(m.subject, m.to) for m in mail.outbox] == [("案件督办", ["alice@example.cn"])]
    delivery = Delivery.objects.get()
    assert (delivery.channel, delivery.state, delivery.attempts) == ("email", "sent", 1)
    assert delivery.sent_at is not None and delivery.last_error == ""


def test_sms_goes_through_the_configured_backend(alice, django_capture_on_commit_callbacks):
    no_phone = make_user(Role.RESIDENT, email="", phone="")
    with django_capture_on_commit_callbacks(execute=True):
        _notify([alice, no_phone], email=False, sms=True)
    delivery = Delivery.objects.get()
    assert MemorySmsBackend.outbox == [{"phone": "13800000011", "text": "案件督办 请尽快办理",
                                        "key": f"delivery-{delivery.pk}"}]
    assert delivery.state == Delivery.State.SENT
    assert Notification.objects.count() == 2               # the inbox row exists even without an address


def test_rolled_back_transaction_sends_nothing(alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                _notify([alice], sms=True)
                raise RuntimeError("the user's request failed")
    assert callbacks == []
    assert mail.outbox == [] and MemorySmsBackend.outbox == []
    assert not Notification.objects.exists() and not Delivery.objects.exists()


# --- failures, retries, the resend sweep ---------------------------------------------------------------------------

def test_failing_gateway_keeps_the_delivery_pending_and_the_request_alive(alice, gateway_down,
                                                                          django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _notify([alice], email=False, sms=True)             # eager mode: must not raise into the request
    delivery = Delivery.objects.get()
    assert delivery.state == Delivery.State.PENDING
    assert delivery.attempts == 1
    assert delivery.last_error == "SmsError: gateway down"


def test_an_unexpected_gateway_error_does_not_escape_either(alice, monkeypatch, django_capture_on_commit_callbacks):
    def send(self, **kwargs):
        raise RuntimeError("gateway SDK bug")

    monkeypatch.setattr(MemorySmsBackend, "send", send)
    with django_capture_on_commit_callbacks(execute=True):
        _notify([alice], email=False, sms=True)
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts) == (Delivery.State.PENDING, 1)
    assert delivery.last_error.startswith("RuntimeError")


def test_failed_after_the_maximum_attempts(alice, gateway_down, settings, django_capture_on_commit_callbacks):
    settings.GONGZHI_NOTIFICATION_MAX_ATTEMPTS = 3
    with django_capture_on_commit_callbacks(execute=True):
        _notify([alice], email=False, sms=True)             # attempt 1
    delivery = Delivery.objects.get()
    with pytest.raises(SmsError):
        delivery_send(delivery_id=delivery.pk)              # attempt 2: raised, so the task retries
    result = delivery_send(delivery_id=delivery.pk)         # attempt 3: the last one
    assert (result.state, result.attempts) == (Delivery.State.FAILED, 3)
    assert result.last_error == "SmsError: gateway down"
    assert delivery_send(delivery_id=delivery.pk).attempts == 3          # given up: no further attempt
    assert deliveries_resend_pending(now=timezone.now() + dt.timedelta(hours=1)) == 0


def test_resend_sweep_sends_old_pending_deliveries(alice, bob):
    _notify([alice])                      # no on-commit run: as if the task had been lost with Redis
    _notify([bob])
    Delivery.objects.filter(notification__recipient=alice).update(created_at=timezone.now() - dt.timedelta(minutes=11))
    assert deliveries_resend_pending() == 1
    assert [m.to for m in mail.outbox] == [["alice@example.cn"]]
    assert Delivery.objects.get(notification__recipient=alice).state == Delivery.State.SENT
    assert Delivery.objects.get(notification__recipient=bob).state == Delivery.State.PENDING   # still young
    assert deliveries_resend_pending() == 0


def test_resend_sweep_retries_after_a_gateway_outage(alice, monkeypatch, django_capture_on_commit_callbacks):
    calls = []
    monkeypatch.setattr(MemorySmsBackend, "send", lambda self, **kw: (_ for _ in ()).throw(SmsError("down")))
    with django_capture_on_commit_callbacks(execute=True):
        _notify([alice], email=False, sms=True)
    monkeypatch.setattr(MemorySmsBackend, "send", lambda self, **kw: calls.append(kw))
    assert deliveries_resend_pending(now=timezone.now() + dt.timedelta(minutes=11)) == 1
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.last_error) == (Delivery.State.SENT, 2, "")
    assert len(calls) == 1


def test_sending_twice_sends_once(alice):
    _notify([alice])
    delivery = Delivery.objects.get()
    delivery_send(delivery_id=delivery.pk)
    delivery_send(delivery_id=delivery.pk)                  # a redelivered task
    assert len(mail.outbox) == 1
    assert Delivery.objects.get().attempts == 1
    assert delivery_send(delivery_id=999999) is None        # a deleted delivery: nothing to do


def test_broker_down_after_commit_does_not_fail_the_request(alice, settings, monkeypatch,
                                                            django_capture_on_commit_callbacks):
    from kombu.exceptions import OperationalError

    from governance.tasks import delivery_send_task

    settings.CELERY_TASK_ALWAYS_EAGER = False

    def delay(*args, **kwargs):
        raise OperationalError("Error 111 connecting to redis")

    monkeypatch.setattr(delivery_send_task, "delay", delay)
    with django_capture_on_commit_callbacks(execute=True):
        _notify([alice])
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts) == (Delivery.State.PENDING, 0)   # the resend sweep will send it


def test_with_a_broker_the_send_goes_to_the_task(alice, settings, monkeypatch, django_capture_on_commit_callbacks):
    from governance.tasks import delivery_send_task

    settings.CELERY_TASK_ALWAYS_EAGER = False
    sent = []
    monkeypatch.setattr(delivery_send_task, "delay", lambda pk: sent.append(pk))
    with django_capture_on_commit_callbacks(execute=True):
        _notify([alice])
    assert sent == [Delivery.objects.get().pk] and mail.outbox == []


def test_task_retries_end_before_the_resend_sweep_takes_over():
    """The task's own retry chain (with its maximum backoff) is over before deliveries_resend_pending's 10-minute
    threshold, so the two do not send the same delivery at once."""
    from governance.tasks import delivery_send_task

    assert set(delivery_send_task.autoretry_for) == {SmsError, OSError}
    worst = sum(min(delivery_send_task.retry_backoff * 2 ** n, delivery_send_task.retry_backoff_max)
                for n in range(delivery_send_task.max_retries))
    assert worst < 10 * 60


def test_resend_task_wiring(alice):
    from governance.tasks import deliveries_resend_task

    _notify([alice])
    Delivery.objects.update(created_at=timezone.now() - dt.timedelta(hours=1))
    assert deliveries_resend_task.apply().get() == 1
    assert len(mail.outbox) == 1


# --- the notification centre -----------------------------------------------------------------------------------

def _note(user, title, *, read=False, minutes_ago=0, url=""):
    note = Notification.objects.create(recipient=user, kind="test", title=title, url=url, dedupe_key=title)
    Notification.objects.filter(pk=note.pk).update(
        created_at=timezone.now() - dt.timedelta(minutes=minutes_ago),
        read_at=timezone.now() if read else None)
    return note


pages = pytest.mark.urls(__name__)


@pages
def test_list_shows_only_my_rows_unread_first(alice, bob, client_for):
    _note(alice, "旧的已读", read=True, minutes_ago=1)
    _note(alice, "较早未读", minutes_ago=30)
    _note(alice, "最新未读", minutes_ago=0)
    _note(bob, "别人的通知")
    response = client_for(alice).get(reverse("notifications:list"))
    assert response.status_code == 200
    assert [n.title for n in response.context["rows"]] == ["最新未读", "较早未读", "旧的已读"]
    assert response.context["unread"] == 2
    assert "别人的通知" not in response.content.decode()


@pages
def test_list_is_paginated(alice, client_for):
    for i in range(25):
        _note(alice, f"通知{i}", minutes_ago=i)
    client = client_for(alice)
    first = client.get(reverse("notifications:list"))
    second = client.get(reverse("notifications:list") + "?page=2")
    assert len(first.context["rows"]) == 20 and len(second.context["rows"]) == 5
    assert first.context["rows"][0].title == "通知0"


@pages
def test_mark_read(alice, client_for):
    note = _note(alice, "请签收")
    client = client_for(alice)
    assert client.get(reverse("notifications:read", args=[note.pk])).status_code == 405   # POST only
    response = client.post(reverse("notifications:read", args=[note.pk]))
    assert response.status_code == 302 and response.url == reverse("notifications:list")
    note.refresh_from_db()
    assert note.read_at is not None
    first_read = note.read_at
    client.post(reverse("notifications:read", args=[note.pk]))             # again: unchanged
    note.refresh_from_db()
    assert note.read_at == first_read


@pages
def test_mark_read_and_open_follows_only_local_links(alice, client_for):
    local = _note(alice, "本地", url="/grids/")
    remote = _note(alice, "外部", url="https://evil.example.com/")
    client = client_for(alice)
    assert client.post(reverse("notifications:read", args=[local.pk]), {"open": "1"}).url == "/grids/"
    assert client.post(reverse("notifications:read", args=[remote.pk]), {"open": "1"}).url == reverse(
        "notifications:list")
    assert client.post(reverse("notifications:read", args=[local.pk]),
                       {"next": "https://evil.example.com/"}).url == reverse("notifications:list")


@pages
def test_someone_elses_notification_is_a_404(alice, bob, client_for):
    theirs = _note(bob, "别人的")
    response = client_for(alice).post(reverse("notifications:read", args=[theirs.pk]))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


@pages
def test_mark_all_read(alice, bob, client_for):
    _note(alice, "一")
    _note(alice, "二")
    theirs = _note(bob, "三")
    client_for(alice).post(reverse("notifications:read_all"))
    assert not Notification.objects.filter(recipient=alice, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


@pages
def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("notifications:list"))
    assert response.status_code == 302 and "login" in response.url


@pages
def test_staff_roles_use_the_same_page(tree, client_for):
    staff = make_user(Role.STREET_STAFF, region=tree.streets[0])
    _note(staff, "督办通知")
    response = client_for(staff).get(reverse("notifications:list"))
    assert response.status_code == 200 and "督办通知" in response.content.decode()


@pages
def test_list_query_count_is_flat(alice, client_for, count_queries):
    client = client_for(alice)
    for i in range(2):
        _note(alice, f"a{i}")
    client.get(reverse("notifications:list"))     # warm-up
    few = count_queries(lambda: client.get(reverse("notifications:list")))
    for i in range(25):
        _note(alice, f"b{i}", read=i % 2 == 0)
    many = count_queries(lambda: client.get(reverse("notifications:list")))
    assert many == few
