"""The policy engine: compile CEL conditions, build each request's context, decide."""
