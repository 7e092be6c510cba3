"""The load `bench_web` drives through locust: every simulated user asks one address again and again, with
no pause, so the number of users is the number of requests in flight.

Set by bench_web in the environment: BENCH_PATH (the address), BENCH_COOKIE (a Cookie header for a signed-in
user, or empty) and BENCH_UNCACHED=1 to add a unique parameter to every request, so no two requests share a
cached page (the filters ignore parameters they do not know).
"""

import itertools
import os

from locust import FastHttpUser, constant, task

PATH = os.environ["BENCH_PATH"]
COOKIE = os.environ.get("BENCH_COOKIE", "")
UNCACHED = os.environ.get("BENCH_UNCACHED") == "1"
_counter = itertools.count()


class Visitor(FastHttpUser):
    wait_time = constant(0)

    @task
    def page(self):
        path = PATH
        if UNCACHED:
            path += ("&" if "?" in path else "?") + f"bench={next(_counter)}"
        headers = {"Cookie": COOKIE} if COOKIE else {}
        with self.client.get(path, headers=headers, name=PATH, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")
