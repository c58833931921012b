"""Reading what a researcher types: one box, fielded search, boolean operators in Dutch and English,
phrases, prefixes, fuzzy terms; and marking the words that matched in a snippet.

Syntax (Whoosh's, with our field names): `reglement studenten` (both words), `leuven OR louvain`
(`OF`), `NOT brief` (`NIET`), `"academische raad"` (phrase), `regl*` (prefix), `vesalius~` (fuzzy, one
edit; `~2` two), `title:fabrica`, `creator:vesalius`, `subject:anatomie`, `place:leuven`,
`identifier:BC-VES-1543`, `text:woodcuts` (the pages' full text only, as written and by its stems; see
`fulltext`) (Dutch names too: `titel:`, `maker:`, `onderwerp:`, `plaats:`, `tekst:`).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any

from whoosh import qparser
from whoosh.qparser import syntax
from whoosh.query import And, Every, MultiTerm, NullQuery, Or, Phrase, Query, Term
from whoosh.support.charset import accent_map

from heritage.errors import BadRequest
from heritage.search import MAX_QUERY_LENGTH
from heritage.search.analyzers import folded, stemmed
from heritage.search.query_syntax import BRACKETS, MAX_WORDS, broken_rule
from heritage.search.schema import DEFAULT_FIELDS, FIELD_ALIASES, TEXT_STEMS
from heritage.search.scripts import forms, has_cjk, prepare

MAX_CLAUSES = 64
LINK_SEPARATOR = "\x1e"
FIELDED = re.compile(r"(?:^|[\s(])([A-Za-z_]+):")


def check_syntax(text: str) -> None:
    """Raises: BadRequest: the query is too long, or breaks a rule of `query_syntax` (quotes and brackets that
    do not pair up, an operator without its words, too many words): the message names which."""
    if len(text) > MAX_QUERY_LENGTH:
        raise BadRequest(f"the query is {len(text)} characters long; at most {MAX_QUERY_LENGTH} are read")
    broken = broken_rule(text)
    if broken is None:
        return
    if broken is BRACKETS:  # say which side is missing, when one is
        depth = 0
        for char in text:
            depth += {"(": 1, ")": -1}.get(char, 0)
            if depth < 0:
                raise BadRequest("the query closes a bracket ')' that was not opened")
        if depth:
            raise BadRequest("the query opens a bracket '(' that is not closed")
    raise BadRequest(broken.message)


STEMMED_FIELDS = frozenset({"text_nl", "text_en", *TEXT_STEMS})


def _exact_phrase(fieldname: str, words: list[str], **kwargs: Any) -> Query:
    """A phrase means these words in this order: it is not looked for among stems (where stop words are
    gone, so that "de raad" would become the one word "raad")."""
    if fieldname in STEMMED_FIELDS:
        return Or([])
    if any(has_cjk(w) for w in words):  # the bigrams of a CJK run share its position: all of them, in any order
        return And([Term(fieldname, w, boost=kwargs.get("boost", 1.0)) for w in words])
    return Phrase(fieldname, words, **kwargs)


class Parser(qparser.QueryParser):
    """Whoosh's parser, except that one typed word whose analysis gives several terms asks for them as
    the analyzer grouped them: alternative forms of one word (an umlaut's plain and digraph forms) are
    ORed, separate words (CJK bigrams) ANDed (see `scripts.ScriptFilter`)."""

    def term_query(
        self,
        fieldname: str,
        text: str,
        termclass: Any,
        boost: float = 1.0,
        tokenize: bool = True,
        removestops: bool = True,
    ) -> Any:
        if fieldname == "fulltext" and termclass is Term and tokenize and self.schema and "fulltext_nl" in self.schema:
            # a word of the pages is looked for as written and by its Dutch and English stems
            found = [
                self._term_query(name, text, termclass, boost * weight, tokenize, removestops)
                for name, weight in {"fulltext": 1.0, **TEXT_STEMS}.items()
            ]
            found = [q for q in found if q is not None]
            return Or(found) if len(found) > 1 else (found[0] if found else None)
        return self._term_query(fieldname, text, termclass, boost, tokenize, removestops)

    def _term_query(
        self,
        fieldname: str,
        text: str,
        termclass: Any,
        boost: float = 1.0,
        tokenize: bool = True,
        removestops: bool = True,
    ) -> Any:
        field = self.schema[fieldname] if self.schema and fieldname in self.schema else None
        if field is None or termclass is not Term or field.self_parsing() or not tokenize:
            return super().term_query(fieldname, text, termclass, boost, tokenize, removestops)
        groups: list[list[str]] = []
        for token in field.tokenize(text, mode="query", removestops=removestops, variants=True):
            if getattr(token, "variant", False) and groups:
                groups[-1].append(token.text)
            else:
                groups.append([token.text])
        queries = [
            Term(fieldname, g[0], boost=boost) if len(g) == 1 else Or([Term(fieldname, w, boost=boost) for w in g])
            for g in (list(dict.fromkeys(g)) for g in groups)
        ]
        if not queries:
            return None
        return queries[0] if len(queries) == 1 else self.group.qclass(queries)


def make_parser(schema: Any) -> qparser.QueryParser:
    parser = Parser(None, schema, group=qparser.AndGroup)
    parser.add_plugin(qparser.MultifieldPlugin(list(DEFAULT_FIELDS), fieldboosts=DEFAULT_FIELDS))
    parser.add_plugin(qparser.FuzzyTermPlugin())
    aliases: dict[str, list[str]] = {}
    for alias, fieldname in FIELD_ALIASES.items():
        if alias != fieldname:
            aliases.setdefault(fieldname, []).append(alias)
    parser.add_plugin(qparser.FieldAliasPlugin(aliases))
    parser.phraseclass = _exact_phrase
    parser.replace_plugin(
        qparser.OperatorsPlugin(
            And=r"(?<=\s)(AND|EN)(?=\s)",
            Or=r"(?<=\s)(OR|OF)(?=\s)",
            AndNot=r"(?<=\s)ANDNOT(?=\s)",
            AndMaybe=r"(?<=\s)ANDMAYBE(?=\s)",
            Not=r"(^|(?<=(\s|[()])))(NOT|NIET)(?=\s)",
        )
    )
    return parser


def _fieldnames(text: str) -> str:
    """Known field names lowercased; a colon after any other word is read as punctuation ("Leuven: plan")."""

    def fix(m: re.Match[str]) -> str:
        name = m.group(1)
        if name.lower() in FIELD_ALIASES:
            return m.group(0).replace(name, name.lower())
        return m.group(0)[:-1] + " "

    return FIELDED.sub(fix, text)


_OPERATOR_WORDS = frozenset({"AND", "EN", "OR", "OF", "NOT", "NIET", "ANDNOT", "ANDMAYBE", "TO"})


def plain_words(text: str) -> str:
    """The words of a query as plain words: no quotes, brackets, fields or operators, at most `MAX_WORDS` of
    them (a query of operators alone searches them as the words they are, in lower case). What a query the
    syntax cannot read (`"abc`, `(a b`, `x OR OR y`, `title:`) is searched as, instead of an error."""
    words = re.findall(r"\w+", text)
    content = [w for w in words if w not in _OPERATOR_WORDS] or [w.lower() for w in words]
    return " ".join(content[:MAX_WORDS])


def query_words(text: str) -> list[str]:
    """The words a reader typed, without field names, operators or the words after NOT: what a page viewer
    marks on the page a result opens on (`highlight=`)."""
    text = re.sub(r"(?:^|(?<=[\s(]))(?:NOT|NIET)\s+(?:\"[^\"]*\"|\S+)", " ", text)
    text = FIELDED.sub(
        lambda m: m.group(0)[: -len(m.group(1)) - 1] if m.group(1).lower() in FIELD_ALIASES else m.group(0), text
    )
    words = [w for w in re.findall(r"\w+", text) if w not in _OPERATOR_WORDS]
    return list(dict.fromkeys(words))[:MAX_WORDS]


def _strict(text: str, schema: Any) -> Query:
    """Raises: BadRequest: see `check_syntax` and `check_operators`, or the query has too many terms."""
    check_syntax(text)
    parser = make_parser(schema)
    nodes = parser.process(_fieldnames(text))
    check_operators(nodes)
    query = (nodes.query(parser) or NullQuery).normalize()
    if sum(1 for _ in query.leaves()) > MAX_CLAUSES * len(DEFAULT_FIELDS):
        raise BadRequest(f"the query has too many terms; at most {MAX_CLAUSES} words are read")
    return query


def read(text: str, schema: Any) -> tuple[str, Query]:
    """What a query is searched as, and its Whoosh query: itself when its syntax can be read, else its plain
    words (fewer of them when so many would make too many terms); ("", NullQuery) when it has none."""
    try:
        return text, _strict(text, schema)
    except BadRequest:
        words = plain_words(text).split()
    while words:
        try:
            return " ".join(words), _strict(" ".join(words), schema)
        except BadRequest:
            words = words[: len(words) // 2]
    return "", NullQuery


def parse(text: str, schema: Any, reader: Any | None = None) -> Query:
    """The Whoosh query for `text`; with a reader, place words expand to linked places. A query that keeps
    the rules of `query_syntax` is read with its syntax; any other is searched as its plain words.

    Raises:
        BadRequest: the query is longer than `MAX_QUERY_LENGTH` (nothing else is refused).
    """
    if len(text) > MAX_QUERY_LENGTH:
        raise BadRequest(f"the query is {len(text)} characters long; at most {MAX_QUERY_LENGTH} are read")
    if not text.strip():
        return Every()
    _searched, query = read(text, schema)
    if reader is not None:
        query = expand_places(query, reader)
    return query


def check_operators(node: syntax.SyntaxNode) -> None:
    """Whoosh builds these nodes but cannot make a query of an operator left without its words (it fails
    with an IndexError or an assertion), so the operators are checked first.

    Raises:
        BadRequest: NOT/NIET has no word after it, or ANDNOT/ANDMAYBE lacks a word on one side.
    """
    if isinstance(node, syntax.Wrapper) and not node.nodes:
        raise BadRequest("the query has NOT (NIET) without a word after it to leave out, such as NOT brief")
    if isinstance(node, syntax.BinaryGroup) and len(node.nodes) != 2:
        raise BadRequest("the query has ANDNOT or ANDMAYBE without a word on both sides, such as raad ANDNOT brief")
    for child in node.nodes if isinstance(node, syntax.GroupNode) else ():
        check_operators(child)


def _linked_ids(reader: Any, word: str) -> list[str]:
    prefix = f"{word}{LINK_SEPARATOR}"
    ids = []
    for term in reader.expand_prefix("place_link", prefix):
        value = term.decode("utf-8") if isinstance(term, bytes) else str(term)
        ids.append(value.split(LINK_SEPARATOR, 1)[1])
    return ids


def expand_places(query: Query, reader: Any) -> Query:
    """A word that names a place with an authority id also finds every item linked to that id."""

    def visit(node: Query) -> Query:
        if isinstance(node, Term) and node.fieldname in ("text", "place_text") and isinstance(node.text, str):
            ids = _linked_ids(reader, node.text)
            if ids:
                return Or([node, *(Term("place_id", i, boost=node.boost) for i in ids)])
        return node

    return query.accept(visit)


def matched_words(query: Query, reader: Any, limit: int = 512) -> dict[str, set[str]]:
    """The words a query looks for, by analysis ("folded", "nl", "en"), prefixes and fuzzy terms expanded."""
    out: dict[str, set[str]] = {"folded": set(), "nl": set(), "en": set()}
    for leaf in query.leaves():
        fieldname = getattr(leaf, "fieldname", None)
        if isinstance(leaf, MultiTerm):
            words = [w.decode("utf-8") if isinstance(w, bytes) else str(w) for w in leaf._btexts(reader)][:limit]
        else:
            words = [str(w) for _f, w in leaf.terms(phrases=True)]
        if fieldname in ("text_nl", "fulltext_nl"):
            out["nl"].update(words)
        elif fieldname in ("text_en", "fulltext_en"):
            out["en"].update(words)
        elif fieldname in DEFAULT_FIELDS or fieldname == "taxon_text":
            out["folded"].update(words)
    return out


_FOLD = folded()
_STEM = {"nl": stemmed("nl"), "en": stemmed("en")}


@lru_cache(maxsize=200_000)
def _folded(word: str) -> str:  # what `folded()` makes of one \w+ word (its first form)
    return forms(prepare(word).lower(), variants=False)[0].translate(accent_map)


folded_word = _folded


@lru_cache(maxsize=200_000)
def _stems(word: str, lang: str) -> tuple[str, ...]:
    return tuple(t.text for t in _STEM[lang](word))


def is_match(word: str, words: dict[str, set[str]]) -> bool:
    """Whether a word of a snippet is one the query found, as written or as a stem. Stemming is slow in pure
    Python, so a word is stemmed only when a query stem begins as it does (a suffix stemmer keeps the start)."""
    folded_word = _folded(word)
    if folded_word in words["folded"]:
        return True
    head = folded_word[:2]
    for lang in ("nl", "en"):
        wanted = words[lang]
        if wanted and any(w[:2] == head for w in wanted) and any(t in wanted for t in _stems(word, lang)):
            return True
    return False


def highlight(
    text: str, words: dict[str, set[str]], width: int = 220, matches: Callable[[str], bool] | None = None
) -> str:
    """An HTML fragment of `text` around its first matching word, every matching word in <mark>.

    Everything else is escaped, so a record's own markup is shown as text, never run. `matches` decides a
    word instead of `is_match` (the full-text snippets pass their per-search cache).
    """
    if not text:
        return ""
    match = matches or (lambda word: is_match(word, words))
    spans = [(m.start(), m.end()) for m in re.finditer(r"\w+", text) if match(m.group(0))]
    start = 0
    if spans and spans[0][0] > width // 3:
        start = text.rfind(" ", 0, spans[0][0] - width // 4) + 1
    end = min(len(text), start + width)
    if end < len(text):
        end = max(text.rfind(" ", start, end), start + width // 2)
    out: list[str] = ["… " if start > 0 else ""]
    cursor = start
    for s, e in spans:
        if s < start or e > end:
            continue
        out.append(html.escape(text[cursor:s]))
        out.append(f"<mark>{html.escape(text[s:e])}</mark>")
        cursor = e
    out.append(html.escape(text[cursor:end]))
    if end < len(text):
        out.append(" …")
    return "".join(out)


def any_match(texts: Iterable[str], words: dict[str, set[str]]) -> str | None:
    """The first text with a matching word."""
    for text in texts:
        if text and any(is_match(m.group(0), words) for m in re.finditer(r"\w+", text)):
            return text
    return None
