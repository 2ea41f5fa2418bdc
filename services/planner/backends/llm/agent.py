"""An agent: a prompt template, an answer type, and the loop that gets a valid answer.

The answer is parsed as JSON, validated by Pydantic, then checked for sense by the caller (every
sentence covered, known characters, English where a picture needs it). When it fails, the model
is asked again with the error quoted, up to `retries` times; then the agent gives up (AgentFailed)
and the caller falls back to the rules planner.

Templates are text files with a [system] and a [user] section; $name placeholders are filled with
string.Template, once, so a story's own "$" or "{" is never read as a placeholder.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from string import Template
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from services.planner.backends.llm.client import ChatClient, LlmError, Message, Tally

log = logging.getLogger(__name__)

A = TypeVar("A", bound=BaseModel)
PROMPTS = Path(__file__).resolve().parent / "prompts"
_SECTION = re.compile(r"^\[(system|user)\]\s*$", re.MULTILINE)
_FENCE = re.compile(r"^```(?:json)?\s*|\s*```$")
_SHOWN_ERRORS = 4
_SHOWN_ANSWER_CHARS = 400
REPROMPT_TOKENS = 300
"""Room a re-prompt takes in the context: the wrong answer (cut to 400 characters) and the error."""

REPROMPT = "Your answer was not valid: $problem\nAnswer again with the whole JSON object, corrected, and nothing else."


class AgentFailed(Exception):
    """No valid answer after every try, or the server failed: the caller falls back to rules."""


@dataclass(frozen=True)
class PromptTemplate:
    system: Template
    user: Template

    def messages(self, values: dict[str, str]) -> list[Message]:
        return [
            {"role": "system", "content": self.system.substitute(values)},
            {"role": "user", "content": self.user.substitute(values)},
        ]


def load_template(path: Path | None, default_name: str, placeholders: set[str]) -> PromptTemplate:
    """A template file (or the built-in one); ValueError when it lacks a section or uses an
    unknown placeholder, so a typo shows when the service starts, not mid-story."""
    path = path or PROMPTS / default_name
    text = path.read_text(encoding="utf-8")
    parts = _SECTION.split(text)
    sections = dict(zip(parts[1::2], (part.strip() for part in parts[2::2]), strict=True))
    if set(sections) != {"system", "user"}:
        raise ValueError(f"prompt template {path} needs a [system] and a [user] section")
    template = PromptTemplate(Template(sections["system"]), Template(sections["user"]))
    used = set(template.system.get_identifiers()) | set(template.user.get_identifiers())
    if used - placeholders or "sentences" not in used:
        raise ValueError(
            f"prompt template {path}: placeholders must be among {sorted(placeholders)} and include $sentences; "
            f"it uses {sorted(used)}"
        )
    return template


@dataclass
class Agent(Generic[A]):
    name: str
    template: PromptTemplate
    answer_type: type[A]
    client: ChatClient
    retries: int

    def ask(
        self, values: dict[str, str], schema: dict[str, Any], check: Callable[[A], None], max_tokens: int, tally: Tally
    ) -> A:
        """A valid answer, or AgentFailed saying why the last try was not."""
        messages = self.template.messages(values)
        problem = ""
        for attempt in range(self.retries + 1):
            if attempt:
                tally.count(retries=1)
            try:
                content = self.client.complete(messages, self.name, schema, max_tokens, tally)
            except LlmError as error:
                raise AgentFailed(str(error)) from error
            answer, problem = _judge(content, self.answer_type, check)
            if answer is not None:
                return answer
            log.info("%s: answer %d of %d is not valid: %s", self.name, attempt + 1, self.retries + 1, problem)
            messages = [
                *messages[:2],
                {"role": "assistant", "content": content[:_SHOWN_ANSWER_CHARS]},
                {"role": "user", "content": Template(REPROMPT).substitute(problem=problem[:_SHOWN_ANSWER_CHARS])},
            ]
        raise AgentFailed(f"no valid answer in {self.retries + 1} tries; the last: {problem}")


def parse(content: str, answer_type: type[A]) -> A:
    """The answer's JSON (a code fence or words around it are tolerated), validated."""
    text = _FENCE.sub("", content.strip())
    start, end = text.find("{"), text.rfind("}")
    if start < 0:
        raise ValueError(f"the answer holds no JSON object: {content[:_SHOWN_ANSWER_CHARS]!r}")
    try:
        data = json.loads(text[start : end + 1] if end > start else text[start:])
    except json.JSONDecodeError as error:
        raise ValueError(f"the answer is not valid JSON ({error.msg} at character {error.pos})") from None
    return answer_type.model_validate(data)


def _judge(content: str, answer_type: type[A], check: Callable[[A], None]) -> tuple[A | None, str]:
    try:
        answer = parse(content, answer_type)
        check(answer)
    except ValidationError as error:
        return None, _validation_problem(error)
    except ValueError as error:
        return None, str(error)
    return answer, ""


def _validation_problem(error: ValidationError) -> str:
    problems = [
        f"{'.'.join(str(part) for part in item['loc']) or 'the answer'}: {item['msg']}"
        for item in error.errors()[:_SHOWN_ERRORS]
    ]
    more = error.error_count() - len(problems)
    return "; ".join(problems) + (f" (and {more} more)" if more > 0 else "")
