#!/usr/bin/env python3
# Usage: extract corpus repositories into DIR/<owner+name>/, run `codeintel index` on each, then
#   python3 scripts/bench/clones/cross_repo_rate.py DIR
# (numpy needed). The test-path rule mirrors Sources/CloneIndex/TestCode.swift.
# Cross-repository false-positive rate of the hashed-feature cosine on corpus project repositories
# (calibration data: never the LeetCode evaluation set). Units as the detector sees them: >= 5 lines,
# >= 30 tokens, not test code, one per canonical class.
import sqlite3, sys, glob, re, numpy as np
TEST_DIRS={"test","tests","__tests__","__test__","__mocks__","spec","specs","e2e","__fixtures__"}
def is_test_path(p):
    parts=p.split("/")
    if any(x.lower() in TEST_DIRS for x in parts[:-1]): return True
    f=parts[-1].lower()
    stem=f.rsplit(".",1)[0] if "." in f else f
    m=re.split(r"[._-]",stem)
    return len(m)>1 and m[-1] in {"test","tests","spec","specs","e2e"}
vecs=[];repo=[];names=[]
for db in sorted(glob.glob(sys.argv[1]+"/*/.codeintel/index.sqlite")):
    r=db.split("/")[-3]
    c=sqlite3.connect(db)
    rows=c.execute("select f.path,u.ordinal,u.parent_ordinal,u.start_line,u.end_line,u.token_count,u.canonical_hash,u.embedding,u.test_callback,u.file_id from units u join files f on f.id=u.file_id order by f.path,u.ordinal").fetchall()
    test={}
    seen=set()
    for path,o,po,sl,el,tc,ch,emb,tcb,fid in rows:
        t=is_test_path(path) or tcb==1 or (po is not None and test.get((fid,po),False))
        test[(fid,o)]=t
        if t or el-sl+1<5 or tc<30 or ch in seen: continue
        seen.add(ch)
        vecs.append(np.frombuffer(emb,dtype=np.float32)); repo.append(r); names.append(f"{r}:{path}:{sl}")
V=np.stack(vecs); R=np.array(repo)
n=len(V); print("units",n,"repos",len(set(repo)))
S=V@V.T
iu=np.triu_indices(n,1)
s=S[iu]; cross=R[iu[0]]!=R[iu[1]]
xs=s[cross]; ws=s[~cross]
print("cross-repo pairs",len(xs),"within-repo pairs",len(ws))
for t in [0.66,0.7,0.75,0.8,0.85,0.88,0.9,0.92,0.95]:
    fp=(xs>=t).sum(); w=(ws>=t).sum()
    print(f"t={t:.2f} cross-repo pairs >= t: {fp} (rate {fp/len(xs):.2e}); within-repo pairs >= t: {w} (rate {w/len(ws):.2e})")
