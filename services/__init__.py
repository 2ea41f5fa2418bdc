"""The four gRPC services: planner, audio, visual, composer. Each is its own process."""
