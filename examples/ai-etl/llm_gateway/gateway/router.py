"""Pick providers by task and prompt size; try them in order until one answers."""

from dataclasses import dataclass
from typing import Protocol

from gateway.providers import ProviderError


class Provider(Protocol):
    name: str

    def complete(self, prompt: str) -> str: ...


class NoProviderError(RuntimeError):
    """No route matched, or every matching provider failed."""


@dataclass(frozen=True)
class Route:
    provider: str
    tasks: frozenset[str]
    max_prompt_chars: int = 100_000


class Router:
    def __init__(self, routes: list[Route], providers: list[Provider]):
        self.routes = routes
        self.providers = {provider.name: provider for provider in providers}

    def candidates(self, task: str, prompt: str) -> list[str]:
        """Provider names whose route accepts this task and prompt, in route order."""
        return [
            route.provider
            for route in self.routes
            if task in route.tasks and len(prompt) <= route.max_prompt_chars
        ]

    def complete(self, task: str, prompt: str) -> tuple[str, str]:
        """Answer with the first candidate that succeeds: (provider name, answer)."""
        failures = []
        for name in self.candidates(task, prompt):
            try:
                return name, self.providers[name].complete(prompt)
            except ProviderError as error:
                failures.append(str(error))
        detail = "; ".join(failures) or "no route matches"
        raise NoProviderError(f"task {task!r}: {detail}")
