"""The LLM planner's parts: an OpenAI-compatible client, the agents and their prompt templates."""
