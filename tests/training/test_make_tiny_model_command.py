import json

import pytest
from django.core.management import CommandError, call_command
from transformers import AutoModelForCausalLM


def test_command_writes_a_loadable_model_with_its_recommendations(tmp_path, capsys):
    call_command("make_tiny_model", str(tmp_path / "tiny"), "--pretrain-steps", "2")
    out = capsys.readouterr().out
    assert "pretraining step 2/2: loss" in out and "Tiny model written to" in out
    model = AutoModelForCausalLM.from_pretrained(tmp_path / "tiny", local_files_only=True)
    assert model.config.num_hidden_layers == 2
    assert json.loads((tmp_path / "tiny" / "studio_recommended.json").read_text())["learning_rate"] > 2e-4


def test_command_refuses_a_vocabulary_too_small_for_bytes(tmp_path):
    with pytest.raises(CommandError, match="--vocab-size 100"):
        call_command("make_tiny_model", str(tmp_path / "tiny"), "--vocab-size", "100")


def test_command_refuses_negative_pretraining(tmp_path):
    with pytest.raises(CommandError, match="--pretrain-steps -1: must be 0 or more"):
        call_command("make_tiny_model", str(tmp_path / "tiny"), "--pretrain-steps", "-1")
    assert not (tmp_path / "tiny").exists()
