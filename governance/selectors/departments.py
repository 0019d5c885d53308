from governance.models import Department, User


def department_home_data(*, user) -> dict:
    department = Department.objects.select_related("district").get(pk=user.department_id)
    colleagues = (User.objects.filter(department=department, is_active=True)
                  .only("username", "full_name", "role").order_by("username"))
    return {"department": department, "colleagues": colleagues}
