from tests.access import DENIED, OK, Case, everyone, hr_only

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
    # Development only: not found for everyone without DEBUG (tests/accounts/test_outbox.py
    # checks administrators only, with DEBUG on).
    "accounts:outbox": Case(everyone(DENIED)),
    "accounts:outbox_message": Case(
        everyone(DENIED), kwargs=lambda world: {"file": "20260101-120000-1.log", "index": 0}
    ),
}
