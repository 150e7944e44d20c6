"""Split a file into YAML front matter and body, keeping line numbers.

PyYAML's ``safe_load`` forgets where a value stood; ``compose`` keeps marks.
We do both so that every later error can name the line of the key it is about.
"""
import pickle

import yaml

# libyaml's parser when PyYAML was built with it (ten times faster); same results.
Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class Lines:
    """Where each key (and each list item) of the front matter stands in the file.

    Kept as one nested tree of plain values, not an object per key: a load
    holds one per file (10,000 at once, issue 8), and the load cache pickles
    them (``readcache.py``). A node is a line number, or ``(line, children)``
    where children is a dict (mapping keys) or a list (sequence items).
    """
    __slots__ = ("tree",)

    def __init__(self, line, children=None):
        self.tree = (line, children) if children else line

    @classmethod
    def from_tree(cls, tree):
        lines = cls.__new__(cls)
        lines.tree = tree
        return lines

    @property
    def line(self):
        return self.tree if isinstance(self.tree, int) else self.tree[0]

    def at(self, *path):
        """The line of the deepest part of ``path`` that exists."""
        node = self.tree
        for part in path:
            if isinstance(node, int):
                break
            try:
                node = node[1][part]
            except (KeyError, IndexError, TypeError):
                break
        return node if isinstance(node, int) else node[0]

    def __eq__(self, other):
        return isinstance(other, Lines) and self.tree == other.tree

    def __repr__(self):
        return f"Lines({self.tree!r})"

    def __reduce__(self):
        return (_lines_from_tree, (self.tree,))


def _lines_from_tree(tree):
    return Lines.from_tree(tree)


class PackedLines(Lines):
    """``Lines`` kept pickled, unpacked on each use (issue 8: memory).

    A load holds the line numbers of every file, but looks at them only for
    an error or a warning: as bytes they take a tenth of the memory.
    """
    __slots__ = ("packed",)

    def __init__(self, packed):
        self.packed = packed

    @property
    def tree(self):
        return pickle.loads(self.packed)

    def __reduce__(self):
        return (PackedLines, (self.packed,))


class FrontMatterError(Exception):
    def __init__(self, line, message):
        self.line = line
        super().__init__(message)


def _lines_of(node, offset, duplicates):
    """The ``Lines`` tree of a YAML node (see ``Lines``)."""
    line = node.start_mark.line + offset
    if isinstance(node, yaml.MappingNode):
        children = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if key in children:
                duplicates.append((key_node.start_mark.line + offset, key))
            child = _lines_of(value_node, offset, duplicates)
            # A key's own line is where the key is written, not where its value starts.
            key_line = key_node.start_mark.line + offset
            children[key] = key_line if isinstance(child, int) else (key_line, child[1])
        return (line, children) if children else line
    if isinstance(node, yaml.SequenceNode):
        items = [_lines_of(item, offset, duplicates) for item in node.value]
        return (line, items) if items else line
    return line


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
    lines = Lines.from_tree(_lines_of(node, offset, duplicates))
    if duplicates:
        line, key = duplicates[0]
        raise FrontMatterError(line, f"key '{key}' appears twice in the front matter")
    body = "\n".join(all_lines[end + 1:])
    return data, lines, body, end + 2
