"""Talks to a running City Portal's /open311/v2 the way third-party Open311 apps do, with
the GeoReport client library from PyPI (`georeport`): lists the services, reads a
service's definition, posts a service request and reads it back, in JSON and in XML.

georeport reads but does not create requests, so the POST goes through `requests`
(georeport's own HTTP library) exactly as the GeoReport v2 specification describes it:
form-encoded, with api_key, service_code, lat/long and attribute[code].

    python check.py ENDPOINT API_KEY JURISDICTION SERVICE_CODE ATTRIBUTE=VALUE...

Prints one JSON line with what it saw; exits 1 (with the reason on stderr) when the
server does not answer as the specification says.
"""

import json
import sys

import requests
from georeport import GeoReport


def as_list(x):
    """xmltodict gives one element as a dict, several as a list."""
    if x is None:
        return []
    return x if isinstance(x, list) else [x]


def main():
    endpoint, api_key, jurisdiction, code = sys.argv[1:5]
    attributes = dict(a.split("=", 1) for a in sys.argv[5:])
    as_json = GeoReport(endpoint, jurisdiction=jurisdiction, api_key=api_key)
    as_xml = GeoReport(endpoint, jurisdiction=jurisdiction, api_key=api_key, output_format="xml")

    services = as_json.get_service_list()
    codes = [s["service_code"] for s in services]
    assert code in codes, f"{code} not among the services {codes}"
    xml_codes = [s["service_code"] for s in as_list(as_xml.get_service_list())]
    assert xml_codes == codes, f"XML lists {xml_codes}, JSON {codes}"

    definition = as_json.get_service_definition(code)
    assert definition["service_code"] == code, definition
    attribute_codes = [a["code"] for a in definition["attributes"]]
    xml_definition = as_xml.get_service_definition(code)
    xml_attribute_codes = [a["code"] for a in as_list(xml_definition["attributes"]["attribute"])]
    assert xml_attribute_codes == attribute_codes, (xml_attribute_codes, attribute_codes)

    form = {
        "api_key": api_key,
        "jurisdiction_id": jurisdiction,
        "service_code": code,
        "lat": "60.1699",
        "long": "24.9384",
        "description": "Reported by the georeport client <&>",
        "email": "client@example.org",
        "first_name": "Client",
        "device_id": "python-georeport",
    }
    form.update({f"attribute[{k}]": v for k, v in attributes.items()})
    posted = requests.post(f"{endpoint}/requests.json", data=form, timeout=10)
    assert posted.status_code in (200, 201), (posted.status_code, posted.text)
    request_id = posted.json()[0]["service_request_id"]

    one = as_json.get_service_request(request_id)
    assert one["service_request_id"] == request_id, one
    assert one["status"] == "open", one
    assert one["description"] == form["description"], one
    assert "client@example.org" not in json.dumps(one), "personal data in a GET"
    xml_one = as_xml.get_service_request(request_id)
    assert xml_one["service_request_id"] == request_id, xml_one
    assert xml_one["description"] == form["description"], xml_one
    listed = [r["service_request_id"] for r in as_json.get_service_requests(service_code=code)]
    assert request_id in listed, listed
    bad = requests.post(f"{endpoint}/requests.json", data={**form, "api_key": "wrong"}, timeout=10)
    assert bad.status_code == 403 and bad.json()[0]["code"] == 403, bad.text

    print(json.dumps({
        "services": codes,
        "attributes": attribute_codes,
        "service_request_id": request_id,
        "status": one["status"],
        "requested_datetime": one["requested_datetime"],
    }))


if __name__ == "__main__":
    try:
        main()
    except AssertionError as e:
        print(f"open311 client check failed: {e}", file=sys.stderr)
        sys.exit(1)
