"""What a manifest says of its pages' text: each canvas with text links its ALTO (`seeAlso`) and an
AnnotationPage of its lines (`annotations`, motivation `supplementing`), and the manifest offers Content
Search (2.0, and 1.0 for Mirador 4, which reads no other)."""

from __future__ import annotations

from typing import Any

from iiif import urls
from iiif.text_layer import TextPage

ALTO_PROFILE = "http://www.loc.gov/standards/alto/v4/alto.xsd"
ALTO_FORMAT = "application/xml"
PRESENTATION_CONTEXT = "http://iiif.io/api/presentation/3/context.json"
SEARCH_V1_PROFILE = "http://iiif.io/api/search/1/search"
AUTOCOMPLETE_V1_PROFILE = "http://iiif.io/api/search/1/autocomplete"


def alto_link(base: str, item_id: str, n: int) -> dict[str, Any]:
    return {
        "id": urls.alto(base, item_id, n),
        "type": "Dataset",
        "label": {"none": ["ALTO"]},
        "format": ALTO_FORMAT,
        "profile": ALTO_PROFILE,
    }


def annotations_link(base: str, item_id: str, n: int) -> dict[str, Any]:
    return {"id": urls.annotations(base, item_id, n), "type": "AnnotationPage"}


def search_services(base: str, item_id: str) -> list[dict[str, Any]]:
    """Content Search 2.0 with its autocomplete; then the same search in 1.0 form (Mirador 4 finds a search
    service by the 1.0 profile only)."""
    return [
        {
            "id": urls.search(base, item_id),
            "type": "SearchService2",
            "service": [{"id": urls.autocomplete(base, item_id), "type": "AutoCompleteService2"}],
        },
        {
            "id": urls.search_v1(base, item_id),
            "type": "SearchService1",
            "profile": SEARCH_V1_PROFILE,
            "service": [
                {
                    "id": urls.autocomplete_v1(base, item_id),
                    "type": "AutoCompleteService1",
                    "profile": AUTOCOMPLETE_V1_PROFILE,
                }
            ],
        },
    ]


def annotation_page(base: str, item_id: str, page: TextPage) -> dict[str, Any]:
    """The canvas's lines as `supplementing` annotations with a TextualBody, targeting their region."""
    page_id = urls.annotations(base, item_id, page.n)
    items = []
    for k, (text, box) in enumerate(page.lines(), start=1):
        body: dict[str, Any] = {"type": "TextualBody", "value": text, "format": "text/plain"}
        if page.language:
            body["language"] = page.language
        items.append(
            {
                "id": f"{page_id}/l{k}",
                "type": "Annotation",
                "motivation": "supplementing",
                "body": body,
                "target": f"{page.canvas}#xywh={box.xywh}",
            }
        )
    return {"@context": PRESENTATION_CONTEXT, "id": page_id, "type": "AnnotationPage", "items": items}
