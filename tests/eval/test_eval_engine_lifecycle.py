"""One engine at a time: each checkpoint's engine is shut down before the next one starts.

vLLM needs a GPU, so its engine is a stand-in that records calls (see ``standin_vllm`` in
conftest); everything else (checkpoint discovery, tokenizer, runner, grader, results) is real.
"""

import json
import shutil

import pytest

from lead.eval.backends.transformers import TransformersBackend
from lead.eval.backends.vllm import VLLMBackend
from lead.eval.chat import load_tokenizer
from lead.eval.cli import main
from lead.eval.protocol import resolve_benchmarks
from lead.eval.runner import EvalSettings, evaluate

RELEASE = ["destroy_model_parallel", "destroy_distributed_environment"]


@pytest.fixture
def run_dir(tiny_model_dir, tmp_path):
    """A verl run folder with two checkpoints whose actor folder holds full Hugging Face weights."""
    run = tmp_path / "run"
    for step in (1, 2):
        actor = run / f"global_step_{step}" / "actor"
        shutil.copytree(tiny_model_dir, actor / "huggingface")
        (actor / "fsdp_config.json").write_text(json.dumps({"FSDP_version": 2, "world_size": 1}))
    return run


def test_run_folder_holds_one_engine_at_a_time(standin_vllm, run_dir, benchmark_file, tmp_path):
    log = standin_vllm()
    out = tmp_path / "run_eval"
    args = [str(run_dir), "--benchmarks", str(benchmark_file), "--n", "1", "--max-new-tokens", "16"]
    assert main([*args, "--backend", "vllm", "--out", str(out)]) == 0
    assert log.events == [
        "create 1", "generate 1", "shutdown 1", *RELEASE,
        "create 2", "generate 2", "shutdown 2", *RELEASE,
    ]  # fmt: skip
    assert log.running_at_creation == [0, 0]
    assert log.referenced_at_creation == [0, 0]  # the first engine was garbage-collected, not just idle
    assert [kwargs["gpu_memory_utilization"] for kwargs in log.engine_kwargs] == [0.9, 0.9]
    for step in (1, 2):
        results = json.loads((out / f"global_step_{step}" / "results.json").read_text())
        assert (results["step"], results["settings"]["backend"]) == (step, "vllm")
        assert results["benchmarks"]["toy"]["pass@1"] == pytest.approx(0.5)


def settings_for(benchmark_file, backend="vllm"):
    return EvalSettings(benchmarks=resolve_benchmarks([str(benchmark_file)], n=1), backend=backend)


def test_engine_is_shut_down_when_generation_fails(standin_vllm, tiny_model_dir, benchmark_file, tmp_path):
    log = standin_vllm()
    log.fail_generation = True
    with pytest.raises(RuntimeError, match="stand-in engine failure"):
        evaluate(str(tiny_model_dir), tmp_path / "out", settings_for(benchmark_file))
    assert log.events == ["create 1", "generate 1", "shutdown 1", *RELEASE]
    assert log.engines[0]() is None


def test_release_skips_what_this_vllm_lacks(standin_vllm, tiny_model_dir):
    """No engine core and no ``vllm.distributed``: closing still drops the engine, without an error."""
    log = standin_vllm(complete=False)
    backend = VLLMBackend(str(tiny_model_dir), [1])
    backend.close()
    backend.close()
    assert log.events == ["create 1"]
    assert backend.llm is None and log.engines[0]() is None


def test_a_failing_release_step_is_reported_and_the_rest_still_runs(standin_vllm, tiny_model_dir):
    log = standin_vllm()
    backend = VLLMBackend(str(tiny_model_dir), [1])

    def broken_shutdown():
        raise RuntimeError("engine core already gone")

    backend.llm.llm_engine.engine_core.shutdown = broken_shutdown
    with pytest.warns(RuntimeWarning, match="engine shutdown failed \\(engine core already gone\\)"):
        backend.close()
    assert log.events == ["create 1", *RELEASE]
    assert log.engines[0]() is None


def test_an_llm_with_its_own_shutdown_uses_it(standin_vllm, tiny_model_dir):
    log = standin_vllm()
    backend = VLLMBackend(str(tiny_model_dir), [1])
    backend.llm.shutdown = lambda: log.events.append("LLM.shutdown")
    backend.close()
    assert log.events == ["create 1", "LLM.shutdown", *RELEASE]


def test_transformers_backend_releases_its_model(tiny_model_dir):
    tokenizer = load_tokenizer(str(tiny_model_dir))
    backend = TransformersBackend(str(tiny_model_dir), tokenizer, [tokenizer.eos_token_id], device="cpu")
    backend.close()
    assert backend.model is None
