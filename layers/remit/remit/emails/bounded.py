"""A Jinja2 sandbox whose rendering is bounded in work, time and size.

The plain ``SandboxedEnvironment`` keeps a template away from Python internals but not
from the machine: four nested loops over 250 lines are billions of iterations,
``'a' * 5000000`` and ``3 ** 2000000`` are accepted, ``'x'|center(10**9)`` allocates a
gigabyte. Here every render carries a ``Budget`` (a context variable, so the shared
environment stays stateless) and:

- every loop iteration is counted (a ``{% for %}``'s iterable is wrapped when the
  template is parsed), and every call, filter and operator is counted as work;
- a wall-clock deadline is checked on each count;
- everything written (to the email, or to a ``{% set %}`` / macro buffer) is counted
  against the output cap;
- operators and the filters or string methods that multiply their input (``*``, ``**``,
  ``%``, ``~``, ``center``, ``format``, ``replace``, ``join``, ``indent`` ...) are refused
  *before* they compute a result past the caps; other methods than a short list of
  harmless string and mapping ones cannot be called at all.

A limit that trips raises ``TemplateLimit``; ``remit.emails.render`` turns it into a 422
at save time and a failed (not retried) email at send time.
"""

from __future__ import annotations

import re
import time
import types
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import wraps
from string import Formatter
from typing import Any

from jinja2 import StrictUndefined, Undefined, nodes, pass_eval_context
from jinja2.compiler import CodeGenerator, Frame
from jinja2.exceptions import TemplateRuntimeError
from jinja2.sandbox import SandboxedEnvironment

MAX_ITERATIONS = 20_000  # loop iterations per render: a 250-line invoice looped over 80 times
MAX_WORK = 100_000  # calls, filters and operators per render
MAX_OUTPUT = 1_000_000  # characters written per render (and the size of any one value)
MAX_SECONDS = 2.0  # wall clock per render: far below any function's timeout
MAX_WIDTH = 1_000  # a width, precision, padding or count argument
MAX_INT_BITS = 1_024  # an integer's size (about 300 digits)


class TemplateLimit(TemplateRuntimeError):
    """A render went past one of the limits above."""


@dataclass
class Budget:
    deadline: float
    iterations: int = 0
    work: int = 0
    output: int = 0
    values: dict[str, int] = field(default_factory=dict)

    def tick(self) -> None:
        self.work += 1
        if self.work > MAX_WORK:
            raise TemplateLimit(f"more than {MAX_WORK} calls, filters and operators")
        if time.monotonic() > self.deadline:
            raise TemplateLimit(f"rendering took longer than {MAX_SECONDS:g} s")

    def iterate(self) -> None:
        self.iterations += 1
        if self.iterations > MAX_ITERATIONS:
            raise TemplateLimit(f"more than {MAX_ITERATIONS} loop iterations")
        self.tick()

    def write(self, chars: int) -> None:
        self.output += chars
        if self.output > MAX_OUTPUT:
            raise TemplateLimit(f"more than {MAX_OUTPUT} characters of output")


_budget: ContextVar[Budget | None] = ContextVar("template_budget", default=None)


def _tick() -> None:
    budget = _budget.get()
    if budget is not None:
        budget.tick()


def _size(value: Any) -> int:
    return len(value) if isinstance(value, str | list | tuple | dict) else 0


def _cap_size(size: int, what: str) -> None:
    if size > MAX_OUTPUT:
        raise TemplateLimit(f"{what} would be more than {MAX_OUTPUT} characters or items")


def _cap_width(value: Any, what: str) -> None:
    if isinstance(value, int | float) and abs(value) > MAX_WIDTH:
        raise TemplateLimit(f"{what} {value} is more than {MAX_WIDTH}")


def _cap_int(value: Any) -> None:
    if isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
        raise TemplateLimit(f"a number larger than {MAX_INT_BITS} bits")


_PERCENT = re.compile(r"%(?:\([^)]*\))?[-+ #0]*(\*|\d+)?(?:\.(\*|\d+))?")
_SPEC = re.compile(r"^(?:.?[<>=^])?[-+ ]?z?#?0?(\d+)?[,_]?(?:\.(\d+))?")


def _check_percent(fmt: str) -> None:
    """``'%99999999d' % x`` and ``|format``: widths and precisions in the format string."""
    for match in _PERCENT.finditer(fmt):
        for part in match.groups():
            if part == "*":
                raise TemplateLimit("a * width or precision in a format string")
            if part:
                _cap_width(int(part), "a width or precision of")


def _check_format(fmt: str) -> None:
    """``'{:>99999999}'.format(x)``: the same for ``str.format``."""
    for _, _, spec, _ in Formatter().parse(fmt):
        if not spec:
            continue
        if "{" in spec:
            raise TemplateLimit("a nested format specification")
        match = _SPEC.match(spec)
        for part in match.groups() if match else ():
            if part:
                _cap_width(int(part), "a width or precision of")


def _check_binop(op: str, left: Any, right: Any) -> None:
    if op == "**":
        if isinstance(left, int | float) and isinstance(right, int | float):
            if abs(right) > MAX_WIDTH:
                raise TemplateLimit(f"an exponent larger than {MAX_WIDTH}")
            bits = abs(left).bit_length() * right if isinstance(left, int) and isinstance(right, int) else 0
            if bits > MAX_INT_BITS:
                raise TemplateLimit(f"a number larger than {MAX_INT_BITS} bits")
    elif op == "*":
        for seq, times in ((left, right), (right, left)):
            if isinstance(seq, str | list | tuple) and isinstance(times, int):
                _cap_size(len(seq) * max(times, 0), "a repeated value")
        ints = isinstance(left, int) and isinstance(right, int)
        if ints and left.bit_length() + right.bit_length() > MAX_INT_BITS:
            raise TemplateLimit(f"a number larger than {MAX_INT_BITS} bits")
    elif op == "+":
        if isinstance(left, str | list | tuple) and isinstance(right, str | list | tuple):
            _cap_size(len(left) + len(right), "a joined value")
    elif op == "%" and isinstance(left, str):
        _check_percent(left)


# Methods a template may call: the string and mapping ones that cannot make a value larger
# than a small multiple of one already there. Anything else (append, extend, translate,
# expandtabs, format_map ...) is refused: an email template has no use for it.
_SAFE_METHODS = frozenset(
    {
        "upper", "lower", "title", "capitalize", "casefold", "swapcase", "strip", "lstrip", "rstrip",
        "startswith", "endswith", "split", "rsplit", "splitlines", "partition", "rpartition",
        "find", "rfind", "index", "rindex", "count", "isdigit", "isalpha", "isalnum", "isspace",
        "isupper", "islower", "istitle", "isnumeric", "isdecimal", "removeprefix", "removesuffix",
        "center", "ljust", "rjust", "zfill", "replace", "join", "format",
        "get", "items", "keys", "values",
    }
)  # fmt: skip
_PLAIN = (str, list, tuple, dict, int, float)


def _check_method(name: str, owner: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    if name not in _SAFE_METHODS:
        raise TemplateLimit(f"{type(owner).__name__}.{name}() cannot be called in an email template")
    if name in ("center", "ljust", "rjust", "zfill") and args:
        _cap_width(args[0], f"{name}() width")
    elif name == "replace" and isinstance(owner, str) and len(args) >= 2:
        old, new = str(args[0]), str(args[1])
        _cap_size(len(owner) + (owner.count(old) if old else len(owner) + 1) * len(new), "replace()")
    elif name == "join" and isinstance(owner, str) and args:
        items = args[0]
        if isinstance(items, str | list | tuple):
            _cap_size(sum(len(str(i)) for i in items) + len(owner) * len(items), "join()")
    elif name == "format" and isinstance(owner, str):
        _check_format(owner)


class _Counted:
    """A loop's iterable: each item taken costs one iteration of the render's budget."""

    def __init__(self, iterable: Iterable[Any]) -> None:
        self.iterable = iterable

    def __len__(self) -> int:
        return len(self.iterable)  # type: ignore[arg-type]  # TypeError: the loop counts lazily

    def __iter__(self) -> Iterator[Any]:
        for item in self.iterable:
            budget = _budget.get()
            if budget is not None:
                budget.iterate()
            yield item


def _counted(value: Any) -> Any:
    # An undefined stays itself: StrictUndefined raises its own, clearer, error.
    return _Counted(value) if isinstance(value, Iterable) and not isinstance(value, Undefined) else value


def _bounded_filter(name: str, f: Callable[..., Any]) -> Callable[..., Any]:
    from jinja2.utils import _PassArg

    skip = 1 if _PassArg.from_obj(f) is not None else 0  # the context/environment argument

    @wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        _tick()
        value, rest = (args[skip], args[skip + 1 :]) if len(args) > skip else (None, ())
        if name in ("center", "batch", "slice", "truncate", "wordwrap", "round", "filesizeformat"):
            for arg in (*rest, *kwargs.values()):
                if not isinstance(arg, bool):
                    _cap_width(arg, f"|{name} argument")
        elif name == "indent":
            width = rest[0] if rest else kwargs.get("width", 4)
            _cap_width(width if isinstance(width, int) else len(str(width)), "|indent width")
            lines = str(value).count("\n") + 1
            _cap_size(
                len(str(value)) + lines * (width if isinstance(width, int) else len(str(width))), "|indent"
            )
        elif name == "format":
            _check_percent(str(value))
        elif name == "replace" and len(rest) >= 2:
            _check_method("replace", str(value), rest, {})
        elif name == "join":
            items = list(value) if isinstance(value, Iterable) else []
            sep = str(rest[0] if rest else kwargs.get("d", ""))
            _cap_size(sum(len(str(i)) for i in items) + len(sep) * len(items), "|join")
            args = (*args[:skip], items, *rest)
        result = f(*args, **kwargs)
        _cap_size(_size(result), f"|{name}")
        return result

    return wrapper


class _CodeGenerator(CodeGenerator):
    def visit_Output(self, node: nodes.Output, frame: Frame) -> None:
        # A template's own text counts as output too: a loop repeats it.
        chars = sum(len(child.data) for child in node.nodes if isinstance(child, nodes.TemplateData))
        if chars:
            self.writeline(f"environment.count_output({chars})")
        super().visit_Output(node, frame)

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        # ``a ~ b``: the parts' sizes are checked before they are joined (as Jinja2 joins).
        if frame.eval_ctx.volatile:
            join = "(markup_join if context.eval_ctx.volatile else str_join)"
        elif frame.eval_ctx.autoescape:
            join = "markup_join"
        else:
            join = "str_join"
        self.write(f"environment.bounded_join({join}, (")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")


@pass_eval_context  # not a constant: evaluated (and counted) every time it is written
def _finalize(eval_ctx: Any, value: Any) -> Any:
    budget = _budget.get()
    if budget is not None:
        budget.write(len(value) if isinstance(value, str) else len(str(value)))
    return value


class BoundedEnvironment(SandboxedEnvironment):
    code_generator_class = _CodeGenerator
    intercepted_binops = frozenset({"+", "-", "*", "/", "//", "%", "**"})
    intercepted_unops = frozenset()

    def __init__(self, *, autoescape: bool) -> None:
        super().__init__(autoescape=autoescape, undefined=StrictUndefined, finalize=_finalize)
        # No globals (range, lipsum, cycler, namespace ...): a template sees its variables only.
        self.globals.clear()
        self.filters = {name: _bounded_filter(name, f) for name, f in self.filters.items()}
        self.filters["counted"] = _counted

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = super()._parse(source, name, filename)
        for loop in tree.find_all(nodes.For):
            loop.iter = nodes.Filter(loop.iter, "counted", [], [], None, None, lineno=loop.lineno)
        return tree

    def count_output(self, chars: int) -> None:
        budget = _budget.get()
        if budget is not None:
            budget.write(chars)

    def bounded_join(self, join: Callable[[Iterable[Any]], str], parts: tuple[Any, ...]) -> str:
        _tick()
        _cap_size(sum(len(p) if isinstance(p, str) else len(str(p)) for p in parts), "a joined value")
        return join(parts)

    def call_binop(self, context: Any, operator_: str, left: Any, right: Any) -> Any:
        _tick()
        _check_binop(operator_, left, right)
        try:
            result = self.binop_table[operator_](left, right)
        except (ArithmeticError, ValueError, TypeError) as exc:
            raise TemplateRuntimeError(f"{operator_}: {exc}") from exc
        _cap_int(result)
        return result

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        _tick()
        # The sandbox hands out str.format wrapped (its own safe formatter): check the original.
        method = getattr(__obj, "__wrapped__", __obj)
        owner = getattr(method, "__self__", None)
        if isinstance(method, types.BuiltinMethodType | types.MethodType) and isinstance(owner, _PLAIN):
            _check_method(method.__name__, owner, args, kwargs)
        result = super().call(__context, __obj, *args, **kwargs)
        _cap_size(_size(result), "a call's result")
        return result


def render(template: Any, variables: dict[str, Any]) -> str:
    """Render a compiled template within a fresh budget; ``TemplateLimit`` past it."""
    token = _budget.set(Budget(deadline=time.monotonic() + MAX_SECONDS))
    try:
        out: list[str] = []
        for chunk in template.generate(variables):
            out.append(chunk)
        return "".join(out)
    finally:
        _budget.reset(token)
