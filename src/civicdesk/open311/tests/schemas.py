"""JSON Schemas written from spec.md: string ids and codes, JSON booleans, W3C datetimes with whole seconds."""

W3C = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$"}
NULLABLE_W3C = {"anyOf": [W3C, {"type": "null"}]}
TEXT_OR_NULL = {"type": ["string", "null"]}
NUMBER_OR_NULL = {"type": ["number", "null"]}

SERVICES = {"type": "array", "items": {
    "type": "object", "additionalProperties": False,
    "required": ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"],
    "properties": {
        "service_code": {"type": "string", "minLength": 1}, "service_name": {"type": "string"},
        "description": {"type": "string"}, "metadata": {"type": "boolean"},
        "type": {"enum": ["realtime", "batch", "blackbox"]}, "keywords": {"type": "string"},
        "group": {"type": "string"},
    }}}

ATTRIBUTE = {
    "type": "object", "additionalProperties": False,
    "required": ["variable", "code", "datatype", "required", "datatype_description", "order", "description"],
    "properties": {
        "variable": {"type": "boolean"}, "code": {"type": "string"}, "required": {"type": "boolean"},
        "datatype": {"enum": ["string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"]},
        "datatype_description": {"type": "string"}, "order": {"type": "integer", "minimum": 1},
        "description": {"type": "string"},
        "values": {"type": "array", "items": {
            "type": "object", "required": ["key", "name"], "additionalProperties": False,
            "properties": {"key": {"type": "string"}, "name": {"type": "string"}}}},
    }}
SERVICE_DEFINITION = {"type": "object", "required": ["service_code", "attributes"], "additionalProperties": False,
                      "properties": {"service_code": {"type": "string"},
                                     "attributes": {"type": "array", "items": ATTRIBUTE}}}

REQUEST = {
    "type": "object",
    "required": ["service_request_id", "status", "status_notes", "service_name", "service_code", "description",
                 "agency_responsible", "service_notice", "requested_datetime", "updated_datetime",
                 "expected_datetime", "address", "address_id", "zipcode", "lat", "long", "media_url"],
    "properties": {
        "service_request_id": {"type": "string", "minLength": 1}, "status": {"enum": ["open", "closed"]},
        "status_notes": TEXT_OR_NULL, "service_name": {"type": "string"}, "service_code": {"type": "string"},
        "description": {"anyOf": [{"type": "string", "maxLength": 4000}, {"type": "null"}]},
        "agency_responsible": TEXT_OR_NULL, "service_notice": TEXT_OR_NULL, "requested_datetime": W3C,
        "updated_datetime": NULLABLE_W3C, "expected_datetime": NULLABLE_W3C, "address": TEXT_OR_NULL,
        "address_id": TEXT_OR_NULL, "zipcode": TEXT_OR_NULL, "lat": NUMBER_OR_NULL, "long": NUMBER_OR_NULL,
        "media_url": TEXT_OR_NULL,
        "notes": {"type": "array", "items": {"type": "object", "required": ["datetime", "description", "type"],
                                             "properties": {"datetime": W3C, "description": {"type": "string"},
                                                            "type": {"type": "string"}}}},
        "attributes": {"type": "array"}, "extended_attributes": {"type": "object"},
    },
    "additionalProperties": False,
}
REQUESTS = {"type": "array", "maxItems": 1000, "items": REQUEST}

POST_RESPONSE = {"type": "array", "minItems": 1, "maxItems": 1, "items": {
    "type": "object", "additionalProperties": False,
    "properties": {"service_request_id": {"type": "string"}, "token": {"type": "string"},
                   "service_notice": TEXT_OR_NULL, "account_id": TEXT_OR_NULL},
    "oneOf": [{"required": ["service_request_id"], "not": {"required": ["token"]}},
              {"required": ["token"], "not": {"required": ["service_request_id"]}}]}}

TOKEN_RESPONSE = {"type": "array", "minItems": 1, "maxItems": 1, "items": {
    "type": "object", "required": ["token"], "additionalProperties": False,
    "properties": {"service_request_id": {"type": "string"}, "token": {"type": "string"}}}}

ERRORS = {"type": "array", "minItems": 1, "items": {
    "type": "object", "required": ["code", "description"], "additionalProperties": False,
    "properties": {"code": {"type": "integer"}, "description": {"type": "string", "minLength": 1}}}}

DISCOVERY = {"type": "object", "required": ["changeset", "contact", "key_service", "endpoints"], "properties": {
    "changeset": {"type": "string"}, "contact": {"type": "string"}, "key_service": {"type": "string"},
    "endpoints": {"type": "array", "minItems": 1, "items": {
        "type": "object", "required": ["specification", "url", "changeset", "type", "formats"],
        "properties": {"type": {"enum": ["production", "test"]}, "url": {"type": "string"},
                       "formats": {"type": "array", "items": {"type": "string"}}}}}}}

UPDATES = {"type": "array", "items": {
    "type": "object", "required": ["update_id", "service_request_id", "status", "updated_datetime", "description",
                                   "media_url"],
    "properties": {"update_id": {"type": "string"}, "service_request_id": {"type": "string"},
                   "status": {"enum": ["open", "closed"]}, "updated_datetime": W3C,
                   "description": {"type": "string"}, "media_url": {"type": "string"}}}}
