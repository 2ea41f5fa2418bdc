"""Prometheus metrics of one gateway: jobs by state, step and RPC durations, retries, work in flight.

Each app has its own registry (tests make many apps in one process). Jobs by state are read
from the job store at scrape time, so they are right after a restart and across gateways.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from gateway.jobs import JobState

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600)


class _Gauges(Collector):
    def __init__(self, jobs: Callable[[], Mapping[JobState, int]], in_flight: Callable[[], Mapping[str, int]]) -> None:
        self._jobs = jobs
        self._in_flight = in_flight

    def collect(self) -> Iterator[Metric]:
        jobs = GaugeMetricFamily("storyreel_gateway_jobs", "Jobs in the job store, by state.", labels=["state"])
        for state, count in self._jobs().items():
            jobs.add_metric([state.value], count)
        yield jobs
        flight = GaugeMetricFamily(
            "storyreel_gateway_calls_in_flight", "Calls this gateway has in flight, by step.", labels=["step"]
        )
        for step, count in self._in_flight().items():
            flight.add_metric([step], count)
        yield flight


class GatewayMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.step_seconds = Histogram(
            "storyreel_gateway_step_seconds",
            "Wall time of one item of a step: a plan, a shot's speech or picture, a scene's music, a film.",
            ["step"], buckets=_BUCKETS, registry=self.registry,
        )
        self.rpc_seconds = Histogram(
            "storyreel_gateway_rpc_seconds",
            "gRPC calls the gateway made, by service, method and status code.",
            ["service", "method", "code"], buckets=_BUCKETS, registry=self.registry,
        )
        self.rpc_retries = Counter(
            "storyreel_gateway_rpc_retries",
            "Calls tried again after UNAVAILABLE or DEADLINE_EXCEEDED, by service, method and code.",
            ["service", "method", "code"], registry=self.registry,
        )
        self.jobs_finished = Counter(
            "storyreel_gateway_jobs_finished", "Job runs that ended here, by final state.", ["state"],
            registry=self.registry,
        )
        self.leases_lost = Counter(
            "storyreel_gateway_leases_lost",
            "Job runs stopped here because this gateway no longer held the job's lease: another gateway "
            "took it over after a renewal came late, or the job was gone.",
            registry=self.registry,
        )

    def watch(self, jobs: Callable[[], Mapping[JobState, int]], in_flight: Callable[[], Mapping[str, int]]) -> None:
        self.registry.register(_Gauges(jobs, in_flight))

    def exposition(self) -> bytes:
        return generate_latest(self.registry)
