"""Prometheus metrics every service exposes: RPCs handled, their latency, and calls in flight.

A service serves them over HTTP on its `metrics_port` (0 turns the endpoint off).
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram, start_http_server

__all__ = ["RPC_IN_FLIGHT", "RPC_SECONDS", "RPC_TOTAL", "record_rpc", "serve_metrics"]

RPC_SECONDS = Histogram(
    "storyreel_rpc_seconds",
    "Time to handle one gRPC call, by method and status code.",
    ["method", "code"],
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800),
)
RPC_TOTAL = Counter("storyreel_rpc_total", "gRPC calls handled, by method and status code.", ["method", "code"])
RPC_IN_FLIGHT = Gauge("storyreel_rpc_in_flight", "gRPC calls being handled now, by method.", ["method"])


def record_rpc(method: str, code: str, seconds: float) -> None:
    RPC_SECONDS.labels(method, code).observe(seconds)
    RPC_TOTAL.labels(method, code).inc()


def serve_metrics(host: str, port: int) -> None:
    """Serve /metrics over HTTP in a background thread (port 0: don't)."""
    if port:
        start_http_server(port, addr=host)
