"""Reads loadd's --csv files the way tools made for Locust's CSVs do: csv.DictReader, then int() on the
columns where Locust writes integers and float() where it writes decimals. Column kinds come from the
files Locust 2.47 wrote beside this script; N/A is accepted only in a column where Locust writes it too.

    python3 read_like_locust_tools.py FIXTURE_DIR OUR_PREFIX

Exits 1 naming the file, row, column and cell it choked on.
"""
import csv, sys
fixture, ours = sys.argv[1], sys.argv[2]

def kind(cell):
    if cell == "N/A" or cell == "": return cell or "empty"
    try:
        int(cell); return "int"
    except ValueError: pass
    try:
        float(cell); return "float"
    except ValueError: return "text"

for name in ["stats", "stats_history", "failures", "exceptions"]:
    with open(f"{fixture}/out_{name}.csv", newline="") as f:
        theirs = list(csv.DictReader(f))
        header = list(theirs[0].keys()) if theirs else None
    with open(f"{ours}_{name}.csv", newline="") as f:
        reader = csv.DictReader(f)
        rows = list(reader)
        if header is not None and reader.fieldnames != header:
            sys.exit(f"{name}: header {reader.fieldnames} is not Locust's {header}")
    kinds = {}
    for row in theirs:
        for column, cell in row.items(): kinds.setdefault(column, set()).add(kind(cell))
    for n, row in enumerate(rows):
        for column, cell in row.items():
            allowed = kinds.get(column, {"text", "empty"})
            try:
                if cell == "N/A" or cell == "": ok = kind(cell) in allowed
                elif "int" in allowed and "float" not in allowed: int(cell); ok = True
                elif "float" in allowed: float(cell); ok = True
                else: ok = "text" in allowed or "empty" in allowed
            except ValueError:
                ok = False
            if not ok: sys.exit(f"{name} row {n + 1} column {column!r}: {cell!r} where Locust writes {sorted(allowed)}")
    print(f"{name}: {len(rows)} rows read")
