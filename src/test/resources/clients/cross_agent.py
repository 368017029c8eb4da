"""One side of CrossLanguageTest: a Python agent serving OWN_TYPE while the Python client submits OTHER_TYPE tasks
(for the TypeScript agent) and checks their outcomes; exits 0 once both its checks passed and the other side's tasks
of OWN_TYPE have all ended. Settings come from the environment (the test sets them)."""

import os
import sys
import time

from arbiter_client import Agent, Client, Result

URL, OWN, OTHER = os.environ["ARBITER_URL"], os.environ["OWN_TYPE"], os.environ["OTHER_TYPE"]
EXPECTED = int(os.environ["EXPECTED_TASKS"])
WAIT = 60


def handle(task):
    if task.payload.get("hold"):
        task.wait_canceled(WAIT)
        task.check()
    if task.payload.get("fail", 0) >= task.attempt:
        raise RuntimeError(f"flaky on attempt {task.attempt}")
    return Result(result={"echo": task.payload.get("n"), "by": "python"}, quality=0.9, tests_passed=True)


def check(condition, what):
    if not condition:
        print(f"FAILED {what}", flush=True)
        sys.exit(1)
    print(f"OK {what}", flush=True)


agent = Agent(URL, os.environ["AGENT_TOKEN"], os.environ["AGENT_ID"], handle, [OWN], model_family="python",
              concurrency=4, claim_wait=1, heartbeat_interval=0.3).start()
client = Client(URL, os.environ["SUBMITTER_TOKEN"])
try:
    echoes = [client.submit(OTHER, {"n": n}, max_attempts=2) for n in range(3)]
    for n, task in enumerate(echoes):
        done = client.wait(task.id, timeout=WAIT)
        check((done.state, done.result) == ("succeeded", {"echo": n, "by": "typescript"}),
              f"{OTHER} echo {n}: {done.state} {done.result}")

    flaky = client.wait(client.submit(OTHER, {"n": 7, "fail": 1}, max_attempts=3).id, timeout=WAIT)
    failed = [h["attempt"] for h in client.history(flaky.id) if h["to"] == "failed"]
    check((flaky.state, flaky.attempt, failed) == ("succeeded", 2, [1]),
          f"{OTHER} retried after a failure: {flaky.state} attempt {flaky.attempt}, failed {failed}")

    held = client.submit(OTHER, {"hold": True})
    deadline = time.monotonic() + WAIT
    while client.get(held.id).state != "running":
        if time.monotonic() > deadline:
            check(False, f"{OTHER} held task runs")
        time.sleep(0.05)
    client.cancel(held.id)
    check(client.wait(held.id, timeout=WAIT).state == "canceled", f"{OTHER} canceled during work")

    deadline = time.monotonic() + WAIT
    while True:
        mine = list(client.iterate(type=OWN))
        if len(mine) >= EXPECTED and all(t.final for t in mine):
            break
        if time.monotonic() > deadline:
            check(False, f"the other side's {EXPECTED} {OWN} tasks end ({len(mine)} seen)")
        time.sleep(0.2)
    print("CLIENT-DONE", flush=True)
finally:
    agent.stop()
