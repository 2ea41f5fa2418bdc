"""The LLM planner: an OpenAI-compatible client, the agents and their prompt templates.

Reads from backend.py (LlmPlanner) down: scene_splitter.py and shot_planner.py are its two
agents, agent.py their retry loop, client.py the HTTP client, prompts/ the templates.
"""

from services.planner.backends.llm.backend import LlmPlanner

__all__ = ["LlmPlanner"]
