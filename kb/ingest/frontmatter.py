"""Split a file into YAML front matter and body, keeping line numbers.

PyYAML's ``safe_load`` forgets where a value stood; ``compose`` keeps marks.
We do both so that every later error can name the line of the key it is about.
"""
from dataclasses import dataclass, field

import yaml

# libyaml's parser when PyYAML was built with it (ten times faster); same results.
Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class Lines:
    """Where each key (and each list item) of the front matter stands in the file."""
    line: int
    children: dict | list = field(default_factory=dict)

    def at(self, *path):
        """The line of the deepest part of ``path`` that exists."""
        node = self
        for part in path:
            try:
                node = node.children[part]
            except (KeyError, IndexError, TypeError):
                break
        return node.line


class FrontMatterError(Exception):
    def __init__(self, line, message):
        self.line = line
        super().__init__(message)


def _lines_of(node, offset, duplicates):
    line = node.start_mark.line + offset
    if isinstance(node, yaml.MappingNode):
        children = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if key in children:
                duplicates.append((key_node.start_mark.line + offset, key))
            child = _lines_of(value_node, offset, duplicates)
            # A key's own line is where the key is written, not where its value starts.
            child.line = key_node.start_mark.line + offset
            children[key] = child
        return Lines(line, children)
    if isinstance(node, yaml.SequenceNode):
        return Lines(line, [_lines_of(item, offset, duplicates) for item in node.value])
    return Lines(line)


def split(text):
    """Return ``(data, lines, body, body_line)``; raise FrontMatterError if unusable.

    ``body_line`` is the file line on which the body starts (1-based).
    """
    all_lines = text.split("\n")
    if not all_lines or all_lines[0].rstrip() != "---":
        raise FrontMatterError(1, "missing front matter: the file must start with a line '---'")
    for index in range(1, len(all_lines)):
        if all_lines[index].rstrip() in ("---", "..."):
            end = index
            break
    else:
        raise FrontMatterError(1, "front matter is not closed: add a line '---' after it")

    yaml_text = "\n".join(all_lines[1:end])
    offset = 2  # YAML line 0 is file line 2
    try:
        # Compose once: the node tree gives line numbers, and the same tree is
        # constructed into Python values.
        loader = Loader(yaml_text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + offset if mark else 1
        problem = exc.problem or str(exc)
        raise FrontMatterError(line, f"YAML syntax error: {problem}") from None
    except yaml.YAMLError as exc:
        raise FrontMatterError(1, f"YAML syntax error: {exc}") from None

    if node is None or not isinstance(data, dict):
        found = "nothing" if data is None else type(data).__name__
        raise FrontMatterError(2, f"front matter must be a mapping of keys to values, found {found}")

    duplicates = []
    lines = _lines_of(node, offset, duplicates)
    if duplicates:
        line, key = duplicates[0]
        raise FrontMatterError(line, f"key '{key}' appears twice in the front matter")
    body = "\n".join(all_lines[end + 1:])
    return data, lines, body, end + 2
