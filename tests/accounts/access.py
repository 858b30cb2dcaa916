from tests.access import OK, Case, everyone, hr_only

ACCESS = {
    "home": Case(everyone(OK)),
    "accessibility": Case(everyone(OK)),
    "accounts:login": Case(
        {
            **everyone(OK),
            **dict.fromkeys(("employee", "leader", "other_leader", "hr", "executive", "admin"), "redirect"),
        }
    ),
    "accounts:logout": Case(everyone("not_allowed")),
    "accounts:audit_log": Case(hr_only()),
}
