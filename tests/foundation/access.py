from tests.access import OK, Case, everyone

ACCESS = {
    "foundation:index": Case(everyone(OK)),
    "foundation:definition": Case(everyone(OK)),
    "foundation:behaviour": Case(everyone(OK), kwargs=lambda world: {"key": "listens"}),
    "foundation:value": Case(everyone(OK), kwargs=lambda world: {"key": "trust"}),
    "foundation:principle": Case(everyone(OK), kwargs=lambda world: {"key": "stable_operations"}),
}
