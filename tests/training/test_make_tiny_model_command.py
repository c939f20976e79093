import pytest
from django.core.management import CommandError, call_command
from transformers import AutoModelForCausalLM


def test_command_writes_a_loadable_model(tmp_path, capsys):
    call_command("make_tiny_model", str(tmp_path / "tiny"))
    assert "Tiny model written to" in capsys.readouterr().out
    model = AutoModelForCausalLM.from_pretrained(tmp_path / "tiny", local_files_only=True)
    assert model.config.num_hidden_layers == 2


def test_command_refuses_a_vocabulary_too_small_for_bytes(tmp_path):
    with pytest.raises(CommandError, match="--vocab-size 100"):
        call_command("make_tiny_model", str(tmp_path / "tiny"), "--vocab-size", "100")
