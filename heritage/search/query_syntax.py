"""What the search box reads: the rules a query keeps, each a regular expression over the whole query.

The same expressions decide twice: `check_syntax` refuses a query that breaks one (a 400 that names the
rule), and the API's OpenAPI document gives their conjunction as the `pattern` of `q`, so that the document
states exactly which queries the API reads (schemathesis holds the two to each other). A query that keeps
them is one Whoosh's parser reads; one that does not would have been refused by it, or broken it.

Only constructs that ECMAScript and Python read alike: lookaheads, classes, `\\s`, `\\w`, bounded repeats.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_WORDS = 64  # words read from one query (each searches eight fields)
MAX_DEPTH = 8  # brackets within brackets
END = r"(?![\s\S])"  # the end of the query (`$` would also match before a final newline in Python)
_OPERATOR = r"(?:NOT|NIET|AND|EN|OR|OF|ANDNOT|ANDMAYBE)"
_INFIX = r"(?:AND|EN|OR|OF|ANDNOT|ANDMAYBE)"
# Around operators a colon counts as a space: the parser reads `word:` as punctuation unless `word` is a field.
_GAP = r"[\s:]"
_ENDS_WORD = rf"(?:[\s():]|{END})"
_NOTHING_AFTER = rf"{_GAP}+(?:{_OPERATOR}{_ENDS_WORD}|\)|{END})"  # another operator, a closing bracket, the end
_NO_OPERAND_AFTER = rf"{_GAP}+(?:{_INFIX}{_ENDS_WORD}|\)|{END})"  # the same, but NOT may follow AND, OR, ...


def _brackets(depth: int) -> str:
    """Text whose brackets pair up, nested at most `depth` deep."""
    inner = r"[^()]*"
    for _ in range(depth):
        inner = rf"[^()]*(?:\({inner}\)[^()]*)*"
    return inner


@dataclass(frozen=True)
class Rule:
    """One rule: a lookahead that holds at the start of every query that keeps it, and what breaking it means."""

    pattern: str
    message: str

    def kept_by(self, text: str) -> bool:
        return re.match(self.pattern, text) is not None


BRACKETS = Rule(rf"(?={_brackets(MAX_DEPTH)}{END})", f"the query nests brackets more than {MAX_DEPTH} deep")
RULES: tuple[Rule, ...] = (
    Rule(rf'(?=[^"]*(?:"[^"]*"[^"]*)*{END})', 'the query has an opening quote (") without a closing one'),
    BRACKETS,
    Rule(
        rf"(?![\s\S]*(?:^|[\s():])(?:NOT|NIET){_NOTHING_AFTER})",
        "the query has NOT (NIET) without a word after it to leave out, such as NOT brief",
    ),
    Rule(
        rf"(?![\s\S]*{_GAP}{_INFIX}{_NO_OPERAND_AFTER})",
        "the query has AND, OR, ANDNOT or ANDMAYBE without a word after it, such as raad OR senaat",
    ),
    Rule(
        rf"(?!{_GAP}*\(?{_GAP}+{_INFIX}{_GAP}|[\s\S]*\({_GAP}+{_INFIX}{_GAP})",
        "the query has AND, OR, ANDNOT or ANDMAYBE without a word before it, such as raad ANDNOT brief",
    ),
    Rule(
        rf"(?=\W*(?:\w+\W+){{0,{MAX_WORDS - 1}}}\w*{END})",
        f"the query has more than {MAX_WORDS} words; at most {MAX_WORDS} are read",
    ),
)

# Every rule at once, for the OpenAPI document; no NUL byte, which no parameter may hold.
PATTERN = "^" + "".join(rule.pattern for rule in RULES) + r"[^\u0000]*" + END


def broken_rule(text: str) -> Rule | None:
    """The first rule `text` breaks, or None (its length is checked apart: `MAX_QUERY_LENGTH`)."""
    return next((rule for rule in RULES if not rule.kept_by(text)), None)
