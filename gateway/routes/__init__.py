"""Thin route modules: validation and HTTP shapes only; the work happens in the orchestrator."""
