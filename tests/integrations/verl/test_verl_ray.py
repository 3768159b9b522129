"""Inside real Ray actors (where training runs): the entry point registers ``lead``; the runners start."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow


def test_entry_point_registers_lead_inside_a_ray_actor():
    import ray

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
            def registered_estimator(self) -> tuple[str, str, bool] | None:
                import sys

                already_imported = "lead.integrations.verl.plugin" in sys.modules
                import verl  # noqa: F401  (loads the verl.plugins entry points)
                from verl.trainer.ppo import core_algos

                function = core_algos.ADV_ESTIMATOR_REGISTRY.get("lead")
                if function is None:
                    return None
                return function.__module__, function.__name__, already_imported

        probe = Probe.remote()
        module, name, already_imported = ray.get(probe.registered_estimator.remote(), timeout=240)
        ray.kill(probe)
        # The task runners of `python -m lead.main_ppo` start as Ray actors (class shipped by Ray).
        for runner_class in (LEADTaskRunnerV1, LEADTaskRunner):
            runner = ray.remote(runner_class).remote()
            assert ray.get(runner.__ray_ready__.remote(), timeout=240)
            ray.kill(runner)
    finally:
        ray.shutdown()
    assert (module, name) == ("lead.integrations.verl.plugin", "compute_lead_advantage")
    assert not already_imported
