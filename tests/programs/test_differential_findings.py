"""Front-end bugs found by the random differential testing (bench/differential.py), each pinned by
the smallest program that showed it: what Quod read against what gcc / CPython do."""

from __future__ import annotations

import pytest

from kernel import Environment
from programs.c_frontend import parse_c
from programs.interp import AssertionFailed, run
from programs.lang import ProgramError
from programs.py_frontend import parse_python


def c_run(src: str, **args):
    prog = parse_c(src, "f")
    return run(Environment(), prog.body, args, 100_000)["ret"]


@pytest.mark.parametrize("src,x,want", [
    ("typedef int bool;\nint f(int x) { bool b = x; return b; }", 5, 5),             # not _Bool
    ("typedef int u32;\nlong f(int x) { u32 b = x; return b - 1; }", -1, -2),         # not unsigned
    ("typedef short i64;\nlong f(int x) { i64 b = x; return b; }", 100000, -31072),   # not long
    ("typedef long long i32;\ni32 f(i32 x) { return x + 2147483647; }", 5, 2147483652),   # no overflow
    ("typedef unsigned char byte; typedef byte octet;\nint f(int x) { octet b = x; return b; }", 300, 44),
    ("typedef long word;\nlong f(int x) { word b = x; return b * 100000; }", 100000, 10**10),
    ("typedef enum { A, B } E;\nint f(int x) { E b = x; return b; }", -3, -3),
    ("typedef int T;\nint f(int x) { long T = 3000000000; return T > x; }", 5, 1),    # T the variable
])
def test_c_typedefs_name_the_type_they_define(src, x, want):
    """Quod read the names u32, i32, i64 and bool with its own meaning whatever the source's typedef
    said (and refused other typedef names): `typedef int u32; u32 b = -1; return b - 1;` returned
    4294967294 where gcc returns -2."""
    assert c_run(src, x=x) == want


def test_c_typedef_of_int_overflows_like_int():
    with pytest.raises(AssertionFailed):
        c_run("typedef int i64;\nlong f(int x) { i64 b = x; return b + 2147483647; }", x=5)


@pytest.mark.parametrize("decl,what", [("typedef int *P;", "pointer"), ("typedef int P[3];", "array"),
                                       ("typedef struct s { int a; } P;", "structure")])
def test_c_typedefs_of_other_types_are_refused(decl, what):
    with pytest.raises(ProgramError, match=f"unsupported type P \\(a typedef of an? {what} type\\)"):
        parse_c(f"{decl}\nint f(int x) {{ P b; return x; }}", "f")


@pytest.mark.parametrize("decl,defn", [
    ("unsigned h();", "unsigned h(int n, short z) { return n + z; }"),     # short: changed by promotion
    ("int h();", "int h(_Bool b) { return b; }"),
    ("int h();", "unsigned h(int z) { return z; }"),                     # another result type
])
def test_c_declarations_without_parameter_types_must_match_the_definition(decl, defn):
    """gcc rejects these programs ("conflicting types"); Quod gave them a meaning."""
    with pytest.raises(ProgramError, match="conflicting types for h") as ei:
        parse_c(f"{decl}\nint f(int x) {{ return x; }}\n{defn}\n", "f")
    assert ei.value.line == 1


def test_c_a_declaration_without_parameter_types_of_int_parameters_is_fine():
    src = "int h();\nint f(int x) { return h(x, 1L); }\nint h(int z, long y) { return z + y; }\n"
    assert c_run(src, x=4) == 5


@pytest.mark.parametrize("decl", ["enum { A = 3, B };", "struct s { int a; };", "union u { int a; long b; };"])
def test_c_a_type_declared_in_a_block_is_refused_not_a_crash(decl):
    """`enum { A = 3, B };` in a function body made a variable without a name (a KernelError)."""
    with pytest.raises(ProgramError, match="unsupported declaration of an? (enum|struct|union) type in a block") as ei:
        parse_c(f"int f(int x) {{\n  {decl}\n  return x;\n}}\n", "f")
    assert ei.value.line == 2


HALF = "def half(x):\n    if x > 0:\n        return 1\n\n"      # None when x <= 0


@pytest.mark.parametrize("body", [
    "y = half(x)\n    return 5",                 # CPython: 5
    "return half(x)",                            # None
    "if half(x):\n        return 1\n    return 2",  # 2 (None is false)
    "return half(x) == 1",                       # False
    "return half(x) or 3",                       # 3
    "return half(x) if x else 0",                # None
    "return abs(half(x) == 1) + half(x) == 2 < half(x)",    # == does not raise, and 2 < ... is not reached
])
def test_python_a_value_that_may_be_none_is_refused_where_cpython_goes_on_with_it(body):
    """Quod asserted that half returned a value wherever its value is used, so `y = half(x); return 5`
    was said to fail for x <= 0 (eval: "fails") where CPython returns 5."""
    with pytest.raises(ProgramError, match="the value of half\\(...\\) is used where CPython would go on with None"):
        parse_python(HALF + f"def f(x):\n    {body}\n", "f")


@pytest.mark.parametrize("body", ["return half(x) + 1", "return -half(x)", "return half(x) < 3",
                                  "return abs(half(x))", "return min(half(x), 2)",
                                  "s = 0\n    for i in range(half(x)):\n        s += 1\n    return s",
                                  "y = 1\n    y += half(x)\n    return y"])
def test_python_a_value_that_may_be_none_is_checked_where_none_raises(body):
    """There CPython raises TypeError for None: the check (an assert) is exactly that."""
    src = HALF + f"def f(x):\n    {body}\n"
    namespace: dict = {}
    exec(src, namespace)
    prog = parse_python(src, "f")
    with pytest.raises(TypeError):
        namespace["f"](-1)
    with pytest.raises(AssertionFailed):
        run(Environment(), prog.body, {"x": -1}, 100_000)
    assert run(Environment(), prog.body, {"x": 1}, 100_000).get("ret") == int(namespace["f"](1))


@pytest.mark.parametrize("src", [
    "def f(a):\n    if a > 0:\n        pass\n    else:\n        y = 1\n    return a + y\n",
    "def f(a):\n    if 1:\n        pass\n    else:\n        y -= 0\n    a //= y\n    return a\n",
])
def test_python_a_local_assigned_only_in_the_else_branch_may_be_unbound_after_the_if(src):
    """The else branch's assignments counted as done on both paths (the then branch's copy of the
    definitely-assigned set was the one the else branch added to), so `return a + y` read y unchecked
    where CPython raises UnboundLocalError."""
    namespace: dict = {}
    exec(src, namespace)
    with pytest.raises(UnboundLocalError):
        namespace["f"](1)
    with pytest.raises(AssertionFailed):
        run(Environment(), parse_python(src, "f").body, {"a": 1}, 100_000)
