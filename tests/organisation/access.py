from __future__ import annotations

from typing import Any

from kerne.organisation.models import PipelineLevel, Task, UnitKind
from tests.access import DENIED, LOGIN, OK, Case, World, everyone, hr_only, logged_in


def _task(world: World) -> dict[str, Any]:
    task = Task.objects.create(
        name_da="Lægge vagtplan",
        pipeline_level=PipelineLevel.objects.get(key="leader_of_employees"),
        unit_kind=UnitKind.TEAM,
    )
    return {"pk": task.pk}


# dept_a1: the employee's own unit, inside the leader's centre_a, beside other_leader's centre_b.
_DEPT_A1 = {
    "anonymous": LOGIN,
    "employee": OK,
    "leader": OK,
    "other_leader": DENIED,
    "hr": OK,
    "executive": OK,
    "admin": OK,
}
# centre_a: above the employee, led by the leader, beside other_leader.
_CENTRE_A = {**_DEPT_A1, "employee": DENIED}

ACCESS = {
    "organisation:tree": Case(logged_in(OK)),
    "organisation:unit": Case(_DEPT_A1, kwargs=lambda world: {"pk": world.dept_a1.pk}),
    "organisation:unit_children": Case(_CENTRE_A, kwargs=lambda world: {"pk": world.centre_a.pk}),
    "organisation:pipeline": Case(everyone(OK)),
    "organisation:tasks": Case(logged_in(OK)),
    "organisation:level_tasks": Case(logged_in(OK), kwargs=lambda world: {"key": "leader_of_employees"}),
    "organisation:task_create": Case(hr_only()),
    "organisation:task_edit": Case(hr_only(), kwargs=_task),
    "organisation:task_delete": Case(hr_only(), kwargs=_task),
}
