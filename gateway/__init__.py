"""The REST gateway: takes jobs, orchestrates the four services over gRPC, stores every step's result."""
