# Locust FastHttpUser doing the same 60:1:14:5 mix with no wait, for bench/run.sh.
from locust import FastHttpUser, task, constant


class MixedRead(FastHttpUser):
    wait_time = constant(0)

    @task(60)
    def v1(self):
        self.client.get("/Test/V1")

    @task(1)
    def v2(self):
        self.client.get("/Test/V2")

    @task(14)
    def v3(self):
        self.client.get("/Test/V3")

    @task(5)
    def v4(self):
        self.client.get("/Test/V4")
