"""boto3 against a running parlel-batch: each scenario prints one JSON object that the Jest test asserts on.

Usage: AWS_ENDPOINT_URL=http://127.0.0.1:PORT python3 boto3_scenarios.py SCENARIO

The endpoint is passed to boto3 explicitly: botocore before 1.31 (Debian 12 ships 1.29) ignores
AWS_ENDPOINT_URL and would send the calls to real AWS.
"""

import json
import os
import sys
import urllib.request

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

ENDPOINT = os.environ["AWS_ENDPOINT_URL"]
batch = boto3.client("batch", endpoint_url=ENDPOINT, region_name=os.environ.get("AWS_DEFAULT_REGION", "us-east-1"))


def control(method, path, body=None):
    """Calls one of parlel-batch's /_parlel/* endpoints."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(ENDPOINT + path, data=data, method=method, headers={"content-type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def without_metadata(response):
    return {key: value for key, value in response.items() if key != "ResponseMetadata"}


def provision(queue="etl", definition="etl-step"):
    environment = batch.create_compute_environment(
        computeEnvironmentName="ce-" + queue,
        type="MANAGED",
        computeResources={"type": "FARGATE", "maxvCpus": 16, "subnets": ["subnet-1"], "securityGroupIds": ["sg-1"]},
    )
    job_queue = batch.create_job_queue(
        jobQueueName=queue,
        priority=1,
        computeEnvironmentOrder=[{"order": 1, "computeEnvironment": environment["computeEnvironmentArn"]}],
    )
    job_definition = batch.register_job_definition(
        jobDefinitionName=definition,
        type="container",
        platformCapabilities=["FARGATE"],
        containerProperties={
            "image": "public.ecr.aws/docker/library/busybox:latest",
            "command": ["echo", "Ref::greeting"],
            "resourceRequirements": [{"type": "VCPU", "value": "1"}, {"type": "MEMORY", "value": "2048"}],
            "executionRoleArn": "arn:aws:iam::000000000000:role/ecsTaskExecutionRole",
        },
        parameters={"greeting": "hello"},
    )
    return {
        "computeEnvironment": without_metadata(environment),
        "jobQueue": without_metadata(job_queue),
        "jobDefinition": without_metadata(job_definition),
    }


def core():
    """Provision, submit, and poll describe_jobs until the job ends, moving the manual clock between polls."""
    created = provision()
    control("POST", "/_parlel/outcomes", {"match": {"jobName": {"regex": "^nightly-"}}, "outcome": {"durationMs": 5000, "logs": ["loaded 42 rows"]}})
    submitted = batch.submit_job(jobName="nightly-load", jobQueue="etl", jobDefinition="etl-step", parameters={"greeting": "hi"})
    statuses = []
    for _ in range(20):
        job = batch.describe_jobs(jobs=[submitted["jobId"]])["jobs"][0]
        statuses.append(job["status"])
        if job["status"] in ("SUCCEEDED", "FAILED"):
            break
        control("POST", "/_parlel/advance", {"ms": 1000})
    logs = control("GET", "/_parlel/jobs/%s/logs" % submitted["jobId"])
    return {
        **created,
        "submitted": without_metadata(submitted),
        "statuses": statuses,
        "job": {key: job.get(key) for key in ("jobId", "jobName", "status", "jobQueue", "jobDefinition", "startedAt", "stoppedAt", "createdAt")},
        "command": job["container"]["command"],
        "exitCode": job["container"].get("exitCode"),
        "logs": logs["logs"],
    }


def array():
    provision()
    parent = batch.submit_job(jobName="fan-out", jobQueue="etl", jobDefinition="etl-step", arrayProperties={"size": 3})
    children = batch.list_jobs(arrayJobId=parent["jobId"], jobStatus="SUCCEEDED")["jobSummaryList"]
    described = batch.describe_jobs(jobs=[parent["jobId"]])["jobs"][0]
    return {
        "parentId": parent["jobId"],
        "children": sorted((child["jobId"], child["arrayProperties"]["index"], child["status"]) for child in children),
        "parentStatus": described["status"],
        "statusSummary": described["arrayProperties"]["statusSummary"],
        "size": described["arrayProperties"]["size"],
    }


def tags():
    created = provision()
    arn = created["jobQueue"]["jobQueueArn"]
    sent_urls = []
    batch.meta.events.register("before-send.batch.*", lambda request, **_: sent_urls.append(request.url))
    batch.tag_resource(resourceArn=arn, tags={"team": "data", "cost-center": "42"})
    after_tag = batch.list_tags_for_resource(resourceArn=arn)["tags"]
    batch.untag_resource(resourceArn=arn, tagKeys=["team"])
    after_untag = batch.list_tags_for_resource(resourceArn=arn)["tags"]
    queue = batch.describe_job_queues(jobQueues=[arn])["jobQueues"][0]
    return {"arn": arn, "afterTag": after_tag, "afterUntag": after_untag, "queueTags": queue.get("tags"), "urls": sent_urls}


def paginators():
    provision()
    for revision in range(6):
        batch.register_job_definition(jobDefinitionName="report", type="container", containerProperties={"image": "busybox:%d" % revision, "vcpus": 1, "memory": 512})
    definition_pages = [
        [d["jobDefinitionArn"] for d in page["jobDefinitions"]]
        for page in batch.get_paginator("describe_job_definitions").paginate(jobDefinitionName="report", PaginationConfig={"PageSize": 4})
    ]
    submitted = [batch.submit_job(jobName="daily-%d" % i, jobQueue="etl", jobDefinition="etl-step")["jobId"] for i in range(5)]
    job_pages = [
        [summary["jobId"] for summary in page["jobSummaryList"]]
        for page in batch.get_paginator("list_jobs").paginate(jobQueue="etl", jobStatus="SUCCEEDED", PaginationConfig={"PageSize": 2})
    ]
    return {"definitionPages": definition_pages, "submitted": submitted, "jobPages": job_pages}


def errors():
    provision()
    seen = {}
    try:
        batch.submit_job(jobName="orphan", jobQueue="nope", jobDefinition="etl-step")
        seen["queue"] = "no error"
    except ClientError as error:
        seen["queue"] = {
            "code": error.response["Error"]["Code"],
            "message": error.response["Error"]["Message"],
            "status": error.response["ResponseMetadata"]["HTTPStatusCode"],
            "modelled": isinstance(error, batch.exceptions.ClientException),
            "text": str(error),
        }
    try:
        batch.create_job_queue(jobQueueName="etl", priority=1, computeEnvironmentOrder=[{"order": 1, "computeEnvironment": "ce-etl"}])
        seen["duplicate"] = "no error"
    except batch.exceptions.ClientException as error:
        seen["duplicate"] = {"code": error.response["Error"]["Code"], "status": error.response["ResponseMetadata"]["HTTPStatusCode"]}
    seen["jobCount"] = control("GET", "/_parlel/health")["counts"]["jobs"]
    return seen


def logs():
    """Follows a running job's log with the logs client on the same endpoint, as a log tailer would."""
    provision()
    logs_client = boto3.client("logs", endpoint_url=ENDPOINT, region_name=os.environ.get("AWS_DEFAULT_REGION", "us-east-1"))
    lines = ["starting"] + [{"message": "step %d" % i, "afterMs": i * 1000} for i in range(1, 4)]
    control("POST", "/_parlel/outcomes", {"outcome": {"durationMs": 3000, "logs": lines}})
    job_id = batch.submit_job(jobName="tailed", jobQueue="etl", jobDefinition="etl-step")["jobId"]
    job = batch.describe_jobs(jobs=[job_id])["jobs"][0]
    stream = job["container"]["logStreamName"]
    page = logs_client.get_log_events(logGroupName="/aws/batch/job", logStreamName=stream, startFromHead=True)
    followed = [[event["message"] for event in page["events"]]]
    token = page["nextForwardToken"]
    statuses = [job["status"]]
    while True:
        control("POST", "/_parlel/advance", {"ms": 1000})
        status = batch.describe_jobs(jobs=[job_id])["jobs"][0]["status"]
        page = logs_client.get_log_events(logGroupName="/aws/batch/job", logStreamName=stream, startFromHead=True, nextToken=token)
        followed.append([event["message"] for event in page["events"]])
        statuses.append(status)
        if status in ("SUCCEEDED", "FAILED") and page["nextForwardToken"] == token:
            break
        token = page["nextForwardToken"]
        if len(statuses) > 20:
            break
    streams = logs_client.describe_log_streams(logGroupName="/aws/batch/job", orderBy="LastEventTime", descending=True, limit=1)["logStreams"]
    filtered = logs_client.filter_log_events(logGroupName="/aws/batch/job", filterPattern="step -2")["events"]
    groups = logs_client.describe_log_groups()["logGroups"]
    try:
        logs_client.get_log_events(logGroupName="/aws/batch/job", logStreamName="no/such/stream")
        missing = "no error"
    except logs_client.exceptions.ResourceNotFoundException as error:
        missing = {"code": error.response["Error"]["Code"], "message": error.response["Error"]["Message"], "status": error.response["ResponseMetadata"]["HTTPStatusCode"]}
    return {
        "jobId": job_id,
        "stream": stream,
        "followed": followed,
        "statuses": statuses,
        "newestStream": [s["logStreamName"] for s in streams],
        "filtered": [event["message"] for event in filtered],
        "groups": [g["logGroupName"] for g in groups],
        "missing": missing,
        "control": control("GET", "/_parlel/jobs/%s/logs" % job_id)["logs"],
    }


def throttling():
    """botocore's own retry handler meets injected throttling: retried, then given up at its max attempts."""
    provision()
    control("POST", "/_parlel/faults", {"match": "SubmitJob", "fault": {"error": "ThrottlingException", "times": 2}})
    submitted = batch.submit_job(jobName="throttled", jobQueue="etl", jobDefinition="etl-step")
    standard = boto3.client(
        "batch",
        endpoint_url=ENDPOINT,
        region_name=os.environ.get("AWS_DEFAULT_REGION", "us-east-1"),
        config=Config(retries={"mode": "standard", "max_attempts": 1}),  # botocore counts retries here: one retry
    )
    control("POST", "/_parlel/faults", {"match": "SubmitJob", "fault": {"error": "TooManyRequestsException", "times": 5}})
    try:
        standard.submit_job(jobName="given-up", jobQueue="etl", jobDefinition="etl-step")
        given_up = "no error"
    except ClientError as error:
        given_up = {
            "code": error.response["Error"]["Code"],
            "status": error.response["ResponseMetadata"]["HTTPStatusCode"],
            "retries": error.response["ResponseMetadata"]["RetryAttempts"],
            "text": str(error),
        }
    control("DELETE", "/_parlel/faults")
    recorded = control("GET", "/_parlel/requests?operation=SubmitJob")["requests"]
    return {
        "retryAttempts": submitted["ResponseMetadata"]["RetryAttempts"],
        "givenUp": given_up,
        "recorded": [call.get("error", {}).get("type", "ok") for call in recorded],
        "jobCount": control("GET", "/_parlel/health")["counts"]["jobs"],
    }


def events():
    """Reads the Server-Sent Events stream while boto3 submits a job, the way an event-driven waiter would."""
    provision()
    request = urllib.request.Request(ENDPOINT + "/_parlel/events", headers={"accept": "text/event-stream"})
    stream = urllib.request.urlopen(request, timeout=30)
    submitted = batch.submit_job(jobName="evented", jobQueue="etl", jobDefinition="etl-step")
    received = []
    data = None
    while not received or received[-1]["detail"]["status"] not in ("SUCCEEDED", "FAILED"):
        line = stream.readline().decode().rstrip("\n")
        if line.startswith("data: "):
            data = json.loads(line[len("data: "):])
        elif line == "" and data is not None:
            received.append(data)
            data = None
    stream.close()
    return {"jobId": submitted["jobId"], "events": received}


SCENARIOS = {"core": core, "array": array, "tags": tags, "paginators": paginators, "errors": errors, "throttling": throttling, "events": events, "logs": logs}

if __name__ == "__main__":
    print(json.dumps(SCENARIOS[sys.argv[1]](), default=str))
