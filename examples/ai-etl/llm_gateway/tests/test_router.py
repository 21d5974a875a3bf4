import unittest

from gateway.providers import FakeProvider
from gateway.router import NoProviderError, Route, Router

ROUTES = [
    Route("small", frozenset({"sql", "summary"}), max_prompt_chars=20),
    Route("large", frozenset({"sql", "summary", "mapping"})),
]


def make_router(**health):
    providers = [FakeProvider(name, healthy=health.get(name, True)) for name in ("small", "large")]
    return Router(ROUTES, providers), {provider.name: provider for provider in providers}


class RouterTest(unittest.TestCase):
    def test_short_prompt_goes_to_first_route(self):
        router, _ = make_router()
        self.assertEqual(router.complete("sql", "select 1"), ("small", "[small] select 1"))

    def test_long_prompt_skips_size_limited_route(self):
        router, _ = make_router()
        self.assertEqual(router.candidates("sql", "x" * 21), ["large"])

    def test_falls_back_when_provider_fails(self):
        router, providers = make_router(small=False)
        name, _ = router.complete("summary", "sum it up")
        self.assertEqual(name, "large")
        self.assertEqual(providers["small"].calls, ["sum it up"])

    def test_unknown_task_has_no_provider(self):
        router, _ = make_router()
        with self.assertRaisesRegex(NoProviderError, "no route matches"):
            router.complete("translate", "hello")

    def test_all_providers_failing_is_reported(self):
        router, _ = make_router(small=False, large=False)
        with self.assertRaisesRegex(NoProviderError, "small is unavailable; large is unavailable"):
            router.complete("sql", "select 1")


if __name__ == "__main__":
    unittest.main()
