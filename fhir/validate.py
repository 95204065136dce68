#!/usr/bin/env python3
"""Validate a FHIR R5 JSON Bundle (or a single resource) with fhir.resources.

usage: validate.py [FILE|-]        (no argument or "-" reads stdin)

Exit 0 and print a summary when valid; exit 1 and print every error when not;
exit 2 on unreadable input. Checks, in order:
  1. pydantic model validation with fhir.resources (R5 models are the package root,
     e.g. fhir.resources.bundle.Bundle) in strict mode: unknown elements, wrong JSON
     types, bad primitive formats (instant, dateTime, id, code, uri...), missing
     required elements, choice-type [x] conflicts. A Bundle validates every
     entry.resource with the class named by its resourceType; each entry is also
     validated on its own so that errors name the entry.
  2. extra checks that fhir.resources does not do: resourceType present, no empty objects/arrays/strings or
     nulls, id <= 64 chars, non-empty required lists, codes of required bindings
     (from the models' enum_values plus AuditEvent.action), Reference.type allowed
     for the element, integer64 written as a JSON string, unique Bundle fullUrls.
It does NOT check terminology (codes of non-required bindings), invariants
(FHIRPath constraints) or profiles.
"""
from __future__ import annotations

import datetime
import decimal
import json
import sys
import types
import typing

from pydantic import BaseModel, ValidationError

from fhir.resources import get_fhir_model_class

REQUIRED_CODES_EXTRA = {("AuditEvent", "action"): {"C", "R", "U", "D", "E"}}


def load(argv: list[str]):
    src = argv[1] if len(argv) > 1 else "-"
    try:
        text = sys.stdin.read() if src == "-" else open(src, encoding="utf-8").read()
        return json.loads(text), ("<stdin>" if src == "-" else src)
    except (OSError, json.JSONDecodeError) as exc:
        print(f"error: cannot read JSON from {src}: {exc}", file=sys.stderr)
        sys.exit(2)


def model_class(resource_type):
    if not isinstance(resource_type, str):
        raise ValueError("missing or non-string resourceType")
    try:
        return get_fhir_model_class(resource_type)
    except (ValueError, KeyError):
        raise ValueError(f"unknown R5 resourceType {resource_type!r}") from None


# ---- raw-JSON checks ------------------------------------------------------------------------
def json_checks(node, path: str, errors: list[str]):
    if node is None:
        errors.append(f"{path}: null is not allowed")
    elif isinstance(node, dict):
        if not node:
            errors.append(f"{path}: empty object is not allowed")
        for key, val in node.items():
            if key == "valueInteger64" or key.endswith("Integer64"):
                if not isinstance(val, str):
                    errors.append(f"{path}.{key}: integer64 must be a JSON string in R5")
            if key == "id" and isinstance(val, str) and len(val) > 64 and path.count(".") < 3:
                errors.append(f"{path}.id: longer than 64 characters")
            json_checks(val, f"{path}.{key}", errors)
    elif isinstance(node, list):
        if not node:
            errors.append(f"{path}: empty array is not allowed")
        for i, val in enumerate(node):
            json_checks(val, f"{path}[{i}]", errors)
    elif isinstance(node, str) and node == "":
        errors.append(f"{path}: empty string is not allowed")


# ---- JSON types, guided by the model classes --------------------------------------------
# fhir.resources coerces "true" -> True and "5" -> 5 even with strict=True (nested models are
# validated leniently), so JSON value types are checked here against the field annotations.
def _unwrap(ann):
    """(base type, Annotated metadata) with Optional/List/Annotated removed."""
    meta = []
    while True:
        origin = typing.get_origin(ann)
        if origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(ann) if a is not type(None)]
            ann = args[0] if len(args) == 1 else ann
            if len(args) != 1:
                return ann, meta
        elif origin in (list, typing.List):
            ann = typing.get_args(ann)[0]
        elif origin is typing.Annotated:
            args = typing.get_args(ann)
            ann, meta = args[0], meta + list(args[1:])
        else:
            return ann, meta


def json_types(raw: dict, cls, path: str, errors: list[str]):
    fields = {(f.alias or n): f for n, f in cls.model_fields.items()}
    for key, val in raw.items():
        field = fields.get(key)
        if field is None or key == "resourceType":
            continue  # unknown keys are reported by pydantic
        base, meta = _unwrap(field.annotation)
        for i, item in enumerate(val if isinstance(val, list) else [val]):
            where = f"{path}.{key}" + (f"[{i}]" if isinstance(val, list) else "")
            if item is None:
                continue
            if base is bool:
                ok = isinstance(item, bool)
            elif base is int:
                if any(type(m).__name__ == "Integer64" for m in meta):
                    ok = isinstance(item, str)
                else:
                    ok = isinstance(item, int) and not isinstance(item, bool)
            elif base is decimal.Decimal:
                ok = isinstance(item, (int, float)) and not isinstance(item, bool)
            elif base in (str, datetime.datetime, datetime.date, datetime.time):
                ok = isinstance(item, str)
            elif hasattr(base, "get_model_klass"):
                ok = isinstance(item, dict)
                if ok:
                    if base.__name__ == "ResourceType":
                        try:
                            sub = model_class(item.get("resourceType"))
                        except ValueError:
                            continue  # reported elsewhere
                    else:
                        sub = base.get_model_klass()
                    json_types(item, sub, where, errors)
            else:
                continue
            if not ok:
                errors.append(f"{where}: wrong JSON type {type(item).__name__} "
                              f"(expected {getattr(base, '__name__', base)})")


# ---- model-level checks ---------------------------------------------------------------------
def model_checks(model: BaseModel, path: str, errors: list[str]):
    cls_name = type(model).__name__
    for name, field in type(model).model_fields.items():
        extra = field.json_schema_extra or {}
        if not isinstance(extra, dict) or not extra.get("element_property"):
            continue
        value = getattr(model, name, None)
        alias = field.alias or name
        where = f"{path}.{alias}"
        if field.is_required() and isinstance(value, list) and not value:
            errors.append(f"{where}: at least one element is required")
        if value is None:
            continue
        allowed = extra.get("enum_values")
        if allowed is None:
            allowed = REQUIRED_CODES_EXTRA.get((getattr(model, "__resource_type__", cls_name), name))
        if allowed is not None:
            for v in value if isinstance(value, list) else [value]:
                if v is not None and v not in allowed:
                    errors.append(f"{where}: {v!r} is not one of {sorted(allowed)}")
        ref_types = extra.get("enum_reference_types")
        if ref_types and "Resource" not in ref_types:
            for i, ref in enumerate(value if isinstance(value, list) else [value]):
                rtype = getattr(ref, "type", None)
                literal = getattr(ref, "reference", None)
                if literal and "/" in literal and not literal.startswith(("urn:", "http", "#")):
                    rtype = rtype or literal.split("/")[-2]
                if rtype and rtype not in ref_types:
                    errors.append(f"{where}: reference to {rtype} not allowed here "
                                  f"(allowed: {', '.join(ref_types)})")
        for i, item in enumerate(value if isinstance(value, list) else [value]):
            if isinstance(item, BaseModel):
                sub = f"{where}[{i}]" if isinstance(value, list) else where
                model_checks(item, sub, errors)


def validate_resource(obj, path: str, errors: list[str]):
    if not isinstance(obj, dict):
        errors.append(f"{path}: a resource must be a JSON object")
        return None
    try:
        cls = model_class(obj.get("resourceType"))
    except ValueError as exc:
        errors.append(f"{path}: {exc}")
        return None
    try:
        model = cls.model_validate(obj, strict=True)
    except ValidationError as exc:
        for err in exc.errors():
            loc = ".".join(str(p) for p in err["loc"])
            errors.append(f"{path}{'.' + loc if loc else ''}: {err['msg']}")
        return None
    except Exception as exc:  # fhir.resources raises plain errors for some inputs
        errors.append(f"{path}: {type(exc).__name__}: {exc}")
        return None
    json_types(obj, cls, path, errors)
    model_checks(model, path, errors)
    return model


def main(argv: list[str]) -> int:
    obj, name = load(argv)
    errors: list[str] = []
    json_checks(obj, "$", errors)
    root = obj.get("resourceType") if isinstance(obj, dict) else None
    counts: dict[str, int] = {}
    if root == "Bundle":
        entries = obj.get("entry") or []
        seen = set()
        for i, entry in enumerate(entries):
            full_url = entry.get("fullUrl") if isinstance(entry, dict) else None
            if full_url:
                if full_url in seen:
                    errors.append(f"$.entry[{i}].fullUrl: duplicate {full_url}")
                seen.add(full_url)
            res = entry.get("resource") if isinstance(entry, dict) else None
            if res is None:
                errors.append(f"$.entry[{i}]: no resource")
                continue
            if validate_resource(res, f"$.entry[{i}].resource", errors) is not None:
                counts[res["resourceType"]] = counts.get(res["resourceType"], 0) + 1
        if not errors:  # the Bundle as a whole (re-validates the entries through the Bundle model)
            validate_resource({k: v for k, v in obj.items()}, "$", errors)
    else:
        if validate_resource(obj, "$", errors) is not None:
            counts[root] = 1

    if errors:
        print(f"INVALID {name}: {len(errors)} error(s)", file=sys.stderr)
        for e in errors:
            print("  " + e, file=sys.stderr)
        return 1
    summary = ", ".join(f"{n} {t}" for t, n in sorted(counts.items()))
    print(f"OK {name}: {root}" + (f" with {summary}" if root == "Bundle" else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
