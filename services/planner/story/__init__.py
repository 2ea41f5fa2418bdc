"""The story kit: reading a story into characters, voices, scenes, outlines and shots.

Plain-Python steps, one small module each, shared by both planner backends: the rules backend
(services/planner/backends/rules.py) is these steps end to end; the LLM backend
(services/planner/backends/llm/) reads the story and fits it with them, then asks a model for
scenes and shots and falls back to these steps where the model's answer does not hold.
"""
