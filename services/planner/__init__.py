"""The planner service: a story in, a storyboard (characters, scenes, shots) out."""
