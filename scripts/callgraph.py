#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""callgraph.py - the call graph between gomalloc's components (kmod/).

A component is a .c file together with the headers named after it
(mcache.c, mcache.h, mcache_inline.h); gomalloc_hooks.h and gomalloc_trace.h
belong to the hooks and trace components, sizeclasses.h to sizeclass.
An edge A -> B means that code in A (a function body or an initializer)
names a function or a global variable that B defines. Declarations,
types and macros are not calls and make no edge. The graph must be a
ladder: no strongly connected component of more than one component.

  scripts/callgraph.py [--dir kmod] [--dot]   print edges and cycles
  scripts/callgraph.py --check                exit 1 on any cycle

The parse is a token scan with brace depth (comments, strings and
preprocessor lines removed), which is enough for kernel-style C: a
function definition is an identifier, a balanced (...) and then '{' at
depth 0; a global is a depth-0 declarator followed by '=', '[' or ';',
or the last argument of a DEFINE_*()/DECLARE_*()/LIST_HEAD() at depth
0. Names after struct, union, enum, '.' and '->' are types or fields.
"""
import argparse
import os
import re
import sys

TOKEN = re.compile(r'[A-Za-z_]\w*|\d\w*|\S')
KEYWORDS = {
    'if', 'for', 'while', 'switch', 'return', 'sizeof', 'do', 'else',
    'static', 'inline', 'const', 'struct', 'union', 'enum', 'extern',
    'typedef', 'unsigned', 'signed', 'void', 'int', 'long', 'char',
    'bool', 'u8', 'u16', 'u32', 'u64', 'size_t', 'gfp_t',
}
COMPONENT_OF = {
    'gomalloc_hooks': 'hooks',
    'gomalloc_trace': 'trace',
    'sizeclasses': 'sizeclass',
    'gomalloc_compat': 'compat',
    'gomalloc_internal': 'internal',
}


def component(path):
    name = os.path.splitext(os.path.basename(path))[0]
    name = COMPONENT_OF.get(name, name)
    return name[:-len('_inline')] if name.endswith('_inline') else name


def strip(text):
    """Remove comments, string and char literals, preprocessor lines."""
    text = re.sub(r'/\*.*?\*/', ' ', text, flags=re.S)
    text = re.sub(r'//[^\n]*', ' ', text)
    text = re.sub(r'"(\\.|[^"\\])*"', '""', text)
    text = re.sub(r"'(\\.|[^'\\])*'", "''", text)
    lines, cont = [], False
    for line in text.split('\n'):
        if cont or line.lstrip().startswith('#'):
            cont = line.rstrip().endswith('\\')
            lines.append('')
        else:
            lines.append(line)
    return '\n'.join(lines)


def scan(text):
    """(definitions, references) of one file's tokens."""
    toks = TOKEN.findall(strip(text))
    defs, refs = set(), set()
    depth = 0        # brace depth
    paren = 0        # paren depth at brace depth 0
    init = False     # inside a depth-0 initializer (after '=')
    stmt = []        # tokens of the current depth-0 statement
    for i, t in enumerate(toks):
        if depth > 0 or init:
            tag = toks[i - 1] if i else ''
            if re.match(r'[A-Za-z_]', t) and t not in KEYWORDS and \
               tag not in ('struct', 'union', 'enum', '.', '>'):
                refs.add(t)
        if t == '{':
            if depth == 0 and not init and stmt and stmt[-1] == ')':
                name = function_name(stmt)
                if name:
                    defs.add(name)
            depth += 1
            continue
        if t == '}':
            depth -= 1
            if depth == 0 and not init:
                stmt = []
            continue
        if depth > 0:
            continue
        if t == '(':
            paren += 1
        elif t == ')':
            paren -= 1
        if paren == 0 and t in ('=', '[', ';') and not init:
            var = global_name(stmt)
            if var:
                defs.add(var)
            if t == '=':
                init = True
        if paren == 0 and t == ';':
            stmt, init = [], False
            continue
        if not init:
            stmt.append(t)
    return defs, refs - defs


def function_name(stmt):
    """The identifier before the last balanced (...) of a definition."""
    level = 0
    for j in range(len(stmt) - 1, -1, -1):
        if stmt[j] == ')':
            level += 1
        elif stmt[j] == '(':
            level -= 1
            if level == 0:
                name = stmt[j - 1] if j else ''
                if re.match(r'[A-Za-z_]\w*$', name) and name not in KEYWORDS:
                    return name
                return None
    return None


def global_name(stmt):
    """A depth-0 variable defined by @stmt, or None."""
    if not stmt or stmt[0] in ('extern', 'typedef'):
        return None
    if stmt[0] == 'DEFINE_SHOW_ATTRIBUTE' and len(stmt) > 2:
        return stmt[2] + '_fops'
    if stmt[0].startswith(('DEFINE_', 'DECLARE_')) or stmt[0] == 'LIST_HEAD':
        ids = [t for t in stmt[1:] if re.match(r'[A-Za-z_]\w*$', t)]
        return ids[-1] if ids else None
    if '(' in stmt:        # a prototype or a macro invocation
        return None
    if stmt[0] in ('struct', 'union', 'enum') and len(stmt) <= 3:
        return None        # a bare type declaration
    name = stmt[-1]
    if re.match(r'[A-Za-z_]\w*$', name) and name not in KEYWORDS:
        return name
    return None


def graph(src_dir):
    owner, refs = {}, {}
    for f in sorted(os.listdir(src_dir)):
        if not f.endswith(('.c', '.h')):
            continue
        with open(os.path.join(src_dir, f)) as fh:
            d, r = scan(fh.read())
        comp = component(f)
        for name in d:
            owner.setdefault(name, comp)
        refs.setdefault(comp, set()).update(r)
    edges = {c: {} for c in refs}
    for comp, names in refs.items():
        for name in sorted(names):
            dst = owner.get(name)
            if dst and dst != comp:
                edges[comp].setdefault(dst, []).append(name)
    return edges


def sccs(edges):
    """Tarjan's strongly connected components."""
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in edges.get(v, {}):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--dir', default=os.path.join(
        os.path.dirname(os.path.abspath(__file__)), '..', 'kmod'))
    ap.add_argument('--check', action='store_true')
    ap.add_argument('--dot', action='store_true')
    args = ap.parse_args()
    edges = graph(args.dir)
    cycles = [c for c in sccs(edges) if len(c) > 1]
    if args.dot:
        print('digraph gomalloc {')
        for a in sorted(edges):
            for b in sorted(edges[a]):
                print(f'\t"{a}" -> "{b}";')
        print('}')
        return 0
    if not args.check:
        for a in sorted(edges):
            for b in sorted(edges[a]):
                print(f'{a} -> {b}: {" ".join(edges[a][b])}')
    for c in cycles:
        print('cycle: ' + ' '.join(c))
        for a in c:
            for b in sorted(edges[a]):
                if b in c:
                    print(f'  {a} -> {b}: {" ".join(edges[a][b])}')
    if args.check:
        n = sum(len(v) for v in edges.values())
        print(f'callgraph: {len(edges)} components, {n} edges, '
              f'{len(cycles)} cycles')
    return 1 if args.check and cycles else 0


if __name__ == '__main__':
    sys.exit(main())
