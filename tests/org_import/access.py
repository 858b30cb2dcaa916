"""Access to the organisation import pages: HR and administrators only (hr_required)."""

from tests.access import DENIED, NOT_ALLOWED, REDIRECT, Case, hr_only, logged_in

POST_ONLY_FOR_HR = {**logged_in(DENIED), "hr": NOT_ALLOWED, "admin": NOT_ALLOWED}
# Without an import running, the progress page (and its poll) send HR on to the upload page.
REDIRECT_FOR_HR = {**logged_in(DENIED), "hr": REDIRECT, "admin": REDIRECT}

ACCESS = {
    "org_import:upload": Case(hr_only()),
    "org_import:preview": Case(hr_only()),
    "org_import:confirm": Case(POST_ONLY_FOR_HR),
    "org_import:cancel": Case(POST_ONLY_FOR_HR),
    "org_import:progress": Case(REDIRECT_FOR_HR),
    "org_import:status": Case(REDIRECT_FOR_HR),
}
