"""Model arguments: HF folders, hub ids, verl checkpoints and run folders; merging with verl's merger."""

import json
import sys
from pathlib import Path

import pytest
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

from lead.eval.checkpoints import (
    Checkpoint,
    CheckpointMergeError,
    classify_model,
    find_checkpoints,
    materialize_checkpoint,
    merge_command,
)
from lead.eval.cli import main


def write_fsdp_actor(model_dir: Path, step_dir: Path) -> Path:
    """The actor folder verl's FSDP checkpoint manager writes with world size 1 (no HF weights)."""
    actor = step_dir / "actor"
    (actor / "huggingface").mkdir(parents=True)
    model = AutoModelForCausalLM.from_pretrained(model_dir)
    torch.save(model.state_dict(), actor / "model_world_size_1_rank_0.pt")
    (actor / "fsdp_config.json").write_text(json.dumps({"FSDP_version": 2, "world_size": 1}))
    model.config.save_pretrained(actor / "huggingface")
    model.generation_config.save_pretrained(actor / "huggingface")
    AutoTokenizer.from_pretrained(model_dir).save_pretrained(actor / "huggingface")
    return actor


@pytest.fixture(scope="module")
def run_dir(tiny_model_dir, tmp_path_factory):
    run = tmp_path_factory.mktemp("run")
    for step in (10, 2):
        write_fsdp_actor(tiny_model_dir, run / f"global_step_{step}")
    (run / "latest_checkpointed_iteration.txt").write_text("10")
    (run / "global_step_7").mkdir()  # an interrupted save: no actor
    return run


def test_hf_folder_and_hub_id(tiny_model_dir):
    assert classify_model(str(tiny_model_dir)).kind == "hf"
    hub = classify_model("deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B")
    assert (hub.kind, hub.location) == ("hub", "deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B")


def test_run_folder_lists_checkpoints_by_step(run_dir):
    target = classify_model(str(run_dir))
    assert target.kind == "run"
    assert [(c.step, c.actor_dir) for c in target.checkpoints] == [
        (2, run_dir / "global_step_2" / "actor"),
        (10, run_dir / "global_step_10" / "actor"),
    ]
    assert find_checkpoints(run_dir) == list(target.checkpoints)


def test_step_folder_and_actor_folder_are_checkpoints(run_dir):
    for argument in (run_dir / "global_step_10", run_dir / "global_step_10" / "actor"):
        target = classify_model(str(argument))
        assert target.kind == "checkpoint"
        assert target.checkpoints == (Checkpoint(10, run_dir / "global_step_10" / "actor"),)


def test_unusable_arguments_are_explained(tmp_path, monkeypatch):
    with pytest.raises(ValueError, match="no such folder"):
        classify_model(str(tmp_path / "nope"))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "runs").mkdir()
    with pytest.raises(ValueError, match="no such folder"):
        classify_model("runs/typo")  # a local folder's missing child, not a hub id
    with pytest.raises(ValueError, match="not a Hugging Face model folder"):
        classify_model(str(tmp_path))
    (tmp_path / "file.txt").write_text("x")
    with pytest.raises(ValueError, match="expected a folder"):
        classify_model(str(tmp_path / "file.txt"))


def test_merge_command_is_verls_model_merger(run_dir, tmp_path):
    actor = run_dir / "global_step_2" / "actor"
    assert merge_command(actor, tmp_path / "hf") == [
        sys.executable, "-m", "verl.model_merger", "merge", "--backend", "fsdp",
        "--local_dir", str(actor), "--target_dir", str(tmp_path / "hf"),
    ]  # fmt: skip


def test_saved_hf_weights_are_used_without_merging(tiny_model_dir, tmp_path):
    actor = write_fsdp_actor(tiny_model_dir, tmp_path / "global_step_3")
    for name in ("model.safetensors",):
        (actor / "huggingface" / name).write_bytes((tiny_model_dir / name).read_bytes())
    assert materialize_checkpoint(Checkpoint(3, actor), tmp_path / "merged") == actor / "huggingface"
    assert not (tmp_path / "merged").exists()


@pytest.mark.slow
def test_failed_merge_is_reported(tmp_path):
    actor = tmp_path / "global_step_1" / "actor"
    actor.mkdir(parents=True)
    (actor / "fsdp_config.json").write_text(json.dumps({"world_size": 1}))  # no shards, no HF config
    with pytest.raises(CheckpointMergeError, match="verl's model merger failed"):
        materialize_checkpoint(Checkpoint(1, actor), tmp_path / "merged")
    assert not (tmp_path / "merged").exists()


@pytest.mark.slow
def test_run_folder_is_evaluated_per_checkpoint(tiny_model_dir, run_dir, benchmark_file, tmp_path, capsys):
    """Each checkpoint is merged by verl's merger (a real subprocess), evaluated, then tabulated."""
    out = tmp_path / "run_eval"
    args = [str(run_dir), "--benchmarks", str(benchmark_file), "--n", "1", "--max-new-tokens", "12"]
    args += ["--backend", "transformers", "--device", "cpu", "--out", str(out)]
    assert main([*args, "--keep-merged"]) == 0
    merged = out / "global_step_2" / "merged_model"
    ids = torch.tensor([[5, 9, 30, 3]])
    original = AutoModelForCausalLM.from_pretrained(tiny_model_dir)(ids).logits
    restored = AutoModelForCausalLM.from_pretrained(merged, dtype=torch.float32)(ids).logits
    assert torch.allclose(original, restored, atol=0.1)  # the merger stores bfloat16
    assert restored.argmax(-1).tolist() == original.argmax(-1).tolist()
    for step in (2, 10):
        results = json.loads((out / f"global_step_{step}" / "results.json").read_text())
        assert results["step"] == step
        assert results["model"] == str(run_dir / f"global_step_{step}" / "actor")
        assert results["benchmarks"]["toy"]["pass@1"] == pytest.approx(0.5)
    assert (out / "compare.md").is_file()
    assert (out / "learning_curve_run_eval.png").stat().st_size > 10_000
    assert "run_eval (step 10)" in capsys.readouterr().out

    main(args)  # every sample is on disk: nothing generated, merged copies removed
    assert not merged.exists()
    assert json.loads((out / "global_step_10" / "results.json").read_text())["samples_generated"] == 0
