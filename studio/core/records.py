"""One training example in plain Python: instruction/input/output, a preference pair (the same with
a rejected answer beside the chosen output), or a chat of messages."""

from dataclasses import dataclass

ROLES = ("system", "user", "assistant")


@dataclass(frozen=True)
class Record:
    instruction: str = ""
    input: str = ""
    output: str = ""
    messages: tuple = ()  # ({"role": ..., "content": ...}, ...) for a chat; empty otherwise
    # A preference pair's rejected answer; its output is the chosen one. Empty for a plain example.
    rejected: str = ""

    @property
    def is_chat(self):
        return bool(self.messages)

    @property
    def is_preference(self):
        return bool(self.rejected) and not self.messages

    @classmethod
    def chat(cls, messages):
        return cls(messages=tuple({"role": m.get("role"), "content": m.get("content")} for m in messages))

    def prompt(self):
        """(context, query): what the model is asked. For a chat, the system prompt is the context
        and every turn before the final assistant turn is the query."""
        if not self.is_chat:
            return self.instruction, self.input
        system = "\n".join(str(m["content"] or "") for m in self.messages if m["role"] == "system")
        return system, "\n".join(f"{m['role']}: {m['content'] or ''}" for m in self._turns_asked())

    def _turns_asked(self):
        """A chat's turns before its final assistant turn, the system prompt aside."""
        turns = [m for m in self.messages if m["role"] != "system"]
        if turns and turns[-1]["role"] == "assistant":
            turns = turns[:-1]
        return turns

    def request(self):
        """(context, query) as the checks compare what is asked: prompt(), but for a chat the user
        turns only. An earlier assistant turn is an answer the chat teaches (turn_answers), not
        part of the request: two chats that ask the same and answer a turn otherwise conflict
        there, however alike their last answers."""
        if not self.is_chat:
            return self.instruction, self.input
        context, _ = self.prompt()
        return context, "\n".join(f"user: {m['content'] or ''}" for m in self._turns_asked() if m["role"] == "user")

    def turn_answers(self):
        """A chat's assistant turns in order (the last is answer()); [answer()] for anything else."""
        if not self.is_chat:
            return [self.output]
        return [str(m["content"] or "") for m in self.messages if m["role"] == "assistant"]

    def answer(self):
        """The text the model is trained to write: the output, or the final assistant turn."""
        if not self.is_chat:
            return self.output
        for m in reversed(self.messages):
            if m["role"] == "assistant":
                return str(m["content"] or "")
        return ""

    def texts(self):
        """(field, text) for every piece of text a person wrote, for checks that read all of it."""
        if not self.is_chat:
            texts = [("instruction", self.instruction), ("input", self.input), ("output", self.output)]
            return texts + [("rejected", self.rejected)] if self.rejected else texts
        return [(f"messages[{i}]", str(m["content"] or "")) for i, m in enumerate(self.messages)]
