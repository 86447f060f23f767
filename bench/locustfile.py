"""The user mix of bench/load.py (locust): each role opens its main pages.

LOAD_THINK=0 removes the think time (the saturated run); LOAD_ONLY=bare drives only the bare
yardstick page (config/urls.py, BENCH_BARE_PAGE=1) with the same generator."""

import os
import re

from locust import HttpUser, between, constant, task

PASSWORD = "demo-salasana-2026"  # consortium/demo_data.py
DOMAIN = "demo.kirjastoportaali.example"
THINK = between(1, 3) if os.environ.get("LOAD_THINK", "1") != "0" else constant(0)
ONLY_BARE = os.environ.get("LOAD_ONLY") == "bare"


class Person(HttpUser):
    abstract = True
    wait_time = THINK
    email = ""
    pages: list[str] = []

    def on_start(self):
        if not self.email:
            return
        page = self.client.get("/login/", name="login form")
        self._cookies_over_http()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        response = self.client.post("/login/", {"csrfmiddlewaretoken": token, "username": self.email,
                                                "password": PASSWORD}, name="login", allow_redirects=False,
                                    headers={"Referer": f"{self.host}/login/"})
        if response.status_code != 302:
            raise RuntimeError(f"login of {self.email}: HTTP {response.status_code}")
        self._cookies_over_http()

    def _cookies_over_http(self):
        # The production settings mark the cookies Secure; the server under test listens on
        # plain http on 127.0.0.1 only, so the client sends them back anyway.
        for cookie in self.client.cookies:
            cookie.secure = False

    @task
    def browse(self):
        for path in self.pages:
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
