#!/usr/bin/env python3
"""Independent reading of IATI activity files: what `vaka stats --json` must say.

Used to write the expected figures in crates/vaka-cli/tests/expected_stats.json.
It shares no code with Vaka: Python's ElementTree, the IATI rules written out
again by hand.

Rules (from the IATI standard and Vaka's documented import semantics):
- activities are `iati-activity` elements anywhere in the file (the IATI
  Datastore `<result>` wrapper included); one without an `iati-identifier` is
  not stored; within one file a repeated identifier keeps the last occurrence;
- a transaction's type is transaction-type/@code, 1.0x text codes mapped to
  2.0x (IF C D E IR LR R QP QS CG -> 1..10); codes outside 1..13 count as "";
- its currency is value/@currency, else the activity's @default-currency, else "";
- its value counts towards the sum only when it is an xsd:decimal.

Usage: scripts/expected_stats.py DIR_OR_FILE... > expected.json
"""
import gzip
import json
import os
import re
import sys
import xml.etree.ElementTree as ET
from decimal import Decimal

V1_TYPES = {"IF": "1", "C": "2", "D": "3", "E": "4", "IR": "5", "LR": "6", "R": "7", "QP": "8", "QS": "9", "CG": "10"}
DECIMAL = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


def files(paths):
    for p in paths:
        if os.path.isdir(p):
            for root, _, names in os.walk(p):
                for n in sorted(names):
                    if n.lower().endswith((".xml", ".xml.gz")):
                        yield os.path.join(root, n)
        else:
            yield p


def local(tag):
    return tag.rsplit("}", 1)[-1]


def child(el, name):
    for c in el:
        if local(c.tag) == name:
            return c
    return None


def read(path):
    data = open(path, "rb").read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    root = ET.fromstring(data)
    kept = {}
    for act in root.iter():
        if local(act.tag) != "iati-activity":
            continue
        ident = child(act, "iati-identifier")
        ident = (ident.text or "").strip() if ident is not None else ""
        if not ident:
            continue
        rep = child(act, "reporting-org")
        org = (rep.get("ref") or "").strip() if rep is not None else ""
        default_cur = (act.get("default-currency") or "").strip().upper()
        txs = []
        for t in act:
            if local(t.tag) != "transaction":
                continue
            tt = child(t, "transaction-type")
            code = ""
            if tt is not None:
                code = (tt.get("code") or "").strip()
                if not code:
                    code = (tt.text or "").strip()
            code = V1_TYPES.get(code.upper(), code)
            if code not in {str(i) for i in range(1, 14)}:
                code = ""
            val = child(t, "value")
            cur = default_cur
            amount = None
            if val is not None:
                cur = (val.get("currency") or "").strip().upper() or default_cur
                text = (val.text or "").strip()
                if DECIMAL.match(text):
                    amount = Decimal(text)
            txs.append((code, cur, amount))
        kept.pop(ident, None)
        kept[ident] = (org, txs)
    return kept.values()


def main(paths):
    orgs = {}
    for f in files(paths):
        try:
            acts = list(read(f))
        except ET.ParseError:
            continue
        for org, txs in acts:
            o = orgs.setdefault(org, {"activities": 0, "tx": {}})
            o["activities"] += 1
            for code, cur, amount in txs:
                e = o["tx"].setdefault((code, cur), [0, Decimal(0)])
                e[0] += 1
                if amount is not None:
                    e[1] += amount
    out = {}
    for org in sorted(orgs):
        o = orgs[org]
        out[org] = {
            "activities": o["activities"],
            "transactions": {f"{k[0]}|{k[1]}": {"count": v[0], "sum": str(v[1])} for k, v in sorted(o["tx"].items())},
        }
    json.dump(out, sys.stdout, indent=1, sort_keys=True)
    print()


if __name__ == "__main__":
    main(sys.argv[1:])
