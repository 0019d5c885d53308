"""Factories shared by every app's tests: the region tree, accounts, departments, registers, workers."""

import datetime
import itertools
import random

import factory
from faker import Faker

from governance.lib.pii import id_check_char
from governance.models import Department, Role, User
from grids.models import Building, Household, HousingUnit, Organisation, Region, Resident
from workforce.models import GridAssignment, Worker

fake = Faker("zh_CN")
_seq = itertools.count(1)


def make_id_number(*, birth: datetime.date | None = None, male: bool | None = None, region: str = "110101") -> str:
    """A synthetic ID number with a correct GB 11643 check character."""
    birth = birth or datetime.date(1950, 1, 1) + datetime.timedelta(days=random.randint(0, 25000))
    serial = random.randint(0, 99)
    male = male if male is not None else random.random() < 0.5
    sex_digit = random.choice([1, 3, 5, 7, 9] if male else [0, 2, 4, 6, 8])
    first17 = f"{region}{birth:%Y%m%d}{serial:02d}{sex_digit}"
    return first17 + id_check_char(first17)


class Tree:
    """A small district: 1 district, 2 streets, 2 communities each, 2 grids per community."""

    def __init__(self, prefix: str = "110101"):
        self.district = Region.objects.add_root(create_kwargs=dict(level="district", name=f"测试区{prefix}", code=prefix))
        self.streets, self.communities, self.grids = [], [], []
        for s in range(1, 3):
            street = Region.objects.add_child(self.district, create_kwargs=dict(level="street", name=f"第{s}街道",
                                                                            code=f"{prefix}{s:03d}"))
            self.streets.append(street)
            for c in range(1, 3):
                community = Region.objects.add_child(street, create_kwargs=dict(level="community", name=f"{s}-{c}社区",
                                                                                code=f"{street.code}{c:03d}"))
                self.communities.append(community)
                for g in range(1, 3):
                    grid = Region.objects.add_child(community, create_kwargs=dict(
                        level="grid", name=f"{s}-{c}-{g}网格", code=f"{community.code}{g:03d}",
                        grid_kind="basic", absorbed_networks=["party", "law"]))
                    self.grids.append(grid)

    def refresh(self):
        for node in [self.district, *self.streets, *self.communities, *self.grids]:
            node.refresh_from_db()
        return self


def make_tree(prefix: str = "110101") -> Tree:
    return Tree(prefix)


def community_of(grid: Region) -> Region:
    return Region.objects.get(path=grid.path[: grid.steplen * 3])


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    name = factory.Sequence(lambda n: f"部门{n}")
    code = factory.Sequence(lambda n: f"D{n:04d}")
    kind = Department.Kind.GOVERNMENT


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.LazyFunction(fake.name)
    role = Role.RESIDENT
    password = factory.PostGenerationMethodCall("set_password", "Gongzhi-Test-2026!")

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        if create:
            instance.save()


PASSWORD = "Gongzhi-Test-2026!"


def make_user(role: str, *, region: Region | None = None, department: Department | None = None, **kwargs) -> User:
    return UserFactory(role=role, region=region, department=department, **kwargs)


class BuildingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Building

    grid = None
    community = factory.LazyAttribute(lambda o: community_of(o.grid))
    number = factory.Sequence(lambda n: f"{(n % 99998) + 1:05d}")
    name = factory.Sequence(lambda n: f"{n}号楼")
    address = factory.LazyFunction(fake.street_address)


class HousingUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HousingUnit

    building = factory.SubFactory(BuildingFactory)
    grid = factory.LazyAttribute(lambda o: o.building.grid)
    entrance = "1单元"
    room = factory.Sequence(lambda n: f"{100 + n}")


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household

    grid = None
    number = factory.Sequence(lambda n: f"H{n:06d}")


class ResidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resident

    grid = None
    name = factory.LazyFunction(fake.name)
    id_number = factory.LazyFunction(make_id_number)
    birth_date = factory.LazyAttribute(lambda o: datetime.date(int(o.id_number[6:10]), int(o.id_number[10:12]),
                                                               int(o.id_number[12:14])))
    gender = factory.LazyAttribute(lambda o: "M" if int(o.id_number[16]) % 2 else "F")
    phone = factory.LazyFunction(lambda: f"13{random.randint(0, 999999999):09d}")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from governance.lib.pii import blind_index

        kwargs.setdefault("id_number_hash", blind_index(kwargs["id_number"]))
        return super()._create(model_class, *args, **kwargs)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    grid = None
    name = factory.LazyFunction(fake.company)
    kind = Organisation.Kind.SHOP


class WorkerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Worker

    community = None
    name = factory.LazyFunction(fake.name)
    post = Worker.Post.STAFF


def make_grid_worker(grid: Region, **user_kwargs) -> User:
    """A grid-worker account bound to `grid`, with a roster record and an active assignment."""
    user = make_user(Role.GRID_WORKER, region=grid, **user_kwargs)
    worker = WorkerFactory(community=community_of(grid), user=user, name=user.full_name)
    GridAssignment.objects.create(worker=worker, grid=grid)
    return user
