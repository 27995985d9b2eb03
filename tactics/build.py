"""From Lark parse trees to the syntax of ``syntax.py`` (non-recursively, so deep input is fine)."""

from __future__ import annotations

import re

from lark import Token, Transformer_NonRecursive, v_args

from .syntax import AxiomDecl, Binder, Command, DefDecl, Import, Pos, SExpr, Tactic, TheoremDecl

_CMP = {"=": "eq", "!=": "ne", "≠": "ne", "<": "lt", "<=": "le", "≤": "le", ">": "gt", ">=": "ge", "≥": "ge"}
_BIN = {"+": "add", "-": "sub", "*": "mul", "/": "div", "%": "mod"}


# Python converts at most 4,300 digits between text and int (sys.get_int_max_str_digits)
MAX_LITERAL_DIGITS = 4000

class Build(Transformer_NonRecursive):
    def __init__(self, file: str, line: int, col: int, text: str):
        super().__init__()
        self.file, self.line, self.col, self.text = file, line, col, text
        self.lazy_blocks = False        # theorems' tactic blocks as LazyBlock (parse_item's lazy)

    # -- positions -----------------------------------------------------------------
    def pos(self, tok) -> Pos:
        if isinstance(tok, Token) and tok.line is not None:
            ln = tok.line
            return Pos(self.file, self.line + ln - 1, tok.column + (self.col - 1 if ln == 1 else 0))
        p = getattr(tok, "pos", None)
        return p if p is not None else Pos(self.file, self.line, self.col)

    def first_pos(self, children) -> Pos:
        for c in children:
            if isinstance(c, Token) or getattr(c, "pos", None) is not None:
                return self.pos(c)
            if isinstance(c, list) and c:
                return self.first_pos(c)
        return Pos(self.file, self.line, self.col)

    def e(self, kind, args, data, children):
        return SExpr(kind, tuple(args), data, self.first_pos(children))

    # -- expressions ---------------------------------------------------------------
    def literal(self, c):
        if len(c[0]) > MAX_LITERAL_DIGITS:
            from .syntax import QuodError
            raise QuodError(self.pos(c[0]), f"this number has {len(c[0]):,} digits; at most "
                                            f"{MAX_LITERAL_DIGITS:,} are supported")
        return SExpr("lit", (), int(c[0]), self.pos(c[0]))

    def name(self, c):
        return SExpr("name", (), str(c[0]), self.pos(c[0]))

    @v_args(meta=True)
    def true_(self, meta, c):
        return SExpr("true", (), None, self.meta_pos(meta))

    @v_args(meta=True)
    def false_(self, meta, c):
        return SExpr("false", (), None, self.meta_pos(meta))

    @v_args(meta=True)
    def hole(self, meta, c):
        return SExpr("hole", (), None, self.meta_pos(meta))

    def call(self, c):
        return SExpr("call", tuple(x for x in c[1:] if x is not None), str(c[0]), self.pos(c[0]))

    def ite(self, c):
        return self.e("ite", c, None, c)

    def negate(self, c):
        return SExpr("neg", (c[1],), None, self.pos(c[0]))

    def binop(self, c):
        return SExpr(_BIN[str(c[1])], (c[0], c[2]), None, self.pos(c[1]))

    def cmp(self, c):
        return SExpr(_CMP[str(c[1])], (c[0], c[2]), None, self.pos(c[1]))

    def divides(self, c):
        return SExpr("dvd", (c[0], c[2]), None, self.pos(c[1]))

    def not_(self, c):
        return SExpr("not", (c[1],), None, self.pos(c[0]))

    def conj(self, c):
        return SExpr("and", (c[0], c[2]), None, self.pos(c[1]))

    def disj(self, c):
        return SExpr("or", (c[0], c[2]), None, self.pos(c[1]))

    def imp(self, c):
        return SExpr("imp", (c[0], c[2]), None, self.pos(c[1]))

    def iff(self, c):
        return SExpr("iff", (c[0], c[2]), None, self.pos(c[1]))

    def qbinders(self, c):
        names = [str(t) for t in c if isinstance(t, Token)]
        types = [t for t in c if not isinstance(t, Token)]
        return (names, types[0] if types else "int")

    def q_int(self, c):
        return "int"

    def q_u32(self, c):
        return "u32"

    def q_i32(self, c):
        return "i32"

    def q_i64(self, c):
        return "i64"

    def quant(self, c):
        kind = "forall" if str(c[0]) in ("forall", "∀") else "exists"
        names, ty = c[1]
        if ty == "int":
            return SExpr(kind, (c[2],), tuple(names), self.pos(c[0]))
        return SExpr(kind + "_typed", (c[2],), (tuple(names), ty), self.pos(c[0]))

    def terminates_(self, c):
        return SExpr("terminates", tuple(c[1:]), str(c[0]), self.pos(c[0]))

    def diverges_(self, c):
        return SExpr("diverges", (c[1],), str(c[0]), self.pos(c[0]))

    def hoare_(self, c):
        return SExpr("hoare", (c[0], c[2]), str(c[1]), self.pos(c[1]))

    def total_(self, c):
        return SExpr("total", (c[0], c[2]), str(c[1]), self.pos(c[1]))

    # -- declarations ----------------------------------------------------------------
    def item(self, c):
        return c[0]

    def import_decl(self, c):
        return Import(str(c[0]), self.pos(c[0]))

    def attributes(self, c):
        return ("attrs", [str(t) for t in c])

    def sort_int(self, c):
        return "int"

    def sort_prop(self, c):
        return "Prop"

    def type_int(self, c):
        return "int"

    def type_formula(self, c):
        return c[0]

    def binder(self, c):
        return Binder([str(t) for t in c[:-1]], c[-1], self.pos(c[0]))

    def decreasing(self, c):
        return ("decreasing", c[0])

    def _split_attrs(self, c):
        attrs = []
        if c and isinstance(c[0], tuple) and c[0][0] == "attrs":
            attrs, c = c[0][1], c[1:]
        return attrs, c

    def def_decl(self, c):
        attrs, c = self._split_attrs(c)
        dec = None
        if c and isinstance(c[-1], tuple) and c[-1][0] == "decreasing":
            dec, c = c[-1][1], c[:-1]
        name, binders, sort, body = c[0], c[1:-2], c[-2], c[-1]
        return DefDecl(str(name), list(binders), sort, body, dec, attrs, self.pos(name))

    def theorem_decl(self, c):
        attrs, c = self._split_attrs(c)
        kw, name, binders, stmt, tail = c[0], c[1], c[2:-2], c[-2], c[-1]
        p = self.pos(tail)
        text = str(tail)
        if self.lazy_blocks:
            # the block is read only if its tactics run (a proof from the cache needs none)
            from .syntax import LazyBlock
            lazy = LazyBlock(lambda: self._theorem_block(tail, p, text))
            return TheoremDecl(str(name), list(binders), stmt, lazy, attrs, self.pos(name), str(kw))
        block = self._theorem_block(tail, p, text)
        return TheoremDecl(str(name), list(binders), stmt, block, attrs, self.pos(name), str(kw))

    def _theorem_block(self, tail, p, text):
        from .parser import parse_block
        if tail.type == "PROOF_BLOCK":
            body = text[len("proof"):]
            body = body[: body.rstrip().rfind("qed")] if body.rstrip().endswith("qed") else body
            if not text.rstrip().endswith("qed"):
                from .syntax import Pos, QuodError
                # where the qed is missing: just after the proof's last step
                lines = text.rstrip().split("\n")
                at = Pos(self.file, p.line + len(lines) - 1, (p.col if len(lines) == 1 else 1) + len(lines[-1]))
                raise QuodError(at, f"missing 'qed': the proof opened at line {p.line} ends here, with no "
                                    "'qed' (a declaration in column 1 or the end of the file follows); add 'qed' "
                                    "after the last step")
            block = parse_block(body, self.file, p.line, p.col + len("proof"))
        else:
            k = text.index("by") + 2
            pre = text[:k]
            lines = pre.count("\n")
            col = (p.col + k) if lines == 0 else (k - pre.rfind("\n"))
            block = parse_block(text[k:], self.file, p.line + lines, col)
        return block

    def axiom_decl(self, c):
        return AxiomDecl(str(c[0]), list(c[1:-1]), c[-1], self.pos(c[0]))

    # A command's position is its keyword's (``check`` at column 1), where its output is reported.
    @v_args(meta=True)
    def print_axioms(self, meta, c):
        return Command("print_axioms", str(c[0]), self.meta_pos(meta))

    @v_args(meta=True)
    def check_cmd(self, meta, c):
        return Command("check", c[0], self.meta_pos(meta))

    @v_args(meta=True)
    def eval_cmd(self, meta, c):
        return Command("eval", c[0], self.meta_pos(meta))

    @v_args(meta=True)
    def search_cmd(self, meta, c):
        return Command("search", c[0], self.meta_pos(meta))

    # -- tactics ---------------------------------------------------------------------
    def tactic_seq(self, c):
        return list(c)

    def meta_pos(self, meta) -> Pos:
        if getattr(meta, "empty", True):
            return Pos(self.file, self.line, self.col)
        ln = meta.line
        return Pos(self.file, self.line + ln - 1, meta.column + (self.col - 1 if ln == 1 else 0))

    def sub_pos(self, tok, k: int) -> Pos:
        """Position of character ``k`` of token ``tok``."""
        p = self.pos(tok)
        pre = str(tok)[:k]
        if "\n" not in pre:
            return Pos(p.file, p.line, p.col + k)
        return Pos(p.file, p.line + pre.count("\n"), k - pre.rfind("\n"))

    def __default__(self, data, children, meta):
        # Every atomic tactic: its name is the rule name; its position is its keyword's.
        return Tactic(str(data).rstrip("_"), tuple(children), self.meta_pos(meta))

    @v_args(meta=True)
    def have(self, meta, children):
        from .parser import parse_block
        name, stmt = str(children[0]), children[1]
        block = None
        if len(children) > 2:
            tail = children[2]
            k = str(tail).index("by") + 2
            p = self.sub_pos(tail, k)
            block = parse_block(str(tail)[k:], self.file, p.line, p.col)
        return Tactic("have", (name, stmt, block), self.meta_pos(meta))

    @v_args(meta=True)
    def calc(self, meta, children):
        from .parser import parse_block, parse_expr
        from .syntax import QuodError
        tail = children[0]
        text = str(tail)
        starts = [0] + [m.start() + len(m.group(0)) - 1 for m in re.finditer(r"\n[ \t]*_", text)]
        steps = []
        for i, a in enumerate(starts):
            b = starts[i + 1] if i + 1 < len(starts) else len(text)
            seg = text[a:b]
            k = seg.find(":=")
            if k < 0:
                raise QuodError(self.sub_pos(tail, a), "a calc step needs ':= by ...' after its relation")
            p = self.sub_pos(tail, a)
            rel = parse_expr(seg[:k], self.file, p.line, p.col)
            rest = seg[k + 2:]
            m = re.match(r"[ \t\n]*by\b", rest)
            if not m:
                raise QuodError(self.sub_pos(tail, a + k), "a calc step is proved with ':= by TACTICS'")
            bp = self.sub_pos(tail, a + k + 2 + m.end())
            steps.append((rel, parse_block(rest[m.end():], self.file, bp.line, bp.col)))
        return Tactic("calc", tuple(steps), self.meta_pos(meta))

    def atomic(self, c):
        return c[0]

    def then_all(self, c):
        return Tactic("then_all", (c[0], c[1]), c[0].pos)

    # Combinators are positioned at their own keyword or bracket, not at the tactic inside.
    @v_args(meta=True)
    def try_(self, meta, c):
        return Tactic("try", (c[0],), self.meta_pos(meta))

    @v_args(meta=True)
    def repeat_(self, meta, c):
        return Tactic("repeat", (c[0],), self.meta_pos(meta))

    @v_args(meta=True)
    def first_(self, meta, c):
        return Tactic("first", tuple(c), self.meta_pos(meta))

    @v_args(meta=True)
    def all_goals(self, meta, c):
        return Tactic("all_goals", (c[0],), self.meta_pos(meta))

    @v_args(meta=True)
    def focus(self, meta, c):
        return Tactic("focus", (c[0],), self.meta_pos(meta))

    @v_args(meta=True)
    def group(self, meta, c):
        return Tactic("group", (c[0],), self.meta_pos(meta))

    def smt_option(self, c):
        return ("option", str(c[0]), int(c[1]))

    def rw_rule(self, c):
        rev = len(c) == 2
        return ("rw", rev, c[-1])
