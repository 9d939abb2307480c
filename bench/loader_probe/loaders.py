"""Uniform wrappers around the candidate YAML loaders.

Each entry in LOADERS maps a name to a callable taking a ``str`` and returning
the parsed Python object (first document only).  Loaders that fail to import
are skipped (recorded in SKIPPED).
"""
import re

import yaml

LOADERS = {}      # name -> callable(str) -> object
LOAD_ALL = {}     # name -> callable(str) -> list (multi-document), if supported
SKIPPED = {}      # name -> reason


def _baselines():
    CSL = yaml.CSafeLoader

    def pyyaml_load(text):
        return yaml.load(text, Loader=CSL)

    def pyyaml_compose(text):
        return yaml.compose(text, Loader=CSL)

    def pyyaml_events(text):
        for _ in yaml.parse(text, Loader=CSL):
            pass

    return pyyaml_load, pyyaml_compose, pyyaml_events


pyyaml_load, pyyaml_compose, pyyaml_events = _baselines()
LOADERS["pyyaml CSafeLoader load"] = pyyaml_load
LOAD_ALL["pyyaml CSafeLoader load"] = lambda t: list(yaml.load_all(t, Loader=yaml.CSafeLoader))

try:
    import yaml_rs

    LOADERS["yaml-rs (yaml_rs.loads)"] = yaml_rs.loads
    LOAD_ALL["yaml-rs (yaml_rs.loads)"] = yaml_rs.loads  # returns list for multi-doc
except Exception as e:  # pragma: no cover
    SKIPPED["yaml-rs"] = repr(e)

try:
    import yaml12

    LOADERS["py-yaml12 (yaml12.parse_yaml)"] = yaml12.parse_yaml
    LOAD_ALL["py-yaml12 (yaml12.parse_yaml)"] = lambda t: yaml12.parse_yaml(t, multi=True)
except Exception as e:  # pragma: no cover
    SKIPPED["py-yaml12"] = repr(e)

try:
    import ryaml

    LOADERS["ryaml (ryaml.loads)"] = ryaml.loads
    LOAD_ALL["ryaml (ryaml.loads)"] = ryaml.loads_all
except Exception as e:  # pragma: no cover
    SKIPPED["ryaml"] = repr(e)

try:
    import oryaml

    LOADERS["oryaml (oryaml.loads)"] = oryaml.loads
except Exception as e:  # pragma: no cover
    SKIPPED["oryaml"] = repr(e)

try:
    import rustyyaml
    from rustyyaml import rustyyaml as _rusty_native

    LOADERS["rustyyaml (rustyyaml.safe_load)"] = rustyyaml.safe_load
    LOAD_ALL["rustyyaml (rustyyaml.safe_load)"] = rustyyaml.load_all
except Exception as e:  # pragma: no cover
    SKIPPED["rustyyaml"] = repr(e)

try:
    import yamlrocks  # noqa: F401  (requires Python >= 3.12; not installable on 3.11)

    LOADERS["yamlrocks"] = yamlrocks.loads
except Exception as e:
    SKIPPED["yamlrocks"] = "not installable on Python 3.11 (all real releases need >=3.12): " + repr(e)

# --- rapidyaml: no to-python API; a minimal tree walker with YAML 1.2 core
# scalar resolution written here in Python.
_INT10 = re.compile(rb"[-+]?[0-9]+\Z")
_INT8 = re.compile(rb"0o[0-7]+\Z")
_INT16 = re.compile(rb"0x[0-9a-fA-F]+\Z")
_FLOAT = re.compile(rb"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z")
_INF = re.compile(rb"[-+]?\.(inf|Inf|INF)\Z")
_NAN = re.compile(rb"\.(nan|NaN|NAN)\Z")
_NULLS = {b"", b"~", b"null", b"Null", b"NULL"}
_TRUE = {b"true", b"True", b"TRUE"}
_FALSE = {b"false", b"False", b"FALSE"}


def _core_scalar(b):
    if b in _NULLS:
        return None
    if b in _TRUE:
        return True
    if b in _FALSE:
        return False
    c = b[:1]
    if c in b"0123456789-+.":
        if _INT10.match(b):
            return int(b)
        if _INT8.match(b):
            return int(b[2:], 8)
        if _INT16.match(b):
            return int(b[2:], 16)
        if _FLOAT.match(b):
            return float(b)
        if _INF.match(b):
            return float("-inf") if b[:1] == b"-" else float("inf")
        if _NAN.match(b):
            return float("nan")
    return b.decode("utf-8")


try:
    import ryml

    def _ryml_node(t, n):
        if t.is_map(n):
            out = {}
            c = t.first_child(n)
            while c != ryml.NONE:
                k = t.key(c)
                k = bytes(k).decode() if t.is_key_quoted(c) else _core_scalar(bytes(k))
                out[k] = _ryml_node(t, c)
                c = t.next_sibling(c)
            return out
        if t.is_seq(n):
            out = []
            c = t.first_child(n)
            while c != ryml.NONE:
                out.append(_ryml_node(t, c))
                c = t.next_sibling(c)
            return out
        v = t.val(n)
        if v is None:
            return None
        v = bytes(v)
        return v.decode("utf-8") if t.is_val_quoted(n) else _core_scalar(v)

    def ryml_load(text):
        t = ryml.parse_in_arena(text.encode() if isinstance(text, str) else text)
        if t.is_stream(t.root_id()):
            raise ValueError("multi-document stream: not handled by this wrapper")
        return _ryml_node(t, t.root_id())

    def ryml_parse_only(text):
        ryml.parse_in_arena(text.encode() if isinstance(text, str) else text)

    LOADERS["rapidyaml (ryml.parse_in_arena + py walker)"] = ryml_load
except Exception as e:  # pragma: no cover
    SKIPPED["rapidyaml"] = repr(e)
