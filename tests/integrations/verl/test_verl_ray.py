"""Inside real Ray actors (where training runs): the entry point registers every project method; the
runners start."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow


def test_entry_point_registers_every_method_inside_a_ray_actor():
    import ray

    from lead.integrations.verl.method_config import PROJECT_ESTIMATORS
    from lead.integrations.verl.runners import LEADTaskRunner, LEADTaskRunnerV1

    ray.init(
        num_cpus=2,
        include_dashboard=False,
        # Only the entry point may load the plugin in the actor: no VERL_USE_EXTERNAL_MODULES there.
        runtime_env={"env_vars": {"VERL_USE_EXTERNAL_MODULES": "", "VERL_USE_EXTERNAL_PLUGINS": "auto"}},
    )
    try:

        @ray.remote(num_cpus=1)
        class Probe:
            def registered_estimators(self, names: tuple[str, ...]) -> tuple[dict, bool]:
                import sys

                already_imported = "lead.integrations.verl.plugin" in sys.modules
                import verl  # noqa: F401  (loads the verl.plugins entry points)
                from verl.trainer.ppo import core_algos

                found = {}
                for name in names:
                    function = core_algos.ADV_ESTIMATOR_REGISTRY.get(name)
                    found[name] = None if function is None else (function.__module__, function.__name__)
                return found, already_imported

        probe = Probe.remote()
        found, already_imported = ray.get(probe.registered_estimators.remote(PROJECT_ESTIMATORS), timeout=240)
        ray.kill(probe)
        # The task runners of `python -m lead.main_ppo` start as Ray actors (class shipped by Ray).
        for runner_class in (LEADTaskRunnerV1, LEADTaskRunner):
            runner = ray.remote(runner_class).remote()
            assert ray.get(runner.__ray_ready__.remote(), timeout=240)
            ray.kill(runner)
    finally:
        ray.shutdown()
    assert found == {
        name: ("lead.integrations.verl.plugin", f"compute_{name}_advantage") for name in PROJECT_ESTIMATORS
    }
    assert not already_imported
