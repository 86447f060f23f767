"""The user mix of bench/load.py (locust): each role opens its main pages in turn, one page
per task, and thinks 1–3 s before the next one as a person reads a page before clicking on.

LOAD_THINK=0 removes the think time (the saturated run); LOAD_ONLY=bare drives only the bare
yardstick page (config/urls.py, BENCH_BARE_PAGE=1) with the same generator."""

import json
import os

from locust import HttpUser, between, constant, task

DOMAIN = "demo.kirjastoportaali.example"
THINK = between(1, 3) if os.environ.get("LOAD_THINK", "1") != "0" else constant(0)
ONLY_BARE = os.environ.get("LOAD_ONLY") == "bare"
SESSIONS = json.loads(os.environ.get("LOAD_SESSIONS", "{}"))  # email -> Cookie header


class Person(HttpUser):
    abstract = True
    wait_time = THINK
    email = ""
    pages: list[str] = []

    def on_start(self):
        # Each role's session, logged in once by bench/load.py through the real login form:
        # the load is people using the portal, not a storm of logins (each costs a password
        # hash). Sent as a header: the production cookies are Secure, the test server is http.
        if self.email:
            self.client.headers["Cookie"] = SESSIONS[self.email]
        self.next_page = 0

    @task
    def open_next_page(self):
        # One page view per task: the think time falls between page views, not after a burst
        # of every page of the role.
        path = self.pages[self.next_page % len(self.pages)]
        self.next_page += 1
        self.client.get(path, name=f"{type(self).__name__} {path}")


if ONLY_BARE:
    class Bare(HttpUser):
        wait_time = THINK

        @task
        def bare(self):
            self.client.get("/__bench__/bare/", name="bare")
else:
    class Staff(Person):
        weight = 2
        email = f"henkilokunta@{DOMAIN}"
        pages = ["/", "/people/", "/procurement/", "/newsletters/", "/jobs/"]

    class Coordinator(Person):
        weight = 2
        email = f"koordinaattori@{DOMAIN}"
        pages = ["/", "/louna/", "/stats/"]

    class Director(Person):
        weight = 3
        email = f"johtaja.humppila@{DOMAIN}"
        pages = ["/", "/louna/", "/procurement/"]

    class Contact(Person):
        weight = 3
        email = f"yhteyshenkilo.humppila@{DOMAIN}"
        pages = ["/", "/procurement/", "/newsletters/my/"]

    class Anonymous(Person):
        weight = 2
        pages = ["/newsletters/archive/", "/louna/events/"]
