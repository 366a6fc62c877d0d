"""Issue #17's locust scenario: beneficiaries autosaving across centres, consultants browsing.

Run by `python -m bench.locust` (bench/locust.py), which builds the dataset and writes
its people to the JSON file named by BENCH_LOCUST_DATA: each beneficiary holds its own
portal session and autosave URL (bench/autosave.py:build), each consultant logs in as
one centre's admin. `BareUser` is the same-run baseline: the bare Flask page
(bench/apps.py:bare) under the same gunicorn and the same number of users.
"""
from __future__ import annotations

import itertools
import json
import os
import re
import urllib.parse

from locust import FastHttpUser, between, constant, task

DATA = json.loads(open(os.environ["BENCH_LOCUST_DATA"]).read()) if os.environ.get("BENCH_LOCUST_DATA") else {}
BODY = urllib.parse.urlencode({"a-etapes": "Formation, premiers emplois, reconversion. " * 4})
# 0 = each beneficiary saves again as soon as its save returns (throughput); > 0 = a person typing.
AUTOSAVE_WAIT = float(os.environ.get("BENCH_AUTOSAVE_WAIT", "0"))
_beneficiaries = itertools.count()
_consultants = itertools.count()
_visits = itertools.count()


class BeneficiaryUser(FastHttpUser):
    """One beneficiary of one centre saving answers to the career-story questionnaire."""

    fixed_count = len(DATA.get("beneficiaries", []))
    wait_time = constant(AUTOSAVE_WAIT)

    def on_start(self):
        self.cookie, self.path, self.csrf = DATA["beneficiaries"][next(_beneficiaries) % self.fixed_count]

    @task
    def autosave(self):
        self.client.post(self.path, data=BODY, name="POST autosave", headers={
            "Content-Type": "application/x-www-form-urlencoded", "HX-Request": "true",
            "Cookie": self.cookie, "X-CSRFToken": self.csrf})


class ConsultantUser(FastHttpUser):
    """A centre's admin looking at the dashboard, the bilans list and one bilan at a time."""

    fixed_count = len(DATA.get("consultants", []))
    wait_time = between(1, 3)

    def on_start(self):
        self.slug, email, password, _ = DATA["consultants"][next(_consultants) % self.fixed_count]
        page = self.client.get("/login", name="GET /login")
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text) or \
            re.search(r'name="csrf-token" content="([^"]+)"', page.text)
        self.client.post("/login", name="POST /login", allow_redirects=False,
                         data={"csrf_token": token.group(1), "email": email, "password": password})
        # Bilan ids are opaque strings: take them from the list, as a person clicks.
        listing = self.client.get(f"/c/{self.slug}/bilans/", name="GET bilans list").text
        self.bilans = sorted(set(re.findall(rf'href="/c/{self.slug}/bilans/([0-9a-f]{{32}})"', listing))) or ["-"]

    @task(3)
    def dashboard(self):
        self.client.get(f"/c/{self.slug}/", name="GET dashboard")

    @task(1)
    def bilans(self):
        self.client.get(f"/c/{self.slug}/bilans/", name="GET bilans list")

    @task(2)
    def bilan(self):
        self.client.get(f"/c/{self.slug}/bilans/{self.bilans[next(_visits) % len(self.bilans)]}", name="GET bilan")


class BareUser(FastHttpUser):
    """The baseline: the bare Flask page, as fast as it answers."""

    fixed_count = int(os.environ.get("BENCH_BARE_USERS", "0"))
    wait_time = constant(0)

    @task
    def bare(self):
        self.client.get("/", name="GET bare page")
