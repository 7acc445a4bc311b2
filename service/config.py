"""Project configuration: which codes run and at what severity.

Read from ``planreview.toml`` (top level or a ``[planreview]`` table) or from
``[tool.planreview]`` in ``pyproject.toml``, found by walking up from the plan,
like ruff and Vale do::

    select = ["smart", "raci", "risk.no-register"]   # families or codes; default all
    ignore = ["bsc"]
    [severity]                                       # per code or family
    "resource.no-buffer" = "warning"
    [vocabulary]                                     # words of the organisation's templates
    owner_columns = ["Champion", "主理人"]
    [vocabulary.sections]
    tasks = ["Sprint backlog", "作战计划"]

and which files are plans (service/planfiles.py; gitignore-style globs relative to
this file's folder)::

    include = ["plans/", "**/*-okr.md"]   # when set, only these
    exclude = ["docs/", "notes/**"]
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from service.errors import ConfigError
from service.rules import catalogue

SeverityName = Literal["error", "warning", "info"]


class VocabularyConfig(BaseModel):
    """Words an organisation's plans use that the built-in vocabulary does not know
    (service/rules/vocabulary/*.toml). Plain words, any language; 繁體 is folded to 简体."""

    model_config = ConfigDict(extra="forbid")

    sections: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Extra heading words per plan part: goals, okr, tasks, timeline, risks, "
        "resources, organisation, monitoring, communication, iteration, background, problem.",
    )
    owner_columns: list[str] = Field(
        default_factory=list, description="Table column names that hold a row's owner."
    )
    task_columns: list[str] = Field(
        default_factory=list, description="Table column names that hold a row's work."
    )
    meta_fields: list[str] = Field(
        default_factory=list,
        description="Labels of fields that describe an activity (not work): 'Dress code'.",
    )
    topic_labels: list[str] = Field(
        default_factory=list, description="Labels that introduce a list of topics, not tasks."
    )
    measure_lead_ins: list[str] = Field(
        default_factory=list,
        description="Words of a lead-in that introduces what will be measured, not goals.",
    )
    stakeholders: list[str] = Field(
        default_factory=list, description="Words that name the plan's stakeholders."
    )
    activity_verbs: list[str] = Field(
        default_factory=list,
        description="Verbs that start a piece of work in the organisation's plans: 'onboard', '邀约'.",
    )
    role_names: list[str] = Field(
        default_factory=list,
        description="Roles that hold work in the organisation's plans ('Quartermaster', '场控'): "
        "a heading such as 'Quartermaster duties' owns the tasks under it.",
    )

    @field_validator("sections")
    @classmethod
    def _known_parts(cls, values: dict[str, list[str]]) -> dict[str, list[str]]:
        from service.rules.vocabulary import builtin

        known = builtin().order
        for part in values:
            if part not in known:
                raise ValueError(
                    f"unknown plan part {part!r} in [vocabulary.sections] (known: {', '.join(known)})"
                )
        return values

    def key(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """A hashable form, for caching the compiled vocabulary."""
        items = [(f"sections.{k}", tuple(v)) for k, v in sorted(self.sections.items())]
        for name in (
            "owner_columns",
            "task_columns",
            "meta_fields",
            "topic_labels",
            "measure_lead_ins",
            "stakeholders",
            "activity_verbs",
            "role_names",
        ):
            words = getattr(self, name)
            if words:
                items.append((name, tuple(words)))
        return tuple(items)


class LLMConfig(BaseModel):
    """``[llm]`` in planreview.toml: its presence turns the LLM tier on for ``--llm auto``.

    The endpoint itself (OPENAI_BASE_URL, OPENAI_API_KEY) comes from the environment only:
    a config file found next to a plan must not be able to send the plan, or the key, to a
    host of its choosing.
    """

    model_config = ConfigDict(extra="forbid")

    enabled: bool = Field(default=True, description="false: --llm auto leaves the tier off.")
    model: str | None = Field(default=None, description="Chat model name (PLANREVIEW_LLM_MODEL).")
    temperature: float | None = Field(default=None, ge=0, le=2)
    timeout: float | None = Field(default=None, gt=0, description="Seconds per call.")
    deadline: float | None = Field(default=None, gt=0, description="Seconds per review.")
    context_tokens: int | None = Field(default=None, ge=2000)
    max_output_tokens: int | None = Field(default=None, ge=256)
    structured: Literal["auto", "json_schema", "json_mode", "prompt"] | None = None
    concurrency: int | None = Field(default=None, ge=1, le=64)

    @model_validator(mode="before")
    @classmethod
    def _no_endpoint(cls, data: object) -> object:
        if isinstance(data, dict):
            for key in ("base_url", "api_key", "openai_base_url", "openai_api_key"):
                if key in data:
                    raise ValueError(
                        f"{key} is not read from a config file: set "
                        f"{'OPENAI_BASE_URL' if 'url' in key else 'OPENAI_API_KEY'} in the "
                        "environment (a config file next to a plan must not choose where "
                        "the plan or the key is sent)"
                    )
        return data

    def settings_update(self) -> dict[str, object]:
        """The Settings fields this section overrides."""
        names = {
            "model": "llm_model",
            "temperature": "llm_temperature",
            "timeout": "llm_timeout",
            "deadline": "llm_deadline",
            "context_tokens": "llm_context_tokens",
            "max_output_tokens": "llm_max_output_tokens",
            "structured": "llm_structured",
            "concurrency": "llm_concurrency",
        }
        return {
            field: getattr(self, name)
            for name, field in names.items()
            if getattr(self, name) is not None
        }


class ReviewConfig(BaseModel):
    """What a user writes in planreview.toml; unknown keys are refused."""

    model_config = ConfigDict(extra="forbid")

    select: list[str] = Field(default_factory=lambda: ["all"], description="Codes or families.")
    ignore: list[str] = Field(default_factory=list, description="Codes or families to skip.")
    severity: dict[str, SeverityName] = Field(
        default_factory=dict, description="Severity overrides per code or family."
    )
    vocabulary: VocabularyConfig = Field(
        default_factory=VocabularyConfig,
        description="Heading words, column names and labels of the organisation's templates.",
    )
    llm: LLMConfig | None = Field(
        default=None,
        exclude=True,  # not part of what the rules see (config hashes stay as they were)
        description="[llm]: use the LLM tier (--llm auto) with these settings.",
    )

    @field_validator("select", "ignore")
    @classmethod
    def _known(cls, values: list[str]) -> list[str]:
        for v in values:
            if not catalogue.codes_matching(v):
                raise ValueError(f"unknown rule code or family {v!r} (see `planreview rules`)")
        return values

    @field_validator("severity")
    @classmethod
    def _known_keys(cls, values: dict[str, SeverityName]) -> dict[str, SeverityName]:
        for k in values:
            if not catalogue.codes_matching(k):
                raise ValueError(f"unknown rule code or family {k!r} in [severity]")
        return values

    def enabled_codes(self) -> set[str]:
        chosen: set[str] = set()
        for pattern in self.select:
            chosen.update(catalogue.codes_matching(pattern))
        for pattern in self.ignore:
            chosen.difference_update(catalogue.codes_matching(pattern))
        return chosen

    def severity_for(self, code: str, default: str) -> str:
        if code in self.severity:
            return self.severity[code]
        family = code.split(".", 1)[0]
        return self.severity.get(family, default)

    def merged(self, select: list[str] | None, ignore: list[str] | None) -> ReviewConfig:
        """This config narrowed by per-request select/ignore lists."""
        data = self.model_dump()
        data["llm"] = self.llm.model_dump() if self.llm is not None else None
        if select:
            data["select"] = select
        if ignore:
            data["ignore"] = [*data["ignore"], *ignore]
        try:
            return ReviewConfig.model_validate(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            option = "--" + str(first["loc"][0]) if first.get("loc") else "--select/--ignore"
            raise ConfigError(f"{option}: {first['msg'].removeprefix('Value error, ')}") from None


class FileSelection(BaseModel):
    """Which files are plans (service/planfiles.py): gitignore-style globs relative to the
    config file's folder. Kept apart from ReviewConfig: it says which files are reviewed,
    not how, so it is no part of a review's configuration (nor of the eval's run conditions)."""

    # Built on first validation: a review without a config file never validates one.
    model_config = ConfigDict(extra="forbid", defer_build=True)

    include: list[str] = Field(
        default_factory=list,
        description="Files that are plans; when set, only these are reviewed in folders, "
        "globs and the editor.",
    )
    exclude: list[str] = Field(default_factory=list, description="Files that are never plans.")


FILE_KEYS = frozenset(FileSelection.model_fields)
ModelT = TypeVar("ModelT", bound=BaseModel)


def _read_table(path: Path) -> dict[str, object]:
    import tomllib  # here, not at import: most reviews have no config file to read

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get("planreview", {})
    elif "planreview" in data and isinstance(data["planreview"], dict):
        data = data["planreview"]
    return data


def _validated(path: Path, model: type[ModelT], data: dict[str, object]) -> ModelT:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top level)"
        raise ConfigError(f"{path}: {where}: {first['msg']}") from None


def load_config_file(path: Path) -> ReviewConfig:
    data = _read_table(path)
    files = {k: v for k, v in data.items() if k in FILE_KEYS}
    _validated(path, FileSelection, files)  # a bad include/exclude is named here too
    rest = {k: v for k, v in data.items() if k not in FILE_KEYS}
    return _validated(path, ReviewConfig, rest)


def load_file_selection(path: Path) -> FileSelection:
    """``include``/``exclude`` of a config file (the rest is load_config_file's)."""
    data = _read_table(path)
    return _validated(path, FileSelection, {k: v for k, v in data.items() if k in FILE_KEYS})


def find_config(start: Path) -> Path | None:
    """The nearest planreview.toml, or pyproject.toml with [tool.planreview]."""
    here = start.resolve()
    if here.is_file():
        here = here.parent
    for folder in (here, *here.parents):
        candidate = folder / "planreview.toml"
        if candidate.is_file():
            return candidate
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file():
            import tomllib

            try:
                if "planreview" in tomllib.loads(pyproject.read_text("utf-8")).get("tool", {}):
                    return pyproject
            except (tomllib.TOMLDecodeError, UnicodeDecodeError):
                continue
    return None
