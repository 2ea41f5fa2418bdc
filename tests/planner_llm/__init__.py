"""The LLM planner's test servers: a scripted OpenAI-compatible server and the real one (llama.cpp)."""
