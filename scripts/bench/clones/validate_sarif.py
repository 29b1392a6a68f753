#!/usr/bin/env python3
"""Validates a SARIF log against the SARIF 2.1.0 JSON schema.

usage: validate_sarif.py SCHEMA.json LOG.sarif

SCHEMA.json is the OASIS schema (sarif-schema-2.1.0.json from github.com/oasis-tcs/sarif-spec,
Schemata/). Needs `pip install jsonschema`. Exit status 0 when valid; errors are printed.
"""
import json
import sys

import jsonschema


def main() -> int:
    schema_path, log_path = sys.argv[1], sys.argv[2]
    with open(schema_path) as f:
        schema = json.load(f)
    with open(log_path) as f:
        log = json.load(f)
    validator = jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.path))
    for e in errors[:20]:
        print(f"{'/'.join(map(str, e.path))}: {e.message}")
    print(f"{log_path}: {'valid' if not errors else f'{len(errors)} errors'}")
    return 0 if not errors else 1


if __name__ == "__main__":
    sys.exit(main())
