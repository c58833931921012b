"""ISO 2709 limits a binary MARC record: a field's length has four digits in the directory (at most
9,999 bytes) and the record's five in the leader (at most 99,999). A longer field would damage the
directory, so its longest text is split over repeated fields of the same tag, at a paragraph, sentence
or word break, and the writer says so; a record still too long is refused with the reason.
"""

from __future__ import annotations

from metadata_schemas.marc21 import DataField, MarcRecord

FIELD_MAX = 9_999
RECORD_MAX = 99_999
# directory entry (12) + leader (24) + terminators: what a field costs beyond its own bytes
_ENTRY = 12
# fields MARC 21 does not repeat: what does not fit continues in 500 general notes instead
_ONCE = {"100", "110", "111", "130", "240", "243", "245", "250", "254", "256", "263"}


def field_bytes(f: DataField) -> int:
    """Bytes of the field in ISO 2709: two indicators, each subfield (delimiter, code, text), terminator."""
    return 2 + sum(2 + len(value.encode("utf-8")) for _, value in f.subfields) + 1


def _cut(text: str, limit: int) -> tuple[str, str]:
    """The head of `text` of at most `limit` bytes, cut at the last paragraph, sentence or word break."""
    head = text.encode("utf-8")[:limit].decode("utf-8", errors="ignore")
    for mark in ("\n\n", ". ", " "):
        at = head.rfind(mark)
        if at > len(head) // 2:
            return text[: at + len(mark)].rstrip(), text[at + len(mark) :].lstrip()
    return head, text[len(head) :]


def split_field(f: DataField) -> list[DataField]:
    """`f` as it is when it fits, else its longest subfield spread over repeated fields of its tag
    (over 500 notes for a tag MARC does not repeat)."""
    if field_bytes(f) <= FIELD_MAX:
        return [f]
    index = max(range(len(f.subfields)), key=lambda i: len(f.subfields[i][1].encode("utf-8")))
    code, text = f.subfields[index]
    rest = [s for i, s in enumerate(f.subfields) if i != index]
    first = DataField(f.tag, f.ind1, f.ind2, rest)
    room = FIELD_MAX - field_bytes(first) - 2
    out: list[DataField] = []
    while text:
        head, text = _cut(text, room if not out else FIELD_MAX - 5)
        if not out:
            first.subfields.insert(index, (code, head))
            out.append(first)
        else:
            more = f.tag in _ONCE
            out.append(
                DataField(
                    "500" if more else f.tag,
                    " " if more else f.ind1,
                    " " if more else f.ind2,
                    [("a" if more else code, head)],
                )
            )
    return out


def fit(record: MarcRecord) -> tuple[MarcRecord, list[str]]:
    """The record with every field within 9,999 bytes, and a sentence per field that had to be split.

    Raises:
        ValueError: the record is longer than 99,999 bytes even so (ISO 2709 cannot hold it).
    """
    said: list[str] = []
    fields: list[DataField] = []
    for f in record.fields:
        pieces = split_field(f)
        if len(pieces) > 1:
            said.append(
                f"field {f.tag} is {field_bytes(f):,} bytes, more than ISO 2709 allows (9,999): "
                f"split over {len(pieces)} fields ({', '.join(p.tag for p in pieces)})"
            )
        fields += pieces
    record.fields = fields
    size = 24 + 1 + 1 + sum(_ENTRY + len(v.encode("utf-8")) + 1 for _, v in record.control)
    size += sum(_ENTRY + field_bytes(f) for f in fields)
    if size > RECORD_MAX:
        raise ValueError(f"the record is {size:,} bytes, more than ISO 2709 allows (99,999); write it as MARCXML")
    return record, said
