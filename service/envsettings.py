"""Settings read from the environment, on plain pydantic models.

What the edges need from ``pydantic-settings`` is small: each field from an environment variable
named by a prefix and the field (``PLANREVIEW_MAX_BYTES``), or by one of its alias choices
(``OPENAI_API_KEY``), matched case-insensitively; JSON for list and dict fields; keyword
arguments over the environment over the defaults. ``pydantic-settings`` brings all of that and
much more (dotenv, secrets folders, CLI parsing, cloud providers), and importing it costs about a
tenth of a ``planreview review`` run. This base class does just the part used.
"""

from __future__ import annotations

import json
import os
import types
import typing
from typing import Any, ClassVar

from pydantic import AliasChoices, BaseModel, ConfigDict, ValidationError


class EnvSettings(BaseModel):
    """A model whose unset fields come from the environment (see the module docstring)."""

    model_config = ConfigDict(extra="ignore", validate_by_name=True, validate_by_alias=True)
    env_prefix: ClassVar[str] = ""

    def __init__(self, **values: Any) -> None:
        from_env, sources = self._from_environment()
        from_env = {k: v for k, v in from_env.items() if k not in values}
        try:
            super().__init__(**{**from_env, **values})
        except ValidationError as exc:
            bad = [
                (sources[str(err["loc"][0])], err["msg"])
                for err in exc.errors()
                if err["loc"] and str(err["loc"][0]) in from_env
            ]
            if not bad:
                raise
            from service.errors import ConfigError

            name, why = bad[0]
            # The value is not repeated: it may be a key.
            raise ConfigError(
                f"environment variable {name} is not valid: {why}",
                hint=f"fix or unset {name}",
            ) from None

    @classmethod
    def _from_environment(cls) -> tuple[dict[str, Any], dict[str, str]]:
        environ = {key.upper(): value for key, value in os.environ.items()}
        found: dict[str, Any] = {}
        sources: dict[str, str] = {}
        for name, field in cls.model_fields.items():
            names = [f"{cls.env_prefix}{name}".upper()]
            alias = field.validation_alias
            if isinstance(alias, AliasChoices):
                names = [str(choice).upper() for choice in alias.choices]
            elif isinstance(alias, str):
                names = [alias.upper()]
            for env_name in names:
                if env_name in environ:
                    found[name] = _decode(environ[env_name], field.annotation)
                    sources[name] = env_name
                    break
        return found, sources


def _decode(raw: str, annotation: Any) -> Any:
    """A complex field (list, dict, tuple, set) is given as JSON; anything else as text, which
    pydantic converts (and reports on, naming the field, when it cannot)."""
    if _is_complex(annotation):
        try:
            return json.loads(raw)
        except json.JSONDecodeError:
            return raw  # pydantic names the field and says what it expected
    return raw


def _is_complex(annotation: Any) -> bool:
    origin = typing.get_origin(annotation)
    if origin in (list, dict, tuple, set, frozenset):
        return True
    if origin is typing.Union or origin is types.UnionType:
        return any(_is_complex(arg) for arg in typing.get_args(annotation) if arg is not type(None))
    return False
