"""`core.bulk.insert`: many new rows at once (by COPY on PostgreSQL), as `bulk_create` would."""

import datetime
import uuid
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.utils import timezone

from linkwork.core.bulk import insert
from linkwork.directory.models import CostOption, Organization, Schedule, Service

pytestmark = pytest.mark.django_db


def test_new_rows_are_written_with_their_values_and_numbered():
    organisations = [
        Organization(uuid=uuid.uuid4(), name=f"Group {i}", description="Ffrindiau’r\tGwaun\n")
        for i in range(3)
    ]
    insert(Organization, organisations)

    assert all(o.pk is not None and not o._state.adding for o in organisations)
    assert len({o.pk for o in organisations}) == 3
    stored = Organization.objects.get(pk=organisations[1].pk)
    assert stored.name == "Group 1"
    assert stored.uuid == organisations[1].uuid
    # Tabs, newlines and quotes survive (COPY's text format escapes them).
    assert stored.description == "Ffrindiau’r\tGwaun\n"
    # A default set when the object was made (last_modified) is what was stored.
    assert stored.last_modified == organisations[1].last_modified


def test_a_foreign_key_to_an_object_saved_later_takes_its_number():
    organisation = Organization(uuid=uuid.uuid4(), name="Gwent Walkers")
    service = Service(uuid=uuid.uuid4(), name="Walking group", organization=organisation)
    insert(Organization, [organisation])  # numbered after the service was given it
    insert(Service, [service])

    assert Service.objects.get(pk=service.pk).organization_id == organisation.pk


def test_dates_decimals_and_empty_values_are_stored_as_given():
    organisation = Organization.objects.create(uuid=uuid.uuid4(), name="Pantri")
    service = Service.objects.create(uuid=uuid.uuid4(), name="Food", organization=organisation)
    starts = datetime.date(2026, 4, 1)
    insert(
        Schedule,
        [Schedule(uuid=uuid.uuid4(), service=service, valid_from=starts, valid_to=None)],
    )
    insert(
        CostOption,
        [CostOption(uuid=uuid.uuid4(), service=service, amount=Decimal("2.50"), option="Tea")],
    )

    schedule = Schedule.objects.get(service=service)
    assert (schedule.valid_from, schedule.valid_to) == (starts, None)
    assert CostOption.objects.get(service=service).amount == Decimal("2.50")


def test_rows_made_one_at_a_time_afterwards_do_not_collide():
    insert(Organization, [Organization(uuid=uuid.uuid4(), name=f"O{i}") for i in range(5)])
    later = Organization.objects.create(uuid=uuid.uuid4(), name="Later")
    assert Organization.objects.count() == 6
    assert later.pk == Organization.objects.order_by("-pk").first().pk


def test_an_object_already_saved_is_refused_and_nothing_is_written():
    saved = Organization.objects.create(uuid=uuid.uuid4(), name="Saved")
    with pytest.raises(ValueError, match="not new"):
        insert(Organization, [Organization(uuid=uuid.uuid4(), name="New"), saved])
    assert list(Organization.objects.values_list("name", flat=True)) == ["Saved"]


def test_rows_roll_back_with_their_transaction():
    with pytest.raises(RuntimeError), transaction.atomic():
        insert(Organization, [Organization(uuid=uuid.uuid4(), name="Gone")])
        raise RuntimeError("the import failed later")
    assert not Organization.objects.exists()


def test_nothing_to_insert_runs_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        insert(Organization, [])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
def test_on_postgresql_the_rows_go_by_copy(django_assert_num_queries):
    # One query (the numbers from the sequence); COPY itself is not an executed statement.
    with django_assert_num_queries(1):
        insert(Organization, [Organization(uuid=uuid.uuid4(), name=f"O{i}") for i in range(50)])
    assert Organization.objects.count() == 50
    assert timezone.now() >= Organization.objects.first().last_modified
