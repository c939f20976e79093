from django.core.management.base import BaseCommand, CommandError

from training.core.tiny_model import build_tiny_model, default_corpus


class Command(BaseCommand):
    help = "Build a tiny Llama-architecture model with its own tokenizer into DIR, pretrained on generated support chats (offline, about a minute)."

    def add_arguments(self, parser):
        parser.add_argument("dir", help="folder to write the model into (created if missing)")
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--vocab-size", type=int, default=1024)
        parser.add_argument(
            "--pretrain-steps",
            type=int,
            default=None,
            help="0 leaves the weights random (default: the full pretraining)",
        )

    def handle(self, *args, dir, seed, vocab_size, pretrain_steps, **options):
        if vocab_size < 300:
            raise CommandError(f"--vocab-size {vocab_size}: needs at least 300 (256 bytes, specials and some merges)")
        if pretrain_steps is not None and pretrain_steps < 0:
            raise CommandError(f"--pretrain-steps {pretrain_steps}: must be 0 or more")
        path = build_tiny_model(
            dir,
            default_corpus(),
            vocab_size=vocab_size,
            seed=seed,
            pretrain_steps=pretrain_steps,
            report=self.stdout.write,
        )
        self.stdout.write(self.style.SUCCESS(f"Tiny model written to {path}"))
