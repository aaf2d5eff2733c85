"""Reading the output of `corosh --echo`: each command is echoed as
`> COMMAND` before what it printed."""


def sections(lines):
    """[(command, [output lines])], in the order the commands ran."""
    out = []
    for line in lines:
        if line.startswith("> "):
            out.append((line[2:], []))
        elif out:
            out[-1][1].append(line)
    return out


def section(lines, command, nth=0):
    """What the nth run of `command` printed."""
    found = [output for echoed, output in sections(lines) if echoed == command]
    if len(found) <= nth:
        raise AssertionError(f"no output for `{command}` (run {nth + 1}) in:\n" + "\n".join(lines))
    return found[nth]
