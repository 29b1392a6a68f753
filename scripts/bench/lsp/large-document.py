#!/usr/bin/env python3
"""A large document against codeintel-lsp over stdio (issue 20): opens BIG (e.g. a 3.9 MB minified
file) and a small TypeScript file, times a hover on the small one while the big one is analysed,
waits for the big one's diagnostics, closes it, and reads the server's RSS at each step.

  scripts/bench/lsp/large-document.py SERVER BIG [HOVER_TIMEOUT_S]
  BIGWAIT=90 CLOSEWAIT=8 scripts/bench/lsp/large-document.py .build/release/codeintel-lsp big.min.js

With HINTS=N, the big document's inlay hints for its first N lines are asked for (and waited for) once its
diagnostics are in, before the didClose. A BIG ending in .ts is opened as TypeScript.

The server's stderr (CODEINTEL_LSP_LOG=debug) goes to $LSP_STDERR (default /tmp/codeintel-lsp-large.log).
"""
import json, subprocess, sys, time, threading, os
server = sys.argv[1]; big = sys.argv[2]
p = subprocess.Popen([server], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=open(os.environ.get('LSP_STDERR', '/tmp/codeintel-lsp-large.log'),'w'), env=dict(os.environ, CODEINTEL_LSP_LOG='debug'))
msgs = []; cond = threading.Condition()
def reader():
    f = p.stdout
    while True:
        line = f.readline()
        if not line: return
        n = None
        while line.strip():
            if line.lower().startswith(b'content-length'): n = int(line.split(b':')[1])
            line = f.readline()
        body = json.loads(f.read(n))
        with cond: msgs.append((time.time(), body)); cond.notify_all()
threading.Thread(target=reader, daemon=True).start()
def send(o):
    b = json.dumps(o).encode(); p.stdin.write(b'Content-Length: %d\r\n\r\n' % len(b) + b); p.stdin.flush()
def wait(pred, timeout):
    end = time.time() + timeout
    with cond:
        while True:
            for t, m in msgs:
                if pred(m): return t
            if not cond.wait(max(0, end - time.time())) and time.time() >= end: return None
def rss():
    for l in open('/proc/%d/status' % p.pid):
        if l.startswith('VmRSS'): return l.split()[1] + ' kB'
t0 = time.time()
# OPTIONS: initializationOptions as JSON (e.g. '{"codeintel":{"diagnostics":{"enabled":false}}}').
send({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"processId":None,"rootUri":None,"capabilities":{},"initializationOptions":json.loads(os.environ.get('OPTIONS','{}'))}})
wait(lambda m: m.get('id') == 1, 60); send({"jsonrpc":"2.0","method":"initialized","params":{}})
print('initialized', round(time.time()-t0,2), 'rss', rss())
text = open(big).read()
ts = big.endswith('.ts')
big_uri = 'file:///tmp/big.ts' if ts else 'file:///tmp/big.js'
send({"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":big_uri,"languageId":"typescript" if ts else "javascript","version":1,"text":text}}})
small = "function add(a: number, b: number) { return a + b }\nconst total = add(1, 2)\nlet label = 'x'\n"
send({"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"file:///tmp/small.ts","languageId":"typescript","version":1,"text":small}}})
t1 = time.time()
send({"jsonrpc":"2.0","id":2,"method":"textDocument/hover","params":{"textDocument":{"uri":"file:///tmp/small.ts"},"position":{"line":1,"character":7}}})
t = wait(lambda m: m.get('id') == 2, float(sys.argv[3]) if len(sys.argv) > 3 else 60)
print('hover on small while big analysed:', None if t is None else round(t - t1, 2), 'rss', rss())
t = wait(lambda m: m.get('method') == 'textDocument/publishDiagnostics' and m['params']['uri'] == big_uri, float(os.environ.get('BIGWAIT','5')))
print('big diagnostics published:', None if t is None else round(t - t1, 2), 'rss', rss())
if os.environ.get('HINTS'):
    time.sleep(float(os.environ.get('HINTSWAIT', '0')))
    t3 = time.time()
    send({"jsonrpc":"2.0","id":4,"method":"textDocument/inlayHint","params":{"textDocument":{"uri":big_uri},"range":{"start":{"line":0,"character":0},"end":{"line":int(os.environ['HINTS']),"character":0}}}})
    t = wait(lambda m: m.get('id') == 4, 120)
    n = next((len(m.get('result') or []) for _, m in msgs if m.get('id') == 4), None)
    print('big inlay hints (first', os.environ['HINTS'], 'lines):', n, 'after', None if t is None else round(t - t3, 2), 's, rss', rss())
send({"jsonrpc":"2.0","method":"textDocument/didClose","params":{"textDocument":{"uri":big_uri}}})
time.sleep(float(os.environ.get("CLOSEWAIT","0")))
print('rss', os.environ.get('CLOSEWAIT','0'), 's after didClose', rss())
t2 = time.time()
send({"jsonrpc":"2.0","id":3,"method":"shutdown"})
t = wait(lambda m: m.get('id') == 3, 60)
print('shutdown answered after', None if t is None else round(t - t2, 2), 'rss after didClose', rss())
send({"jsonrpc":"2.0","method":"exit"})
try: print('exit', p.wait(10))
except Exception: p.kill(); print('killed')
