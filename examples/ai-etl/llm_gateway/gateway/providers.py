"""Providers answer prompts. The fake one runs in-process, for tests and local runs."""

from dataclasses import dataclass, field


class ProviderError(RuntimeError):
    """A provider could not answer (timeout, quota, outage)."""


@dataclass
class FakeProvider:
    name: str
    healthy: bool = True
    calls: list[str] = field(default_factory=list)

    def complete(self, prompt: str) -> str:
        self.calls.append(prompt)
        if not self.healthy:
            raise ProviderError(f"{self.name} is unavailable")
        return f"[{self.name}] {prompt[:40]}"
