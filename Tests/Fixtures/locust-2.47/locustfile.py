from locust import HttpUser, task, constant

class Visitor(HttpUser):
    wait_time = constant(0.05)

    @task(3)
    def home(self):
        self.client.get("/index.html")

    @task(1)
    def missing(self):
        self.client.get("/missing")
