"""``#if`` arithmetic as gcc does it, for pcpp (whose own evaluator differs): 64-bit integers,
unsigned where C says so, signed ``char``, truncating ``/``."""

from __future__ import annotations

import re

from .c_text import c_tokens

_M64 = 1 << 64
_IMAX = (1 << 63) - 1
_ESC = {"n": 10, "t": 9, "v": 11, "b": 8, "r": 13, "f": 12, "a": 7, "\\": 92, "'": 39, '"': 34, "?": 63, "e": 27,
        "E": 27}
_NUMBER = re.compile(r"(0[xX][0-9a-fA-F]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)(?:[uU](?:ll|LL|[lL])?|(?:ll|LL|[lL])[uU]?)?")


class IfError(Exception):
    pass


def _wrap(v: int, unsigned: bool) -> tuple[int, bool]:
    v %= _M64
    return (v, True) if unsigned else (v - _M64 if v > _IMAX else v, False)


def _char_value(tok: str) -> tuple[int, bool]:
    m = re.fullmatch(r"([LuU]?)'(.*)'", tok, re.S)
    if not m:
        raise IfError(f"bad character constant {tok}")
    prefix, body = m.groups()
    codes, i = [], 0
    while i < len(body):
        c = body[i]
        if c != "\\":
            codes.append(ord(c))
            i += 1
            continue
        i += 1
        c = body[i:i + 1]
        if c in _ESC:
            codes.append(_ESC[c])
            i += 1
        elif c and c in "01234567":
            j = i
            while j < len(body) and j < i + 3 and body[j] in "01234567":
                j += 1
            codes.append(int(body[i:j], 8))
            i = j
        elif c == "x" and re.match(r"[0-9a-fA-F]", body[i + 1:i + 2]):
            j = i + 1
            while j < len(body) and body[j] in "0123456789abcdefABCDEF":
                j += 1
            codes.append(int(body[i + 1:j], 16))
            i = j
        else:
            raise IfError(f"unsupported escape in {tok}")
    if len(codes) != 1:
        raise IfError(f"unsupported: multi-character constant {tok} in #if")
    v = codes[0]
    if prefix == "":
        if v > 0xFF:
            raise IfError(f"unsupported: character constant {tok} in #if")
        return (v - 256 if v > 127 else v), False        # plain char is signed
    if v >= {"L": 1 << 31, "u": 1 << 16, "U": 1 << 32}[prefix]:
        raise IfError(f"unsupported: character constant {tok} in #if")
    return v, prefix != "L"


class _IfParser:
    """A #if expression after macro expansion (C17 6.10.1): intmax_t / uintmax_t arithmetic as gcc
    does it (64 bits, wrapping), && || ?: evaluating only what C evaluates, identifiers as 0."""

    def __init__(self, toks: list[str]):
        self.toks, self.i = toks, 0

    def peek(self) -> str | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self, want: str | None = None) -> str:
        t = self.peek()
        if t is None or want is not None and t != want:
            raise IfError(f"expected {want or 'more'} in #if, found {t or 'the end'}")
        self.i += 1
        return t

    def run(self) -> int:
        v = self.comma(True)
        if self.peek() is not None:
            raise IfError(f"missing binary operator before {self.peek()} in #if")
        return v[0]

    def comma(self, live):
        v = self.cond(live)
        while self.peek() == ",":
            self.take()
            v = self.cond(live)
        return v

    def cond(self, live):
        c = self.binary(0, live)
        if self.peek() != "?":
            return c
        self.take()
        a = self.comma(live and c[0] != 0)
        self.take(":")
        b = self.cond(live and c[0] == 0)
        unsigned = a[1] or b[1]
        return _wrap(a[0] if c[0] else b[0], unsigned)

    _LEVELS = [("||",), ("&&",), ("|",), ("^",), ("&",), ("==", "!="), ("<", ">", "<=", ">="), ("<<", ">>"),
               ("+", "-"), ("*", "/", "%")]

    def binary(self, level, live):
        if level == len(self._LEVELS):
            return self.unary(live)
        a = self.binary(level + 1, live)
        while self.peek() in self._LEVELS[level]:
            op = self.take()
            if op in ("&&", "||"):
                right_live = live and (a[0] != 0 if op == "&&" else a[0] == 0)
                b = self.binary(level + 1, right_live)
                a = (int(a[0] != 0 and b[0] != 0) if op == "&&" else int(a[0] != 0 or b[0] != 0)), False
            else:
                a = self.apply(op, a, self.binary(level + 1, live), live)
        return a

    def apply(self, op, a, b, live):
        if op in ("<<", ">>"):
            if live and not 0 <= b[0] < 64:
                raise IfError(f"unsupported: shift by {b[0]} in #if")
            n = b[0] if 0 <= b[0] < 64 else 0
            return _wrap(a[0] << n if op == "<<" else a[0] >> n, a[1])
        unsigned = a[1] or b[1]
        x, y = (a[0] % _M64, b[0] % _M64) if unsigned else (a[0], b[0])
        if op in ("==", "!=", "<", ">", "<=", ">="):
            return int({"==": x == y, "!=": x != y, "<": x < y, ">": x > y, "<=": x <= y, ">=": x >= y}[op]), False
        if op in ("/", "%"):
            if y == 0:
                if live:
                    raise IfError("division by zero in #if")
                return 0, unsigned
            q = abs(x) // abs(y) * (1 if (x < 0) == (y < 0) else -1)
            return _wrap(q if op == "/" else x - y * q, unsigned)
        r = {"+": x + y, "-": x - y, "*": x * y, "&": x & y, "|": x | y, "^": x ^ y}[op]
        return _wrap(r, unsigned)

    def unary(self, live):
        t = self.peek()
        if t in ("+", "-", "~", "!"):
            self.take()
            v, u = self.unary(live)
            if t == "!":
                return int(v == 0), False
            return _wrap({"+": v, "-": -v, "~": ~v}[t], u)
        if t == "(":
            self.take()
            v = self.comma(live)
            self.take(")")
            return v
        t = self.take()
        if re.fullmatch(r"[LuU]?'.*'", t, re.S):
            return _char_value(t)
        if t[0].isdigit():
            m = _NUMBER.fullmatch(t)
            if not m:
                raise IfError(f"unsupported number {t} in #if")
            digits = m.group(1)
            base = 16 if digits[:2] in ("0x", "0X") else 2 if digits[:2] in ("0b", "0B") else\
                8 if digits.startswith("0") else 10
            v = int(digits[2:] if base in (16, 2) else digits, base)
            if v >= _M64:
                raise IfError(f"integer constant {t} is too large")
            return v, "u" in t[len(digits):].lower() or v > _IMAX
        if re.fullmatch(r"[^\W\d][\w$]*|\$[\w$]*", t):
            if self.peek() == "(":
                raise IfError(f"unsupported: {t}(...) in #if (only GNU cpp evaluates it as gcc does)")
            return 0, False          # an identifier that is not a macro
        raise IfError(f"unexpected {t} in #if")


class _IfResult:
    def __init__(self, value: int):
        self._value = value

    def value(self) -> int:
        return self._value


def evaluate_if(tokens, functions=None, identifiers=None) -> _IfResult:
    """pcpp's evaluator interface: its tokens (macros expanded, defined X replaced by 1L / 0L)."""
    text = "".join(t.value for t in tokens)
    return _IfResult(_IfParser([t for t, _ in c_tokens(text) if t != "\n"]).run())
