"""A Pygments lexer for .proof files, for the REPL and for any tool that highlights code.

Registered as the entry point ``quod`` under ``pygments.lexers``, so
``pygmentize -l quod file.proof`` works once Quod is installed.
"""

from pygments.lexer import RegexLexer, bygroups, words
from pygments.token import Comment, Keyword, Name, Number, Operator, Punctuation, String, Text

TACTICS = ("intro", "intros", "apply", "exact", "assumption", "split", "constructor", "left", "right", "exists",
           "cases", "induction", "strong_induction", "rewrite", "rw", "unfold", "simp", "have", "show", "calc",
           "by_contra", "contradiction", "exfalso", "ring", "linarith", "nlinarith", "norm_num", "sorry", "trivial",
           "reflexivity", "specialize", "smt", "hammer", "try", "repeat", "first", "all_goals", "skip", "done",
           "vcgen", "termination", "recurrent", "invariant")
DECLS = ("theorem", "lemma", "def", "axiom", "import", "proof", "qed", "by", "decreasing", "print", "axioms",
         "check", "eval", "search", "at", "from", "with", "program", "terminates", "diverges", "function",
         "python")
LOGIC = ("forall", "exists", "and", "or", "not", "if", "then", "else", "true", "false", "int", "Prop")


class ProofLexer(RegexLexer):
    name = "Quod"
    aliases = ["quod", "proof"]
    filenames = ["*.proof"]

    tokens = {
        "root": [
            (r"--.*$", Comment.Single),
            (r"/-", Comment.Multiline, "comment"),
            (r'"""', String, "source"),
            (r'"[^"\n]*"', String),
            (r"(theorem|lemma|def|axiom|program)(\s+)([A-Za-z_][\w']*)",
             bygroups(Keyword.Declaration, Text, Name.Function)),
            (words(DECLS, suffix=r"\b"), Keyword.Declaration),
            (words(TACTICS, suffix=r"\b"), Keyword),
            (words(LOGIC, suffix=r"\b"), Keyword.Type),
            (r"[∀∃¬∧∨→↔≠≤≥⊢←]", Operator),
            (r"·", Punctuation),
            (r"<->|->|<=|>=|!=|/\\|\\/|:=|&&|\|\||[+\-*/%=<>|~!]", Operator),
            (r"\d+", Number.Integer),
            (r"[A-Za-z_][\w']*", Name),
            (r"[()\[\]{},.:;@]", Punctuation),
            (r"\s+", Text),
        ],
        "source": [
            (r'"""', String, "#pop"),
            (r'[^"]+|"', String),
        ],
        "comment": [
            (r"[^/-]+", Comment.Multiline),
            (r"/-", Comment.Multiline, "#push"),
            (r"-/", Comment.Multiline, "#pop"),
            (r"[/-]", Comment.Multiline),
        ],
    }
