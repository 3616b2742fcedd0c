"""An independent reader of a superpeer shard's log, written from docs/LEDGER.md and the RFCs
it names alone (no code of the project): RFC 6962 hashes, the RFC 9162 section 2.1.4.2
consistency check, and the RFC 9162 section 2.1.3.2 inclusion check. It reads cases as JSON
lines on stdin and writes "ok" or "bad" for each, so that a test can hold it against the
project's own answers.

A case: {"kind": "consistency", "from", "to", "fromRoot", "toRoot", "proof": [base64...]}
     or {"kind": "inclusion", "index", "size", "leaf", "root", "proof": [base64...]}
Hashes are standard base64, as the log's HTTP answers and checkpoints carry them.
"""
import base64
import hashlib
import json
import sys


def node(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def consistent(m, n, old_root, new_root, proof):
    # RFC 9162 2.1.4.2, step by step.
    if m > n:
        return False
    if m == n:
        return len(proof) == 0 and old_root == new_root
    if m == 0:
        return len(proof) == 0
    if m & (m - 1) == 0:  # m a power of two: the old root starts the path
        proof = [old_root] + proof
    if not proof:
        return False
    fn, sn = m - 1, n - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node(c, fr)
            sr = node(c, sr)
            if not fn & 1:
                while fn != 0 and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == old_root and sr == new_root and sn == 0


def included(index, size, leaf, root, proof):
    # RFC 9162 2.1.3.2.
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node(p, r)
            if not fn & 1:
                while fn != 0 and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def b64(s):
    return base64.b64decode(s, validate=True)


for line in sys.stdin:
    if not line.strip():
        continue
    c = json.loads(line)
    proof = [b64(h) for h in c["proof"]]
    if c["kind"] == "consistency":
        ok = consistent(c["from"], c["to"], b64(c["fromRoot"]), b64(c["toRoot"]), proof)
    else:
        ok = included(c["index"], c["size"], b64(c["leaf"]), b64(c["root"]), proof)
    print("ok" if ok else "bad")
