#!/usr/bin/env python3
"""Renders man pages for loadd from the same sources as its help.

  man-page.py command BINARY SECTION DATE VERSION  > page   # from `BINARY --experimental-dump-help`
  man-page.py config  YAML DATE VERSION            > page   # loadd.yaml(5) from the commented sample

The command form reads swift-argument-parser's tool description (the data `--help` is printed from),
so the page and `--help` cannot drift apart; every subcommand gets its own subsection. The config form
turns the sample loadd.yaml's comments into the page: the header comment is the description, and each
`key: value` line (commented out or not) with the comments around it becomes one entry.
"""
import json
import re
import subprocess
import sys

SEE_ALSO = {
    "loadd": [("loadctl", 1), ("loadd.yaml", 5), ("systemctl", 1), ("journalctl", 1)],
    "loadctl": [("loadd", 8), ("loadd.yaml", 5)],
    "loadd.yaml": [("loadd", 8), ("loadctl", 1), ("systemd.exec", 5)],
}


def esc(text):
    """Roff-safe text: backslashes escaped, no line starting with a control character."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    return "\n".join(("\\&" + line) if line.startswith((".", "'")) else line for line in text.split("\n"))


def paragraphs(text):
    """Help text as roff paragraphs; blank lines separate them."""
    out = []
    for block in re.split(r"\n\s*\n", (text or "").strip()):
        if block.strip():
            out += [".PP", esc(" ".join(line.strip() for line in block.split("\n")))]
    return out


def flag_names(arg):
    names = []
    for name in arg.get("names") or []:
        dash = "--" if name["kind"] == "long" else "-"
        names.append(f"\\fB{esc(dash + name['name'])}\\fR")
    return ", ".join(names)


def arg_label(arg):
    value = esc(arg.get("valueName") or "value")
    if arg["kind"] == "positional":
        return f"\\fI{value}\\fR" + (" ..." if arg.get("isRepeating") else "")
    label = flag_names(arg)
    return label + (f" \\fI{value}\\fR" if arg["kind"] == "option" else "")


def synopsis_word(arg):
    word = arg_label(arg) if arg["kind"] == "positional" else (
        f"\\fB{esc('--' + arg['preferredName']['name'] if arg['preferredName']['kind'] == 'long' else '-' + arg['preferredName']['name'])}\\fR"
        + (f" \\fI{esc(arg.get('valueName') or 'value')}\\fR" if arg["kind"] == "option" else ""))
    return f"[{word}]" if arg.get("isOptional") else word


def visible(items):
    """What --help lists; argument-parser's own `help` subcommand is left to --help."""
    return [item for item in items or [] if item.get("shouldDisplay", True) and item.get("commandName") != "help"]


def options(command):
    lines = []
    for arg in visible(command.get("arguments")):
        lines += [".TP", arg_label(arg)]
        text = " ".join(t for t in [arg.get("abstract"), arg.get("discussion")] if t)
        if arg.get("defaultValue") not in (None, "", "false"):
            text += f" (default: {arg['defaultValue']})"
        lines.append(esc(text.strip()) or "\\&")
    return lines


def synopsis(path, command):
    words = [synopsis_word(a) for a in visible(command.get("arguments"))
             if not {n["name"] for n in a.get("names") or []} & {"help", "version"}]
    if visible(command.get("subcommands")):
        words.append("\\fIcommand\\fR")
    return [".HP", " ".join([f"\\fB{esc(path)}\\fR"] + words)]


def command_page(binary, section, date, version):
    info = json.loads(subprocess.run([binary, "--experimental-dump-help"], check=True,
                                     capture_output=True, text=True).stdout)["command"]
    name = info["commandName"]
    lines = [f'.TH {name.upper()} {section} "{date}" "loadd {version}" "loadd manual"',
             ".SH NAME", f"{esc(name)} \\- {esc(info.get('abstract', ''))}",
             ".SH SYNOPSIS"] + synopsis(name, info)
    subcommands = visible(info.get("subcommands"))
    for sub in subcommands:
        lines += synopsis(f"{name} {sub['commandName']}", sub)
    lines += [".SH DESCRIPTION"] + paragraphs(info.get("abstract")) + paragraphs(info.get("discussion"))
    lines += [".SH OPTIONS"] + options(info)
    if subcommands:
        lines.append(".SH COMMANDS")
        for sub in subcommands:
            lines += [".SS " + esc(f"{name} {sub['commandName']}")]
            lines += paragraphs(sub.get("abstract")) + paragraphs(sub.get("discussion"))
            lines += options(sub)
            for nested in visible(sub.get("subcommands")):
                lines += [".SS " + esc(f"{name} {sub['commandName']} {nested['commandName']}")]
                lines += paragraphs(nested.get("abstract")) + paragraphs(nested.get("discussion")) + options(nested)
    return lines + see_also(name)


def see_also(name):
    refs = SEE_ALSO.get(name, [])
    return [".SH SEE ALSO", ",\n".join(f"\\fB{esc(ref)}\\fR({sec})" for ref, sec in refs)] if refs else []


KEY = re.compile(r"^(#\s*)?([a-z_]+):\s*(\S.*?)?\s*(?:#\s*(.*))?$")


def config_page(path, date, version):
    """The header comment, then one entry per key with its comments (above it, or trailing and continued)."""
    header, entries, pending, current, in_header = [], [], [], None, True
    sections = []
    for raw in open(path, encoding="utf-8").read().split("\n"):
        line = raw.rstrip()
        if in_header:
            if line.startswith("#"):
                header.append(line.lstrip("#").strip())
                continue
            in_header = False
        if not line.strip():
            current, pending = None, []
            continue
        section = re.match(r"^#\s*---\s*(.*?)\s*-*$", line)
        if section:
            sections.append((len(entries), section.group(1)))
            current, pending = None, []
            continue
        key = KEY.match(line)
        if key and key.group(2) and (key.group(1) is None or key.group(3)):
            current = {"key": key.group(2), "example": key.group(3) or "", "text": pending + ([key.group(4)] if key.group(4) else [])}
            entries.append(current)
            pending = []
            continue
        text = line.lstrip("#").strip()
        # `#    # more`: continues the trailing comment of the key above; a plain comment precedes the next key.
        continuation = re.match(r"^#\s{2,}#\s*(.*)$", line)
        if continuation and current is not None:
            current["text"].append(continuation.group(1))
        else:
            pending.append(text)
    lines = [f'.TH LOADD.YAML 5 "{date}" "loadd {version}" "loadd manual"',
             ".SH NAME", "loadd.yaml \\- configuration of the loadd daemon",
             ".SH SYNOPSIS", "\\fI/etc/loadd/loadd.yaml\\fR",
             ".SH DESCRIPTION"] + paragraphs("\n".join(header))
    lines += paragraphs("Unknown keys are refused with the file, line and column and the list of valid keys; "
                        "a bad value names its key. The values below are the defaults where the key is set "
                        "in the shipped file, and examples where it is commented out.")
    lines.append(".SH KEYS")
    starts = dict(sections)
    for index, entry in enumerate(entries):
        if index in starts:
            lines += [".SS " + esc(starts[index])]
        lines += [".TP", f"\\fB{esc(entry['key'])}:\\fR \\fI{esc(entry['example'])}\\fR",
                  esc(" ".join(t for t in entry["text"] if t)) or "\\&"]
    lines += [".SH FILES", ".TP", "\\fI/etc/loadd/loadd.yaml\\fR",
              "The configuration (a dpkg conffile: upgrades keep local edits).",
              ".TP", "\\fI/var/lib/loadd/runs/\\fR", "Stored runs, one folder per run."]
    return lines + see_also("loadd.yaml")


def main(argv):
    if len(argv) == 6 and argv[1] == "command":
        lines = command_page(argv[2], argv[3], argv[4], argv[5])
    elif len(argv) == 5 and argv[1] == "config":
        lines = config_page(argv[2], argv[3], argv[4])
    else:
        sys.exit(__doc__)
    sys.stdout.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main(sys.argv)
