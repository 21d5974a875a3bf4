"""LLM gateway: route each prompt to a provider by rules, falling back on failure."""
