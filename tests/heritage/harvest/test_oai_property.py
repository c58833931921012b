"""Any request at all gets an OAI-PMH response that validates against the schema: the answer, or the
protocol's error; never an exception."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from heritage.harvest.oai import VERBS, Repository, respond
from heritage.runtime import Runtime
from tests.xsd import errors

pytestmark = pytest.mark.db

OAI = "http://www.openarchives.org/OAI/2.0/"
REPO = Repository(base_url="http://h.example.org/oai", site_url="http://h.example.org", name="T",
                  admin_email="a@example.org", secret=b"k", page_size=2)  # fmt: skip
CODES = {"badVerb", "badArgument", "badResumptionToken", "cannotDisseminateFormat", "idDoesNotExist", "noRecordsMatch"}
DATES = ["2020-01-01", "2020-01-01T00:00:00Z", "0001-01-01", "9999-12-31", "9999-12-31T23:59:59Z"]
names = st.sampled_from(["verb", "metadataPrefix", "identifier", "from", "until", "set", "resumptionToken", "x"])
values = st.one_of(
    st.sampled_from([*VERBS, "oai_dc", "lido", "collection:x", "domain", *DATES]),
    st.text(max_size=30),
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(names, st.lists(values, min_size=1, max_size=2), max_size=4))
def test_any_request_gets_a_valid_response(runtime: Runtime, args: dict[str, list[str]]) -> None:
    with runtime.transaction() as session:
        body = respond(session, args, REPO)
    assert errors(body, (OAI, "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd")) == []
    error = etree.fromstring(body).find(f"{{{OAI}}}error")
    assert error is None or error.get("code") in CODES


@pytest.mark.parametrize(
    "bad", [{"metadataPrefix": ""}, {"metadataPrefix": "a b"}, {"metadataPrefix": "oai/dc"}, {"from": "Identify"}]
)
def test_an_argument_the_request_element_cannot_hold_is_a_bad_argument(runtime: Runtime, bad: dict[str, str]) -> None:
    """Found by the property above: an empty metadataPrefix (or a `from` that is no date, beside a prefix not
    served) answered cannotDisseminateFormat and echoed the argument in the request element, which the schema
    refuses. Such an argument is a badArgument, answered with the base URL only."""
    for verb in ("ListRecords", "ListIdentifiers", "GetRecord"):
        args = {"verb": [verb], "metadataPrefix": ["nope"], "identifier": ["oai:h.example.org:x"]}
        args.update({k: [v] for k, v in bad.items()})
        if verb == "GetRecord" and "from" in bad:
            continue  # GetRecord takes no from: a badArgument anyway
        if verb != "GetRecord":
            del args["identifier"]
        with runtime.transaction() as session:
            body = respond(session, args, REPO)
        assert errors(body, (OAI, "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd")) == []
        root = etree.fromstring(body)
        assert root.find(f"{{{OAI}}}error").get("code") == "badArgument"
        assert dict(root.find(f"{{{OAI}}}request").attrib) == {}
