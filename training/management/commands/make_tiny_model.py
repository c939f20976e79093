from django.core.management.base import BaseCommand, CommandError

from training.core.tiny_model import build_tiny_model, default_corpus


class Command(BaseCommand):
    help = "Build a tiny random Llama-architecture model with its own tokenizer into DIR (offline)."

    def add_arguments(self, parser):
        parser.add_argument("dir", help="folder to write the model into (created if missing)")
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--vocab-size", type=int, default=1024)

    def handle(self, *args, dir, seed, vocab_size, **options):
        if vocab_size < 300:
            raise CommandError(f"--vocab-size {vocab_size}: needs at least 300 (256 bytes, specials and some merges)")
        path = build_tiny_model(dir, default_corpus(), vocab_size=vocab_size, seed=seed)
        self.stdout.write(self.style.SUCCESS(f"Tiny model written to {path}"))
