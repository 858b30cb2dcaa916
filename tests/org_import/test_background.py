"""Large uploads are previewed and applied by a background task while the page polls its
progress (issue 10, point 5). The tests run tasks at once (tests/conftest.py), so a queued
job is already done when the page asks; a running one is staged by writing its status."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from kerne.organisation import import_jobs, tasks, views_import
from kerne.organisation.models import Engagement, Unit
from kerne.organisation.views_import import JOB_KEY, SESSION_KEY
from tests.org_import.conftest import post_upload

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _everything_in_the_background(settings: Any) -> None:
    settings.KERNE_IMPORT_BACKGROUND_BYTES = 0


class Queue:
    """Stands in for the task (a frozen dataclass): records what is enqueued, and runs it
    unless the worker is `slow`."""

    def __init__(self, slow: bool = False) -> None:
        self.slow = slow
        self.calls: list[tuple[Any, ...]] = []

    def enqueue(self, *args: Any) -> None:
        self.calls.append(args)
        if not self.slow:
            tasks.org_import_job.call(*args)


@pytest.fixture
def queue(monkeypatch: Any) -> Queue:
    fake = Queue()
    monkeypatch.setattr(views_import, "org_import_job", fake)
    return fake


def test_a_large_upload_is_previewed_and_applied_in_the_background(hr_client, queue):
    queued = queue.calls
    response = post_upload(hr_client, "enheder.csv", "personer.csv")
    assert response.status_code == 302 and response["Location"] == reverse("org_import:progress")
    [(kind, token, user_id, job, language)] = queued
    assert (kind, language) == ("preview", "da") and set(job) == {"files", "format"}
    assert token == hr_client.session[JOB_KEY]["token"] and user_id == int(hr_client.session["_auth_user_id"])
    assert [f["name"] for f in job["files"]] == ["enheder.csv", "personer.csv"]

    # The job is done: the progress page (and the htmx poll) lead on to the preview.
    poll = hr_client.get(reverse("org_import:status"), **HTMX)
    assert poll["HX-Redirect"] == reverse("org_import:progress")
    done = hr_client.get(reverse("org_import:progress"))
    assert done.status_code == 302 and done["Location"] == reverse("org_import:preview")
    assert JOB_KEY not in hr_client.session
    assert (
        '<th scope="row">Enheder</th><td>9</td>'
        in hr_client.get(reverse("org_import:preview")).content.decode()
    )
    assert Unit.objects.count() == 0

    pending = hr_client.session[SESSION_KEY]
    confirmed = hr_client.post(reverse("org_import:confirm"), {"fingerprint": pending["fingerprint"]})
    assert confirmed["Location"] == reverse("org_import:progress")
    assert queued[-1][0] == "apply" and queued[-1][3]["fingerprint"] == pending["fingerprint"]
    finished = hr_client.get(reverse("org_import:progress"))
    assert finished["Location"] == reverse("org_import:upload")
    assert Unit.objects.count() == 9 and Engagement.objects.count() == 10
    assert "Importen er gennemført" in hr_client.get(reverse("org_import:upload")).content.decode()
    assert SESSION_KEY not in hr_client.session and not import_jobs.read_status(pending["token"])


def test_the_page_shows_progress_while_the_job_runs(hr_client, queue):
    queue.slow = True
    post_upload(hr_client, "enheder.csv")
    token = hr_client.session[JOB_KEY]["token"]
    page = hr_client.get(reverse("org_import:progress")).content.decode()
    assert "Filerne læses" in page and "Venter på at gå i gang" in page
    assert f'hx-get="{reverse("org_import:status")}"' in page and 'hx-trigger="every 1s"' in page

    import_jobs.write_status(
        token, {"kind": "preview", "state": "running", "stage": "Læser enheder", "done": 1500, "total": 3000}
    )
    poll = hr_client.get(reverse("org_import:status"), **HTMX)
    html = poll.content.decode()
    assert poll.status_code == 200 and "HX-Redirect" not in poll
    assert "Læser enheder" in html and 'value="1500" max="3000"' in html and "(50 %)" in html
    assert "<html" not in html  # a fragment for htmx

    # The worker finishes: the next poll sends the browser on.
    import_jobs.run_job(kind="preview", token=token, actor=None, job=hr_client.session[JOB_KEY])
    assert hr_client.get(reverse("org_import:status"), **HTMX)["HX-Redirect"] == reverse(
        "org_import:progress"
    )
    assert hr_client.get(reverse("org_import:progress"))["Location"] == reverse("org_import:preview")


def test_progress_is_written_while_the_job_reads(hr_client, settings, monkeypatch):
    seen: list[dict[str, Any]] = []
    write = import_jobs.write_status
    monkeypatch.setattr(import_jobs, "PROGRESS_INTERVAL", 0)
    monkeypatch.setattr(
        import_jobs, "write_status", lambda token, status: (seen.append(status), write(token, status))
    )
    post_upload(hr_client, "enheder.csv", "personer.csv")
    stages = [s.get("stage") for s in seen if s.get("state") == "running"]
    assert "Læser enheder" in stages and "Læser personer" in stages
    assert any(s.get("stage") == "Læser enheder" and s.get("done") == 9 and s.get("total") == 9 for s in seen)
    assert seen[-1]["state"] == "done" and seen[-1]["outcome"]["outcome"] == "preview"


def test_errors_found_in_the_background_are_listed_on_the_upload_page(hr_client):
    post_upload(hr_client, "enheder.csv", data=b"enhed_id;navn\nD1;Direktionen\n")
    response = hr_client.get(reverse("org_import:progress"))
    html = response.content.decode()
    assert response.status_code == 400 and "intet er importeret" in html and "den påkrævede kolonne" in html
    assert JOB_KEY not in hr_client.session and SESSION_KEY not in hr_client.session


def test_a_failed_job_says_so_and_changes_nothing(hr_client, monkeypatch):
    def boom(**kwargs: Any) -> Any:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(import_jobs, "run_preview", boom)
    post_upload(hr_client, "enheder.csv")
    response = hr_client.get(reverse("org_import:progress"), follow=True)
    assert "på grund af en fejl på serveren" in response.content.decode()
    assert Unit.objects.count() == 0 and JOB_KEY not in hr_client.session


def test_a_second_confirm_does_not_apply_twice(hr_client, queue):
    post_upload(hr_client, "enheder.csv")
    hr_client.get(reverse("org_import:progress"))
    fingerprint = hr_client.session[SESSION_KEY]["fingerprint"]
    queue.slow = True
    hr_client.post(reverse("org_import:confirm"), {"fingerprint": fingerprint})
    again = hr_client.post(reverse("org_import:confirm"), {"fingerprint": fingerprint}, follow=True)
    assert [call[0] for call in queue.calls] == ["preview", "apply"]
    assert "allerede bekræftet" in again.content.decode()


def test_no_new_upload_while_an_import_is_being_applied(hr_client, queue):
    post_upload(hr_client, "enheder.csv")
    hr_client.get(reverse("org_import:progress"))
    queue.slow = True
    hr_client.post(
        reverse("org_import:confirm"), {"fingerprint": hr_client.session[SESSION_KEY]["fingerprint"]}
    )
    response = post_upload(hr_client, "enheder.csv")
    assert response["Location"] == reverse("org_import:progress")


def test_cancel_stops_waiting_for_a_preview(hr_client, queue):
    queue.slow = True
    post_upload(hr_client, "enheder.csv")
    token = hr_client.session[JOB_KEY]["token"]
    hr_client.post(reverse("org_import:cancel"))
    assert JOB_KEY not in hr_client.session and import_jobs.read_status(token) is None
    assert hr_client.get(reverse("org_import:progress"))["Location"] == reverse("org_import:upload")
