"""Execute one notebook headlessly on the tslab kernel and export it (ipynb + html).

Like `jupyter nbconvert --execute`, but when a cell fails it still writes the executed part of the notebook
and prints the failing cell's own output (tslab puts the real message on the cell's stderr, which
nbconvert's error report leaves out).

usage: python3 execute_notebook.py NOTEBOOK OUT_DIR [--timeout SECONDS] [--kernel transfer-learning-ts]
Prints one JSON line on stdout: {"notebook", "ok", "seconds", "ipynb", "html", "error"?}.
"""
import argparse
import json
import os
import re
import sys
import time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError


def cell_text(cell):
    parts = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream":
            parts.append(out.get("text", ""))
        elif out.get("output_type") == "error":
            parts.append(f"{out.get('ename', '')}: {out.get('evalue', '')}")
            parts.extend(out.get("traceback", []))
    return "".join(p if p.endswith("\n") else p + "\n" for p in parts if p)


# The embedded plotly.js (lib/ui/plotlyEmbed.ts): every executed cell that draws a figure carries its own copy, so
# that a notebook's saved outputs draw whichever cells were re-run. One HTML page needs only the first: the later
# copies would only wait for it (the loader runs once per page), so the export keeps one.
PLOTLY_CARRIER = re.compile(r'<script type="text/javascript" class="tlts-plotly">.*?</script>', re.S)


def keep_first_plotly(body):
    """The exported HTML with every copy of the embedded plotly.js after the first removed."""
    seen = []

    def once(m):
        seen.append(1)
        return m.group(0) if len(seen) == 1 else ""

    return PLOTLY_CARRIER.sub(once, body)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("notebook")
    ap.add_argument("out_dir")
    ap.add_argument("--timeout", type=int, default=3600)
    ap.add_argument("--kernel", default="transfer-learning-ts")
    args = ap.parse_args()

    name = os.path.splitext(os.path.basename(args.notebook))[0]
    os.makedirs(args.out_dir, exist_ok=True)
    out_ipynb = os.path.join(args.out_dir, name + ".ipynb")
    out_html = os.path.join(args.out_dir, name + ".html")

    nb = nbformat.read(args.notebook, as_version=4)
    client = NotebookClient(
        nb,
        timeout=args.timeout,
        kernel_name=args.kernel,
        resources={"metadata": {"path": os.path.dirname(os.path.abspath(args.notebook))}},
    )
    start = time.time()
    error = None
    try:
        client.execute()
    except (CellExecutionError, CellTimeoutError) as e:
        failing = None
        for idx, cell in enumerate(nb.cells):
            if cell.get("cell_type") != "code":
                continue
            if any(o.get("output_type") == "error" for o in cell.get("outputs", [])):
                failing = (idx, cell)
                break
        if failing is None:
            # A timeout, or an error that left no error output: the last cell that ran is to blame.
            ran = [(i, c) for i, c in enumerate(nb.cells) if c.get("cell_type") == "code" and c.get("execution_count")]
            failing = ran[-1] if ran else (None, None)
        idx, cell = failing
        src = (cell.get("source", "") if cell else "").strip().splitlines()
        error = {
            "cell": idx,
            "source": "\n".join(src[:8]) + ("\n..." if len(src) > 8 else ""),
            "output": (cell_text(cell) if cell else "")[-4000:] or str(e)[-2000:],
            "kind": "timeout" if isinstance(e, CellTimeoutError) else "error",
        }
    if error is None:
        # A kernel that cancels the rest of the queue without an error reply must not pass for a success.
        for idx, cell in enumerate(nb.cells):
            if cell.get("cell_type") == "code" and cell.get("source", "").strip() and not cell.get("execution_count"):
                error = {"cell": idx, "source": cell.get("source", "")[:400], "output": "this cell never ran", "kind": "error"}
                break
    seconds = round(time.time() - start, 1)

    tmp = out_ipynb + ".tmp"
    nbformat.write(nb, tmp)
    os.replace(tmp, out_ipynb)
    html_path = None
    try:
        from nbconvert import HTMLExporter

        body, _ = HTMLExporter().from_notebook_node(nb)
        body = keep_first_plotly(body)
        with open(out_html + ".tmp", "w", encoding="utf-8") as f:
            f.write(body)
        os.replace(out_html + ".tmp", out_html)
        html_path = out_html
    except Exception as e:  # the ipynb is the primary result; say why the html is missing
        print(f"html export of {name} failed: {e}", file=sys.stderr)

    result = {"notebook": args.notebook, "ok": error is None, "seconds": seconds, "ipynb": out_ipynb, "html": html_path}
    if error:
        result["error"] = error
    print(json.dumps(result))
    sys.exit(0 if error is None else 1)


if __name__ == "__main__":
    main()
